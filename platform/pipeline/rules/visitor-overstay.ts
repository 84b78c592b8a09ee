// A visitor still inside past the allowed stay: the visitor limit
// (visitorMaxStayH) after entering, or the end of their pass if that comes
// first. A visitor is followed across renewals (CredentialInfo.visitorId):
// the stay ends with the latest of their active passes, whichever pass they
// entered on. Someone staying on must be registered. Raised once per stay;
// resolved when the visitor leaves, or when a renewal moves the end of the
// stay past the present.

import type { AlertCandidate, CredentialInfo, RegistryView } from '../model.ts'
import { personKey, type PersonState } from '../state.ts'
import { clearOnce, NONE, raiseOnce, ruleOf, type RuleContext, type Step } from './rule.ts'
import { says } from '../../../contract/alert-wording.ts'

const VISITOR_PREFIX = 'visitor:'
const keyOf = (visitorId: string): string => `visitor_overstay:${visitorId}`
const visitorOf = (c: Pick<CredentialInfo, 'visitorId' | 'credentialId'>): string => c.visitorId ?? c.credentialId

/** End of the visitor's passes: the latest validUntil of an active one (Infinity: open-ended), else that of the pass last used. */
function passesEnd (view: RegistryView, visitorId: string, last: CredentialInfo | undefined): number {
  let end: number | undefined
  for (const c of view.visitorPasses(visitorId)) {
    if (c.status !== 'active') continue
    end = Math.max(end ?? -Infinity, c.validUntil ?? Infinity)
  }
  return end ?? last?.validUntil ?? Infinity
}

function deadlineOf (p: PersonState, enteredAt: number, visitorId: string, ctx: RuleContext): number {
  const last = ctx.view.credentialById(p.credentialId)
  return Math.min(enteredAt + ctx.params.visitorMaxStayH * 3_600_000, passesEnd(ctx.view, visitorId, last))
}

export const stepVisitorOverstay: Step = (input, ctx) => {
  if (input.kind === 'access') {
    const c = input.match
    if (c === undefined || !c.visitor || input.result !== 'granted' || input.direction !== 'out') return NONE
    if (ctx.state.persons.get(personKey(c))?.inside === true) return NONE
    return clearOnce(ctx, { type: 'visitor_overstay', dedupKey: keyOf(visitorOf(c)), buildingId: c.buildingId, roomId: c.roomId, at: input.at })
  }
  if (input.kind !== 'tick') return NONE
  let out: AlertCandidate[] | undefined
  for (const [key, p] of ctx.state.persons) {
    if (!p.visitor || !p.inside || p.enteredAt === null || !key.startsWith(VISITOR_PREFIX)) continue
    const visitorId = key.slice(VISITOR_PREFIX.length)
    const deadline = deadlineOf(p, p.enteredAt, visitorId, ctx)
    const found = input.at <= deadline
      ? clearOnce(ctx, { type: 'visitor_overstay', dedupKey: keyOf(visitorId), buildingId: p.buildingId, roomId: p.roomId, at: input.at })
      : raiseOnce(ctx, {
        type: 'visitor_overstay',
        severity: 'warning',
        dedupKey: keyOf(visitorId),
        buildingId: p.buildingId,
        roomId: p.roomId,
        credentialId: p.credentialId,
        evidence: p.entryRef === null ? [] : [p.entryRef],
        ...says('visitor_overstay.stayed', {
          room: ctx.view.room(p.roomId)?.number ?? p.roomId, enteredAt: new Date(p.enteredAt).toISOString(), deadlineAt: new Date(deadline).toISOString(),
        }),
        at: input.at,
      })
    if (found.length > 0) (out ??= []).push(...found)
  }
  return out ?? NONE
}

export const detectVisitorOverstay = ruleOf(stepVisitorOverstay)
