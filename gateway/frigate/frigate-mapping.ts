// From a Frigate tracked object to what the platform hears, as pure
// functions: a person entering a zone the site configured becomes one
// `event/person` (per Frigate object id and zone), and where the site says
// which of two zones lies outside and which inside, the order in which the
// person entered them is one crossing, in or out. Each has a key that names
// it for good (the Frigate id and the zone, or "line"), so the same entry
// seen in a later update, an `end`, or a replay after a restart is known.

import { createHash } from 'node:crypto'
import type { FrigateEvent } from './frigate-message.ts'

/** One Frigate camera as the site maps it onto a camera device of the platform. */
export interface FrigateCameraMap {
  /** The camera's name in Frigate's config. */
  frigate: string
  /** Frigate zone → the platform door it belongs to (none: a zone not at a door). Only these zones are reported. */
  zones: Record<string, { door?: string }>
  /** Opt-in: in/out from the order a person entered two zones (`outside` then `inside`: in). */
  line?: { door: string; outside: string; inside: string }
}

export interface ZoneEntry {
  /** `<frigate id>/zone/<zone>`: one per object and zone, for good. */
  key: string
  zone: string
  door?: string
  /** When it was seen in the zone: the frame time Frigate gives, else `receivedAt`. */
  t: number
  confidence?: number
}

export interface Crossing {
  /** `<frigate id>/line` */
  key: string
  direction: 'in' | 'out'
}

/** Whether a tracked object is a person Frigate stands by (not a false positive). */
const isPerson = (e: FrigateEvent): boolean => e.after.label === 'person' && !e.after.falsePositive

/** The configured zones this person has entered, each as an entry to report once (`seen` says which were). */
export function zoneEntries (cam: FrigateCameraMap, e: FrigateEvent, receivedAt: number): ZoneEntry[] {
  if (!isPerson(e) || e.after.camera !== cam.frigate) return []
  const a = e.after
  const t = a.frameTime === undefined ? receivedAt : Math.round(a.frameTime * 1000)
  const out: ZoneEntry[] = []
  for (const zone of new Set(a.enteredZones)) {
    const z = Object.hasOwn(cam.zones, zone) ? cam.zones[zone] : undefined
    if (z === undefined) continue
    out.push({
      key: `${a.id}/zone/${zone}`,
      zone,
      ...(z.door === undefined ? {} : { door: z.door }),
      t,
      ...(a.score === undefined ? {} : { confidence: a.score }),
    })
  }
  return out
}

/**
 * In or out, once both zones of the camera's line were entered: Frigate lists `entered_zones` in the order of
 * first entry, so outside-then-inside is in, inside-then-outside is out. A person who goes in and comes back
 * within one track is counted by the first two entries only (Frigate does not list a zone twice).
 */
export function crossing (cam: FrigateCameraMap, e: FrigateEvent): Crossing | undefined {
  if (cam.line === undefined || !isPerson(e) || e.after.camera !== cam.frigate) return undefined
  const order = e.after.enteredZones
  const outside = order.indexOf(cam.line.outside)
  const inside = order.indexOf(cam.line.inside)
  if (outside < 0 || inside < 0) return undefined
  return { key: `${e.after.id}/line`, direction: outside < inside ? 'in' : 'out' }
}

/**
 * The eventId of what a key names, the same every time it is made (UUID-shaped, from a hash of the device and
 * the key): an entry published twice (a crash between keeping the event and remembering the key) is still one
 * event at the platform, which keeps each (device, eventId) once.
 */
export function eventIdFor (deviceId: string, key: string): string {
  const h = createHash('sha256').update(`${deviceId}\n${key}`).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`
}

/** Frigate's own address of the object's snapshot (its HTTP API), used as the event's snapshot reference. */
export function snapshotUrl (http: string, frigateId: string): string {
  return `${http.replace(/\/+$/, '')}/api/events/${encodeURIComponent(frigateId)}/snapshot.jpg`
}
