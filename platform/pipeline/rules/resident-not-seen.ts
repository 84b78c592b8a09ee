// "Deregister on departure": a registered resident whose credentials have
// not been used at any door for notSeenDays (counted from the later of their
// arrival and their last passage) has probably moved out. The alert suggests
// the deregistration to the landlord; it resolves when the resident is seen
// again or is deregistered.

import type { AlertCandidate } from '../model.ts'
import { clearOnce, NONE, raiseOnce, ruleOf, type Step } from './rule.ts'
import { says } from '../../../contract/alert-wording.ts'

const keyOf = (residentId: string): string => `resident_not_seen:${residentId}`

export const stepResidentNotSeen: Step = (input, ctx) => {
  if (input.kind === 'access') {
    const c = input.match
    if (c === undefined || c.residentId === null || input.result !== 'granted') return NONE
    return clearOnce(ctx, { type: 'resident_not_seen', dedupKey: keyOf(c.residentId), buildingId: c.buildingId, roomId: c.roomId, at: input.at })
  }
  if (input.kind !== 'tick' || !input.sweep) return NONE
  const limitMs = ctx.params.notSeenDays * 86_400_000
  let out: AlertCandidate[] | undefined
  const registered = new Set<string>()
  for (const room of ctx.view.allRooms()) {
    for (const r of room.residents) {
      registered.add(keyOf(r.residentId))
      const lastSeen = ctx.state.persons.get(r.residentId)?.lastSeenAt ?? -Infinity
      const since = Math.max(lastSeen, r.arrivedAt)
      if (input.at - since <= limitMs) continue
      const found = raiseOnce(ctx, {
        type: 'resident_not_seen',
        severity: 'info',
        dedupKey: keyOf(r.residentId),
        buildingId: room.buildingId,
        roomId: room.roomId,
        residentId: r.residentId,
        evidence: [],
        // Facts that stay true while the condition lasts: the alert is raised once and not rewritten every day.
        ...(lastSeen === -Infinity
          ? says('resident_not_seen.never_seen', { room: room.number, days: ctx.params.notSeenDays, arrivedAt: new Date(r.arrivedAt).toISOString() })
          : says('resident_not_seen.last_seen', { room: room.number, days: ctx.params.notSeenDays, lastSeenAt: new Date(lastSeen).toISOString() })),
        at: input.at,
      })
      if (found.length > 0) (out ??= []).push(...found)
    }
  }
  // Deregistered since the alert: the suggestion was followed.
  for (const [key, latch] of ctx.state.latched) {
    if (!key.startsWith('resident_not_seen:') || registered.has(key)) continue
    const found = clearOnce(ctx, { type: 'resident_not_seen', dedupKey: key, buildingId: latch.buildingId, at: input.at })
    if (found.length > 0) (out ??= []).push(...found)
  }
  return out ?? NONE
}

export const detectResidentNotSeen = ruleOf(stepResidentNotSeen)
