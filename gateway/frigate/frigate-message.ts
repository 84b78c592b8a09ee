// What the gateway reads from a Frigate broker, checked before anything is
// believed: the tracked-object messages on `<prefix>/events`, the people
// counts on `<prefix>/<zone>/person`, and `<prefix>/available`. Anything that
// is not what Frigate sends is refused with a reason the adapter counts; a
// message is never half used. The shapes relied on are listed in
// gateway/README.md ("Frigate").

/** Frigate's messages are a few KiB; anything far larger is not one of them. */
export const MAX_FRIGATE_PAYLOAD = 64 * 1024

/** The part of a tracked object (`before` / `after`) the gateway uses. */
export interface FrigateObject {
  id: string
  camera: string
  label: string
  falsePositive: boolean
  /** Seconds since the epoch (Frigate writes floats) of the frame this state is from. */
  frameTime: number | undefined
  /** The best score so far (`top_score`), else the current one (`score`), 0..1. */
  score: number | undefined
  /** The zones the object has entered, in the order Frigate lists them (first entry first). */
  enteredZones: string[]
  currentZones: string[]
  hasSnapshot: boolean
}

export interface FrigateEvent {
  type: 'new' | 'update' | 'end'
  before: FrigateObject | undefined
  after: FrigateObject
}

export type Read<T> = { ok: true; value: T } | { ok: false; reason: RefusalReason; detail: string }

/** Why a message from the Frigate broker was not used; each is counted. */
export type RefusalReason = 'too_big' | 'not_json' | 'not_frigate'

const refuse = (reason: RefusalReason, detail: string): { ok: false; reason: RefusalReason; detail: string } => ({ ok: false, reason, detail })

/** Frigate ids, camera, zone and label names: short, printable, no slash (they are parts of topics and URLs). */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/

/** `now`: the gateway's clock, ms; a frame time more than a day ahead of it is not trusted. */
export function readFrigateEvent (payload: Buffer, now: number): Read<FrigateEvent> {
  if (payload.length > MAX_FRIGATE_PAYLOAD) return refuse('too_big', `${payload.length} bytes`)
  let data: unknown
  try {
    data = JSON.parse(payload.toString('utf8'))
  } catch {
    return refuse('not_json', 'the events message is not JSON')
  }
  if (!isRecord(data)) return refuse('not_frigate', 'the events message is not an object')
  const type = data.type
  if (type !== 'new' && type !== 'update' && type !== 'end') return refuse('not_frigate', 'type is not new, update or end')
  const after = readObject(data.after, 'after', now)
  if (typeof after === 'string') return refuse('not_frigate', after)
  let before: FrigateObject | undefined
  if (data.before !== undefined && data.before !== null) {
    const b = readObject(data.before, 'before', now)
    if (typeof b === 'string') return refuse('not_frigate', b)
    if (b.id !== after.id) return refuse('not_frigate', 'before and after are different objects')
    before = b
  }
  return { ok: true, value: { type, before, after } }
}

function readObject (v: unknown, where: string, now: number): FrigateObject | string {
  if (!isRecord(v)) return `${where} is not an object`
  const { id, camera, label } = v
  if (typeof id !== 'string' || !NAME.test(id)) return `${where}.id is not a Frigate id`
  if (typeof camera !== 'string' || !NAME.test(camera)) return `${where}.camera is not a camera name`
  if (typeof label !== 'string' || !NAME.test(label)) return `${where}.label is not a label`
  const entered = zones(v.entered_zones)
  const current = zones(v.current_zones)
  if (entered === undefined || current === undefined) return `${where}: entered_zones and current_zones must be lists of zone names`
  const score = [v.top_score, v.score].find((s): s is number => typeof s === 'number' && s >= 0 && s <= 1)
  return {
    id, camera, label,
    falsePositive: v.false_positive === true,
    frameTime: epochSeconds(v.frame_time, now),
    score,
    enteredZones: entered,
    currentZones: current,
    hasSnapshot: v.has_snapshot === true,
  }
}

function zones (v: unknown): string[] | undefined {
  if (v === undefined || v === null) return []
  if (!Array.isArray(v) || v.length > 64) return undefined
  return v.every((z) => typeof z === 'string' && NAME.test(z)) ? v as string[] : undefined
}

/** A time Frigate could have written: after 2020, not more than a day ahead; otherwise not trusted. */
function epochSeconds (v: unknown, now: number): number | undefined {
  if (typeof v !== 'number' || !Number.isFinite(v)) return undefined
  return v > 1_577_836_800 && v * 1000 < now + 86_400_000 ? v : undefined
}

/** A count topic's payload: the number of people, as text ("0", "3"). */
export function readCount (payload: Buffer): Read<number> {
  if (payload.length > 16) return refuse('too_big', `${payload.length} bytes for a count`)
  const text = payload.toString('utf8').trim()
  if (!/^\d{1,6}$/.test(text)) return refuse('not_frigate', 'a count is not a whole number')
  return { ok: true, value: Number(text) }
}

/** `<prefix>/available`: "online" or "offline". */
export function readAvailable (payload: Buffer): Read<'online' | 'offline'> {
  if (payload.length > 16) return refuse('too_big', `${payload.length} bytes for availability`)
  const text = payload.toString('utf8').trim()
  return text === 'online' || text === 'offline' ? { ok: true, value: text } : refuse('not_frigate', 'availability is neither online nor offline')
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
