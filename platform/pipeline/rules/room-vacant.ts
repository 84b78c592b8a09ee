// A room where nobody has been seen for vacantDays: no passage with any of
// its credentials and no arrival or departure in that time. The policy
// deregisters a rental house left empty for three months; the alert tells
// the landlord and the grid worker. Resolved on the next sign of life.

import type { AlertCandidate } from '../model.ts'
import { clearOnce, NONE, raiseOnce, ruleOf, type Step } from './rule.ts'
import { says } from '../../../contract/alert-wording.ts'

const keyOf = (roomId: string): string => `room_vacant:${roomId}`

export const stepRoomVacant: Step = (input, ctx) => {
  if (input.kind === 'access') {
    const c = input.match
    if (c === undefined || input.result !== 'granted' || c.buildingId !== input.buildingId) return NONE
    return clearOnce(ctx, { type: 'room_vacant', dedupKey: keyOf(c.roomId), buildingId: c.buildingId, roomId: c.roomId, at: input.at })
  }
  if (input.kind !== 'tick' || !input.sweep) return NONE
  const limitMs = ctx.params.vacantDays * 86_400_000
  let out: AlertCandidate[] | undefined
  for (const room of ctx.view.allRooms()) {
    const lastSeen = ctx.state.roomLastSeen.get(room.roomId) ?? -Infinity
    const since = Math.max(lastSeen, room.changedAt)
    const dedupKey = keyOf(room.roomId)
    const found = input.at - since <= limitMs
      ? clearOnce(ctx, { type: 'room_vacant', dedupKey, buildingId: room.buildingId, roomId: room.roomId, at: input.at })
      : raiseOnce(ctx, {
        type: 'room_vacant',
        severity: 'info',
        dedupKey,
        buildingId: room.buildingId,
        roomId: room.roomId,
        evidence: [],
        // Facts that stay true while the condition lasts (an arrival or departure ends it): no daily rewrite.
        ...says('room_vacant.silent', { room: room.number, days: ctx.params.vacantDays, sinceAt: new Date(since).toISOString(), registered: room.registered }),
        at: input.at,
      })
    if (found.length > 0) (out ??= []).push(...found)
  }
  return out ?? NONE
}

export const detectRoomVacant = ruleOf(stepRoomVacant)
