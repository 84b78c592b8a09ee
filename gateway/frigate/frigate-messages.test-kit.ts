// Frigate-shaped messages for the tests, in the shapes Frigate's MQTT docs
// give (gateway/README.md lists what the adapter relies on).

export const NOW = Date.parse('2026-03-02T08:00:00Z')

/** A Frigate `frigate/events` message, in the shape its MQTT docs give. */
export function frigateEvent (o: { type?: string; id?: string; camera?: string; label?: string; entered?: string[]; before?: string[]; frameTime?: number; falsePositive?: boolean } = {}): string {
  const t = o.frameTime ?? NOW / 1000
  const obj = (zones: string[]) => ({
    id: o.id ?? '1772438400.123456-abc123',
    camera: o.camera ?? 'front_door',
    frame_time: t,
    snapshot_time: t,
    label: o.label ?? 'person',
    sub_label: null,
    top_score: 0.91,
    false_positive: o.falsePositive ?? false,
    start_time: t - 3,
    end_time: null,
    score: 0.87,
    box: [424, 500, 536, 712],
    area: 23744,
    region: [264, 450, 667, 853],
    current_zones: zones.slice(-1),
    entered_zones: zones,
    thumbnail: null,
    has_snapshot: false,
    has_clip: false,
    stationary: false,
    motionless_count: 0,
    position_changes: 1,
  })
  return JSON.stringify({ type: o.type ?? 'update', before: obj(o.before ?? []), after: obj(o.entered ?? []) })
}
