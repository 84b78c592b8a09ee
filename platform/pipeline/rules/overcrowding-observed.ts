// 群租 by observation: more people inside who belong to a room (residents
// and visitors who entered with its credentials and have not left) than the
// room's capacity. Judged on every granted passage of someone of the room,
// and on every sweep for the rooms whose alert is raised (a capacity changed
// or someone inside was deregistered, with no passage to tell). Raised once
// while it lasts, its alert following the count (level) as people come and
// go, resolved when enough of them have left.

import type { AlertCandidate, RoomInfo } from '../model.ts'
import type { PipelineState } from '../state.ts'
import { clearOnce, NONE, raiseLevel, ruleOf, type RuleContext, type Step } from './rule.ts'
import { says } from '../../../contract/alert-wording.ts'

const PREFIX = 'overcrowding_observed:'

/** The room's condition now; `via`: the passage that prompted the look, if any. */
function judge (ctx: RuleContext, room: RoomInfo, at: number, via?: { door: string; deviceId: string }): readonly AlertCandidate[] {
  const present = ctx.state.presentIn(room.roomId)
  const dedupKey = `${PREFIX}${room.roomId}`
  if (present <= room.capacity) {
    return clearOnce(ctx, { type: 'overcrowding_observed', dedupKey, buildingId: room.buildingId, roomId: room.roomId, at })
  }
  return raiseLevel(ctx, {
    type: 'overcrowding_observed',
    severity: 'major',
    dedupKey,
    buildingId: room.buildingId,
    roomId: room.roomId,
    ...via,
    evidence: entryRefs(ctx.state, room.roomId),
    ...says('overcrowding_observed.counted', { present, room: room.number, capacity: room.capacity, registered: room.registered }),
    at,
    level: present,
  }, { detail: `capacity ${room.capacity}` })
}

export const stepOvercrowdingObserved: Step = (input, ctx) => {
  if (input.kind === 'tick') {
    if (!input.sweep) return NONE
    let out: AlertCandidate[] | undefined
    for (const key of [...ctx.state.latched.keys()]) {
      if (!key.startsWith(PREFIX)) continue
      const room = ctx.view.room(key.slice(PREFIX.length))
      const found = room !== undefined
        ? judge(ctx, room, input.at)
        : clearOnce(ctx, { type: 'overcrowding_observed', dedupKey: key, buildingId: ctx.state.latched.get(key)?.buildingId ?? '', at: input.at })
      if (found.length > 0) (out ??= []).push(...found)
    }
    return out ?? NONE
  }
  if (input.kind !== 'access' || input.result !== 'granted' || input.match === undefined || input.match.buildingId !== input.buildingId) return NONE
  const room = ctx.view.room(input.match.roomId)
  if (room === undefined) return NONE
  return judge(ctx, room, input.at, { door: input.door, deviceId: input.deviceId })
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
