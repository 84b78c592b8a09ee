// A credential registered to another building was presented here: a
// resident of one block trying the door of another, or a card passed on.

import { checkCredential, credentialCandidate, describePresented, outcome, severityFor } from './credential-check.ts'
import { NONE, ruleOf, type Step } from './rule.ts'

export const stepForeignCredential: Step = (e, ctx) => {
  if (e.kind !== 'access') return NONE
  const v = checkCredential(e, ctx.view)
  if (v.kind !== 'foreign') return NONE
  return [credentialCandidate(e, v.credential, 'foreign_credential', severityFor(e, 'warning', 'major'),
    `The ${describePresented(e)} presented at door ${e.door} is registered to building ${v.credential.buildingId}, not this one. ${outcome(e)}`,
    false)]
}

export const detectForeignCredential = ruleOf(stepForeignCredential)
