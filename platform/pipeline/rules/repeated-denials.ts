// Someone trying again and again: deniedInARow denials in a row at one door,
// or with one credential, with no granted passage in between and no gap
// longer than deniedRunGapS (the national access-control code asks for an
// alarm after five). Each further denial in the run counts on the alert.

import type { AccessIn, AlertCandidate } from '../model.ts'
import { appendRef, NONE, ruleOf, type RuleContext, type Step } from './rule.ts'
import { presented } from './credential-check.ts'
import { says, type AlertReason } from '../../../contract/alert-wording.ts'

export const stepRepeatedDenials: Step = (e, ctx) => {
  if (e.kind !== 'access') return NONE
  const doorKey = `door:${e.buildingId}:${e.door}`
  // A wrong PIN names no credential: it counts at the door only. A card is named by its keyed digest, never its number.
  const credKey = e.credential.kind === 'pin'
    ? e.credential.credentialId === undefined ? undefined : `cred:${e.buildingId}:pin:${e.credential.credentialId}`
    : `cred:${e.buildingId}:${e.credential.key}`
  if (e.result === 'granted') {
    ctx.state.denialRuns.delete(doorKey)
    if (credKey !== undefined) ctx.state.denialRuns.delete(credKey)
    return NONE
  }
  const out: AlertCandidate[] = []
  const byDoor = count(ctx, doorKey, e)
  const byCred = credKey === undefined ? undefined : count(ctx, credKey, e)
  // One card tried over and over makes both runs: the credential's says it all.
  if (byDoor !== undefined && !(byCred !== undefined && byCred.count >= byDoor.count)) {
    out.push(candidate(e, `repeated_denials:${doorKey}`, evidence(ctx, byDoor, e),
      says('repeated_denials.door', { count: byDoor.count, door: e.door, credential: presented(e) })))
  }
  if (byCred !== undefined) {
    out.push(candidate(e, `repeated_denials:${credKey}`, evidence(ctx, byCred, e),
      says('repeated_denials.credential', { count: byCred.count, door: e.door, credential: presented(e) })))
  }
  return out
}

/** Adds the denial to its run; returns the run once it is long enough. */
function count (ctx: RuleContext, key: string, e: AccessIn): { count: number; refs: string[] } | undefined {
  const prev = ctx.state.denialRuns.get(key)
  const fresh = prev === undefined || e.at - prev.lastAt > ctx.params.deniedRunGapS * 1000
  const run = fresh
    ? { buildingId: e.buildingId, count: 1, lastAt: e.at, refs: [e.ref] }
    : { buildingId: e.buildingId, count: prev.count + 1, lastAt: Math.max(prev.lastAt, e.at), refs: appendRef(prev.refs, e.ref) }
  ctx.state.touchDenialRun(key, run)
  return run.count >= ctx.params.deniedInARow ? run : undefined
}

/** The whole run when the alert is first raised; afterwards each denial adds itself. */
function evidence (ctx: RuleContext, run: { count: number; refs: string[] }, e: AccessIn): string[] {
  return run.count === ctx.params.deniedInARow ? run.refs : [e.ref]
}

function candidate (e: AccessIn, dedupKey: string, evidence: string[], said: { reason: AlertReason; explanation: string }): AlertCandidate {
  return {
    type: 'repeated_denials',
    severity: 'major',
    dedupKey,
    buildingId: e.buildingId,
    door: e.door,
    deviceId: e.deviceId,
    evidence,
    ...said,
    at: e.at,
  }
}

export const detectRepeatedDenials = ruleOf(stepRepeatedDenials)
