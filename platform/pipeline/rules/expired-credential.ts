// A credential of this building that is no longer valid was presented: the
// holder was deregistered, the card revoked, its validity or the holder's
// residence permit is over. "Register on arrival" again, or renew.

import { checkCredential, credentialCandidate, presented, severityFor } from './credential-check.ts'
import { says } from '../../../contract/alert-wording.ts'
import { NONE, ruleOf, type Step } from './rule.ts'

export const stepExpiredCredential: Step = (e, ctx) => {
  if (e.kind !== 'access') return NONE
  const v = checkCredential(e, ctx.view)
  if (v.kind !== 'expired') return NONE
  const room = ctx.view.room(v.credential.roomId)
  return [credentialCandidate(e, v.credential, 'expired_credential', severityFor(e, 'warning', 'major'),
    says('expired_credential.presented', {
      credential: presented(e), room: room?.number ?? v.credential.roomId, door: e.door, why: v.why, result: e.result,
    }))]
}

export const detectExpiredCredential = ruleOf(stepExpiredCredential)
