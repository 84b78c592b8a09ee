// A credential the registry does not know at all was presented at a door
// (a stranger's card, a cloned card, a wrong PIN). One alert per presented
// value (its keyed digest) and building; repeats count on it.

import type { AlertCandidate } from '../model.ts'
import { checkCredential, presented, severityFor } from './credential-check.ts'
import { says } from '../../../contract/alert-wording.ts'
import { NONE, ruleOf, type Step } from './rule.ts'

export const stepUnknownCredential: Step = (e, ctx) => {
  if (e.kind !== 'access' || checkCredential(e, ctx.view).kind !== 'unknown') return NONE
  // A wrong PIN names nothing: its alert is the door's. Any other value is named by its keyed digest, never itself.
  const what = e.credential.kind === 'pin' ? `pin:${e.door}` : e.credential.key
  const c: AlertCandidate = {
    type: 'unknown_credential',
    severity: severityFor(e, 'warning', 'major'),
    dedupKey: `unknown_credential:${e.buildingId}:${what}`,
    buildingId: e.buildingId,
    door: e.door,
    deviceId: e.deviceId,
    evidence: [e.ref],
    ...says('unknown_credential.presented', { credential: presented(e), door: e.door, result: e.result }),
    at: e.at,
  }
  return [c]
}

export const detectUnknownCredential = ruleOf(stepUnknownCredential)
