// The state every rule reads, updated before the rules see an input:
// who is inside (by the latest granted passage, in device time, so a late
// event never overrides a newer one), when each person and room was last
// seen, when each device last spoke. Ticks tidy up what the registry no
// longer knows.

import type { AccessIn, PipelineInput } from './model.ts'
import type { RuleContext } from './rules/rule.ts'
import { personKey, type PersonState } from './state.ts'

export function track (input: PipelineInput, ctx: RuleContext): void {
  const { state } = ctx
  if (input.kind === 'tick') {
    if (input.sweep) tidy(ctx, input.at)
    return
  }
  const device = state.devices.get(input.deviceId)
  if (device === undefined) state.devices.set(input.deviceId, { buildingId: input.buildingId, lastMessageAt: input.receivedAt })
  else if (input.receivedAt > device.lastMessageAt) device.lastMessageAt = input.receivedAt
  if (input.kind === 'access') trackAccess(input, ctx)
}

function trackAccess (e: AccessIn, ctx: RuleContext): void {
  const c = e.match
  if (c === undefined || e.result !== 'granted' || c.buildingId !== e.buildingId) return
  const { state } = ctx
  const key = personKey(c)
  let p = state.persons.get(key)
  if (p === undefined || p.roomId !== c.roomId) {
    if (p !== undefined) state.removePerson(key)
    p = {
      roomId: c.roomId, buildingId: c.buildingId, credentialId: c.credentialId, visitor: c.visitor,
      inside: false, passedAt: -Infinity, enteredAt: null, lastSeenAt: e.at, entryRef: null,
    } satisfies PersonState
    state.persons.set(key, p)
  }
  p.credentialId = c.credentialId
  if (e.at > p.lastSeenAt) p.lastSeenAt = e.at
  if ((state.roomLastSeen.get(c.roomId) ?? -Infinity) < e.at) state.roomLastSeen.set(c.roomId, e.at)
  if (e.at < p.passedAt) return // an older passage, replayed late: it does not change where the person is now
  p.passedAt = e.at
  const inside = e.direction === 'in'
  if (inside && !p.inside) {
    p.enteredAt = e.at
    p.entryRef = e.ref
  } else if (!inside) {
    p.enteredAt = null
    p.entryRef = null
  }
  state.setInside(key, p, inside)
}

/** Drops what the registry no longer has: departed residents, revoked visitor passes, removed devices, idle doors. */
function tidy (ctx: RuleContext, now: number): void {
  const { state, view, params } = ctx
  for (const [key, p] of state.persons) {
    const c = view.credentialById(p.credentialId)
    const room = view.room(p.roomId)
    const gone = c === undefined || room === undefined ||
      (p.visitor
        ? !p.inside && (c.status !== 'active' || (c.validUntil !== null && c.validUntil < now))
        : !room.residentIds.includes(key))
    if (gone) state.removePerson(key)
  }
  for (const roomId of state.roomLastSeen.keys()) if (view.room(roomId) === undefined) state.roomLastSeen.delete(roomId)
  for (const [id, d] of state.devices) {
    const known = view.device(id)
    if (known === undefined || known.buildingId !== d.buildingId) state.devices.delete(id)
  }
  const runGapMs = params.deniedRunGapS * 1000
  for (const [key, run] of state.denialRuns) {
    if (now - run.lastAt > runGapMs) state.denialRuns.delete(key)
  }
}
