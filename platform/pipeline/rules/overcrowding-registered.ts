// 群租 by the register: more active registrations in a room than its
// capacity. Checked on every sweep; raised once while it lasts, its alert
// following the registrations (level) and the capacity, and resolved when a
// departure or a larger capacity brings the room back within it.

import { clearOnce, NONE, raiseLevel, ruleOf, type Step } from './rule.ts'
import { says } from '../../../contract/alert-wording.ts'
import type { AlertCandidate } from '../model.ts'

export const stepOvercrowdingRegistered: Step = (input, ctx) => {
  if (input.kind !== 'tick' || !input.sweep) return NONE
  let out: AlertCandidate[] | undefined
  for (const room of ctx.view.allRooms()) {
    const dedupKey = `overcrowding_registered:${room.roomId}`
    const found = room.registered > room.capacity
      ? raiseLevel(ctx, {
        type: 'overcrowding_registered',
        severity: 'major',
        dedupKey,
        buildingId: room.buildingId,
        roomId: room.roomId,
        evidence: [],
        ...says('overcrowding_registered.counted', { room: room.number, registered: room.registered, capacity: room.capacity }),
        at: input.at,
        level: room.registered,
      }, { detail: `capacity ${room.capacity}` })
      : clearOnce(ctx, { type: 'overcrowding_registered', dedupKey, buildingId: room.buildingId, roomId: room.roomId, at: input.at })
    if (found.length > 0) (out ??= []).push(...found)
  }
  return out ?? NONE
}

export const detectOvercrowdingRegistered = ruleOf(stepOvercrowdingRegistered)
