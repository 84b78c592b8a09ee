// A valid credential used outside its weekly time windows (a cleaner's card
// at night, a visitor pass on the wrong day).

import { checkCredential, credentialCandidate, presented, severityFor } from './credential-check.ts'
import { says } from '../../../contract/alert-wording.ts'
import { NONE, ruleOf, type Step } from './rule.ts'

export const stepOutsideWindow: Step = (e, ctx) => {
  if (e.kind !== 'access') return NONE
  const v = checkCredential(e, ctx.view)
  if (v.kind !== 'outside_window') return NONE
  return [credentialCandidate(e, v.credential, 'outside_window', severityFor(e, 'info', 'warning'),
    says('outside_window.presented', { credential: presented(e), door: e.door, result: e.result }))]
}

export const detectOutsideWindow = ruleOf(stepOutsideWindow)
