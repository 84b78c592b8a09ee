// 群租 by observation: more people inside who belong to a room (residents
// and visitors who entered with its credentials and have not left) than the
// room's capacity. Judged on every granted passage of someone of the room;
// raised once while it lasts, its alert following the count (level) as
// people come and go, resolved when enough of them have left.

import type { PipelineState } from '../state.ts'
import { clearOnce, NONE, raiseLevel, ruleOf, type Step } from './rule.ts'

export const stepOvercrowdingObserved: Step = (e, ctx) => {
  if (e.kind !== 'access' || e.result !== 'granted' || e.match === undefined || e.match.buildingId !== e.buildingId) return NONE
  const room = ctx.view.room(e.match.roomId)
  if (room === undefined) return NONE
  const present = ctx.state.presentIn(room.roomId)
  const dedupKey = `overcrowding_observed:${room.roomId}`
  if (present <= room.capacity) {
    return clearOnce(ctx, { type: 'overcrowding_observed', dedupKey, buildingId: room.buildingId, roomId: room.roomId, at: e.at })
  }
  return raiseLevel(ctx, {
    type: 'overcrowding_observed',
    severity: 'major',
    dedupKey,
    buildingId: room.buildingId,
    roomId: room.roomId,
    door: e.door,
    deviceId: e.deviceId,
    evidence: entryRefs(ctx.state, room.roomId),
    explanation: `${present} people of room ${room.number} are inside by the door records, for a capacity of ` +
      `${room.capacity} (${room.registered} registered). Check on site for group renting or unregistered occupants.`,
    at: e.at,
    level: present,
  }, { detail: `capacity ${room.capacity}` })
}

/** The entries of the people inside, as evidence. */
function entryRefs (state: PipelineState, roomId: string): string[] {
  const refs: string[] = []
  for (const key of state.roomPresent.get(roomId) ?? []) {
    const ref = state.persons.get(key)?.entryRef
    if (ref != null && refs.length < 20) refs.push(ref)
  }
  return refs
}

export const detectOvercrowdingObserved = ruleOf(stepOvercrowdingObserved)
