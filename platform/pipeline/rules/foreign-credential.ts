// A credential registered to another building was presented here: a
// resident of one block trying the door of another, or a card passed on.
// The alert is this building's: it names this door and device, and of the
// other building only that the card is registered there (no building id,
// credential, holder or room of it). One alert per presented value (its
// keyed digest) and building; repeats count on it.

import type { AlertCandidate } from '../model.ts'
import { checkCredential, presented, severityFor } from './credential-check.ts'
import { says } from '../../../contract/alert-wording.ts'
import { NONE, ruleOf, type Step } from './rule.ts'

export const stepForeignCredential: Step = (e, ctx) => {
  if (e.kind !== 'access' || checkCredential(e, ctx.view).kind !== 'foreign') return NONE
  const c: AlertCandidate = {
    type: 'foreign_credential',
    severity: severityFor(e, 'warning', 'major'),
    dedupKey: `foreign_credential:${e.buildingId}:${e.credential.key}`,
    buildingId: e.buildingId,
    door: e.door,
    deviceId: e.deviceId,
    evidence: [e.ref],
    ...says('foreign_credential.presented', { credential: presented(e), door: e.door, result: e.result }),
    at: e.at,
  }
  return [c]
}

export const detectForeignCredential = ruleOf(stepForeignCredential)
