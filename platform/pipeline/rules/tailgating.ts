// Tailgating / unregistered entry: the camera on a door line counted more
// people walking in than granted entries at that door explain. Each granted
// entry explains one person; it may have happened up to the window before the
// camera's counting period began or after it ended (reader and camera clocks
// and positions differ). A period is judged once the window has passed on the
// platform clock after it arrived, so reader events that arrive a little
// late (or out of order) are still counted. A grant explains the period it
// falls in first; only what that period leaves over explains a neighbour.
// One alert per door; every unexplained period counts on it.

import type { AlertCandidate, Tick } from '../model.ts'
import { MAX_GRANTS_PER_DOOR, MAX_PENDING_PER_DOOR, type DoorState, type GrantMark, type PendingCount } from '../state.ts'
import { NONE, ruleOf, type RuleContext, type Step } from './rule.ts'
import { says } from '../../../contract/alert-wording.ts'

/** Grants older than this before the newest one are forgotten. */
const GRANT_MEMORY_MS = 3_600_000

export const stepTailgating: Step = (input, ctx) => {
  if (input.kind === 'access') {
    if (input.result === 'granted' && input.direction === 'in') {
      addGrant(ctx.state.door(input.buildingId, input.door), { at: input.at, ref: input.ref, used: false })
    }
    return NONE
  }
  if (input.kind === 'line') {
    if (input.in > 0) {
      const d = ctx.state.door(input.buildingId, input.door)
      d.pending.push({ start: input.at - input.periodS * 1000, end: input.at, in: input.in, ref: input.ref, receivedAt: input.receivedAt, deviceId: input.deviceId })
      if (d.pending.length > MAX_PENDING_PER_DOOR) d.pending.splice(0, d.pending.length - MAX_PENDING_PER_DOOR)
    }
    return NONE
  }
  if (input.kind === 'tick') return judgeDue(ctx, input)
  return NONE
}

function addGrant (d: DoorState, g: GrantMark): void {
  const grants = d.grants
  let i = grants.length
  while (i > 0 && grants[i - 1]!.at > g.at) i--
  grants.splice(i, 0, g)
  // Trimmed in steps of an eighth of the limit, not one grant per event: a busy door's array is shifted
  // once per few hundred grants instead of on every one.
  const limit = MAX_GRANTS_PER_DOOR - (MAX_GRANTS_PER_DOOR >> 3)
  const oldest = grants[grants.length - 1]!.at - GRANT_MEMORY_MS
  if (grants.length <= MAX_GRANTS_PER_DOOR && grants[0]!.at >= oldest) return
  let drop = 0
  while (drop < grants.length && grants[drop]!.at < oldest) drop++
  drop = Math.max(drop, grants.length - limit)
  if (drop > 0) grants.splice(0, drop)
}

function judgeDue (ctx: RuleContext, tick: Tick): readonly AlertCandidate[] {
  const windowMs = ctx.params.tailgatingWindowS * 1000
  let out: AlertCandidate[] | undefined
  for (const d of ctx.state.doors.values()) {
    if (d.pending.length === 0) continue
    while (d.pending.length > 0 && d.pending[0]!.receivedAt + windowMs <= tick.at) {
      const c = judge(d, d.pending.shift()!, windowMs)
      if (c !== undefined) (out ??= []).push(c)
    }
  }
  return out ?? NONE
}

function judge (d: DoorState, p: PendingCount, windowMs: number): AlertCandidate | undefined {
  const used = explain(d, p, windowMs)
  const excess = p.in - used.length
  if (excess <= 0) return undefined
  return {
    type: 'tailgating',
    severity: 'major',
    dedupKey: `tailgating:${d.buildingId}:${d.door}`,
    buildingId: d.buildingId,
    door: d.door,
    deviceId: p.deviceId,
    evidence: [...used.slice(-19), p.ref],
    ...says('tailgating.counted', {
      counted: p.in, door: d.door, startAt: new Date(p.start).toISOString(), endAt: new Date(p.end).toISOString(), granted: used.length, excess,
    }),
    at: p.end,
  }
}

/**
 * The grants that explain the people of period `p`, marked used. First the
 * grants inside the period itself; then, if some people are still
 * unexplained, grants within the window either side that no later waiting
 * period claims as its own (a grant inside a later period's interval belongs
 * to that period, up to its count). Otherwise a busy door would let each
 * period borrow the next one's grant, and the unexplained person would be
 * reported periods later, at a period where nobody slipped in.
 */
function explain (d: DoorState, p: PendingCount, windowMs: number): string[] {
  const grants = d.grants
  const used: string[] = []
  const take = (g: GrantMark): void => {
    g.used = true
    used.push(g.ref)
  }
  for (let i = firstAtOrAfter(grants, p.start); i < grants.length && used.length < p.in && grants[i]!.at <= p.end; i++) {
    if (!grants[i]!.used) take(grants[i]!)
  }
  if (used.length >= p.in) return used
  const claimed = new Set<GrantMark>()
  for (const q of d.pending) {
    if (q.end < p.start - windowMs || q.start > p.end + windowMs) continue
    let n = 0
    for (let i = firstAtOrAfter(grants, q.start); i < grants.length && n < q.in && grants[i]!.at <= q.end; i++) {
      const g = grants[i]!
      if (g.used || claimed.has(g)) continue
      claimed.add(g)
      n++
    }
  }
  for (let i = firstAtOrAfter(grants, p.start - windowMs); i < grants.length && used.length < p.in && grants[i]!.at <= p.end + windowMs; i++) {
    const g = grants[i]!
    if (!g.used && !claimed.has(g)) take(g)
  }
  return used
}

/** Index of the first grant at or after `t` (grants are kept in time order). */
function firstAtOrAfter (grants: readonly GrantMark[], t: number): number {
  let lo = 0
  let hi = grants.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (grants[mid]!.at < t) lo = mid + 1
    else hi = mid
  }
  return lo
}

export const detectTailgating = ruleOf(stepTailgating)
