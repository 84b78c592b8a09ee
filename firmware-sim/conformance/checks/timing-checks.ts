// Requirements on what a device sends on its own schedule: heartbeats every
// heartbeatS (§7.7, §8.3) and, for cameras, line counts every
// lineCountPeriodS, zeros included, in periods that do not overlap (§7.4).

import { jsonObject, onChannel, type Observation, type PublishRecord } from '../observation.ts'
import { fail, notChecked, pass, type CheckContext, type CheckResult } from '../result.ts'
import { seenEvents } from './event-checks.ts'
import { shown } from './message-checks.ts'

/** How far one interval may be off the configured one: 25 %, at least `floorMs`. */
const slack = (periodMs: number, floorMs: number): number => Math.max(floorMs, periodMs / 4)

function deviceTime (p: PublishRecord): number {
  const m = jsonObject(p.payload)
  const t = typeof m?.ts === 'string' ? Date.parse(m.ts) : NaN
  return Number.isNaN(t) ? p.at : t
}

/** Checks the intervals between consecutive messages against `periodMs`. */
function intervals (list: PublishRecord[], periodMs: number, floorMs: number, what: string): ReturnType<typeof fail> | number[] {
  const gaps: number[] = []
  for (let i = 1; i < list.length; i++) {
    const gap = deviceTime(list[i]!) - deviceTime(list[i - 1]!)
    if (Math.abs(gap - periodMs) > slack(periodMs, floorMs)) {
      return fail(`${what} ${(gap / 1000).toFixed(1)} s apart; expected every ${periodMs / 1000} s`, { previous: shown(list[i - 1]!), offending: shown(list[i]!) })
    }
    gaps.push(gap)
  }
  return gaps
}

export function checkHeartbeat (o: Observation, ctx: CheckContext): CheckResult {
  const w = o.heartbeatWindow
  if (w === undefined) return notChecked(o.skipped.heartbeat ?? 'the kit did not configure heartbeats')
  const beats = onChannel(o, 'heartbeat').filter((p) => p.at >= w.from && p.at <= w.to)
  const periodMs = w.heartbeatS * 1000
  const need = ctx.intervals + 1
  const seconds = ((w.to - w.from) / 1000).toFixed(0)
  if (beats.length < need) {
    return fail(`${beats.length} heartbeat(s) in the ${seconds} s after config heartbeatS=${w.heartbeatS}; expected at least ${need}`)
  }
  // The first may still be on the old schedule; from then on every heartbeatS.
  const gaps = intervals(beats.slice(0, need), periodMs, 2000, 'heartbeats')
  if (!Array.isArray(gaps)) return gaps
  return pass([`intervals ${gaps.map((g) => (g / 1000).toFixed(1)).join(', ')} s for heartbeatS=${w.heartbeatS}`])
}

export function checkLineCounts (o: Observation, ctx: CheckContext): CheckResult {
  const w = o.lineWindow
  if (w === undefined) return notChecked(o.skipped.lineCounts ?? 'the kit did not configure line counting')
  const lines = onChannel(o, 'event/line').filter((p) => p.at >= w.from && p.at <= w.to)
  const periodic = lines.filter((p) => jsonObject(p.payload)?.periodS === w.periodS)
  const need = ctx.intervals + 1
  if (periodic.length < need) {
    return fail(`${periodic.length} line count(s) with periodS=${w.periodS} in the ${((w.to - w.from) / 1000).toFixed(0)} s after config ` +
      `lineCountPeriodS=${w.periodS}; expected at least ${need} (one per period, also when both counts are 0)`, lines[0] ? shown(lines[0]) : undefined)
  }
  const gaps = intervals(periodic.slice(0, need), w.periodS * 1000, 1000, 'line counts')
  if (!Array.isArray(gaps)) return gaps
  // Periods never overlap: each starts (ts - periodS) no earlier than the previous one ended.
  const all = seenEvents(o).filter((e) => !e.copy && onChannel(o, 'event/line').includes(e.p))
  for (let i = 1; i < all.length; i++) {
    const prev = all[i - 1]!
    const e = all[i]!
    const start = Date.parse(e.ts) - Number(jsonObject(e.p.payload)?.periodS ?? 0) * 1000
    if (start < Date.parse(prev.ts) - 500) return fail('a counting period overlaps the one before it', { previous: shown(prev.p), offending: shown(e.p) })
  }
  return pass([`${periodic.length} periods of ${w.periodS} s seen`])
}
