// A visitor (temporary credential) still inside past the allowed stay: the
// visitor limit (visitorMaxStayH) after entering, or the end of the pass's
// validity if that comes first. Someone staying on must be registered.
// Raised once per stay, resolved when the visitor leaves.

import type { AlertCandidate } from '../model.ts'
import { personKey } from '../state.ts'
import { clearOnce, NONE, raiseOnce, ruleOf, type Step } from './rule.ts'

const keyOf = (credentialId: string): string => `visitor_overstay:${credentialId}`

export const stepVisitorOverstay: Step = (input, ctx) => {
  if (input.kind === 'access') {
    const c = input.match
    if (c === undefined || !c.visitor || input.result !== 'granted' || input.direction !== 'out') return NONE
    if (ctx.state.persons.get(personKey(null, c.credentialId))?.inside === true) return NONE
    return clearOnce(ctx, { type: 'visitor_overstay', dedupKey: keyOf(c.credentialId), buildingId: c.buildingId, roomId: c.roomId, at: input.at })
  }
  if (input.kind !== 'tick') return NONE
  const maxStayMs = ctx.params.visitorMaxStayH * 3_600_000
  let out: AlertCandidate[] | undefined
  for (const p of ctx.state.persons.values()) {
    if (!p.visitor || !p.inside || p.enteredAt === null) continue
    const validUntil = ctx.view.credentialById(p.credentialId)?.validUntil ?? null
    const deadline = Math.min(p.enteredAt + maxStayMs, validUntil ?? Infinity)
    if (input.at <= deadline) continue
    const room = ctx.view.room(p.roomId)
    const found = raiseOnce(ctx, {
      type: 'visitor_overstay',
      severity: 'warning',
      dedupKey: keyOf(p.credentialId),
      buildingId: p.buildingId,
      roomId: p.roomId,
      credentialId: p.credentialId,
      evidence: p.entryRef === null ? [] : [p.entryRef],
      explanation: `A visitor of room ${room?.number ?? p.roomId} entered at ${new Date(p.enteredAt).toISOString()} and has ` +
        `not left by the end of the allowed stay (${new Date(deadline).toISOString()}). Someone staying on must be registered.`,
      at: input.at,
    })
    if (found.length > 0) (out ??= []).push(...found)
  }
  return out ?? NONE
}

export const detectVisitorOverstay = ruleOf(stepVisitorOverstay)
