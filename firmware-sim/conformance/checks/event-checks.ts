// Requirements on the identity of events (§10.1): seq strictly increasing
// across all event channels, eventId unique. A copy (the same eventId, seq
// and ts again: QoS 1 redelivery, replay) is not a new event.

import { EVENT_CHANNELS } from '../../../protocol/index.ts'
import { channelOf, jsonObject, type Observation, type PublishRecord } from '../observation.ts'
import { fail, notChecked, pass, type CheckResult } from '../result.ts'
import { shown } from './message-checks.ts'

export interface SeenEvent {
  p: PublishRecord
  eventId: string
  seq: number
  ts: string
  /** The same eventId, seq and ts arrived before. */
  copy: boolean
  /** The eventId arrived before with another seq or ts. */
  clash?: SeenEvent
}

const EVENT_SET: ReadonlySet<string> = new Set(EVENT_CHANNELS)

/** Events with readable eventId, seq and ts, in arrival order (schema problems are reported elsewhere). */
export function seenEvents (o: Observation): SeenEvent[] {
  const first = new Map<string, SeenEvent>()
  const out: SeenEvent[] = []
  for (const p of o.publishes) {
    if (!EVENT_SET.has(channelOf(o, p.topic) ?? '')) continue
    const m = jsonObject(p.payload)
    if (typeof m?.eventId !== 'string' || typeof m.seq !== 'number' || typeof m.ts !== 'string') continue
    const e: SeenEvent = { p, eventId: m.eventId, seq: m.seq, ts: m.ts, copy: false }
    const before = first.get(e.eventId)
    if (before === undefined) first.set(e.eventId, e)
    else if (before.seq === e.seq && before.ts === e.ts) e.copy = true
    else e.clash = before
    out.push(e)
  }
  return out
}

export function checkSeq (o: Observation): CheckResult {
  const events = seenEvents(o).filter((e) => !e.copy)
  if (events.length === 0) return notChecked('the device published no events')
  let gaps = 0
  for (let i = 1; i < events.length; i++) {
    const prev = events[i - 1]!
    const e = events[i]!
    if (e.seq <= prev.seq) {
      return fail(`seq ${e.seq} after seq ${prev.seq}: seq must grow with every event`, { previous: shown(prev.p), offending: shown(e.p) })
    }
    if (e.seq > prev.seq + 1) gaps++
  }
  const copies = seenEvents(o).length - events.length
  const notes = [`${events.length} events${copies > 0 ? `, ${copies} copies (same eventId, seq and ts)` : ''}`]
  if (gaps > 0) notes.push(`seq grew by more than one ${gaps} time(s): it should grow by exactly one, so that a gap shows a lost event`)
  return pass(notes)
}

export function checkEventIds (o: Observation): CheckResult {
  const events = seenEvents(o)
  if (events.length === 0) return notChecked('the device published no events')
  const clash = events.find((e) => e.clash !== undefined)
  if (clash) {
    return fail(`eventId ${clash.eventId} was used again for another event (seq ${clash.clash!.seq} → ${clash.seq})`,
      { first: shown(clash.clash!.p), again: shown(clash.p) })
  }
  return pass([`${new Set(events.map((e) => e.eventId)).size} distinct eventIds`])
}
