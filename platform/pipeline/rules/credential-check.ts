// What the registry says about the credential presented at a door, in event
// time: valid here, unknown, registered to another building, expired
// (registration ended, credential revoked, validity or residence permit
// over), or outside its weekly windows. Shared by the four credential rules.

import type { AccessIn, AlertCandidate, AlertType, CredentialInfo, RegistryView, Severity } from '../model.ts'
import type { AlertReason, ExpiryReason, PresentedCredential } from '../../../contract/alert-wording.ts'
import { inWindows } from '../../../protocol/index.ts'
import { maskValue } from './rule.ts'

export type CredentialVerdict =
  | { kind: 'valid'; credential: CredentialInfo }
  | { kind: 'unknown' }
  | { kind: 'foreign'; credential: CredentialInfo }
  | { kind: 'expired'; credential: CredentialInfo; why: ExpiryReason }
  | { kind: 'outside_window'; credential: CredentialInfo }

export function checkCredential (e: AccessIn, view: RegistryView): CredentialVerdict {
  const c = e.match
  if (c === undefined) return { kind: 'unknown' }
  if (c.buildingId !== e.buildingId) return { kind: 'foreign', credential: c }
  const why = expiry(c, e.at)
  if (why !== undefined) return { kind: 'expired', credential: c, why }
  if (c.windows !== null && c.windows.length > 0 && !inWindows(e.at, c.windows, view.timeZone(e.buildingId))) {
    return { kind: 'outside_window', credential: c }
  }
  return { kind: 'valid', credential: c }
}

function expiry (c: CredentialInfo, at: number): ExpiryReason | undefined {
  if (c.registrationStatus === 'departed') return 'departed'
  if (c.status === 'revoked') return 'revoked'
  if (c.validFrom !== null && at < c.validFrom) return 'not_yet_valid'
  if (c.validUntil !== null && at >= c.validUntil) return 'validity_ended'
  if (c.permitValidUntil !== null && at > c.permitValidUntil) return 'permit_expired'
  return undefined
}

/** A device that let someone in on a credential the registry refuses has a stale allow-list: one step more severe. */
export function severityFor (e: AccessIn, denied: Severity, granted: Severity): Severity {
  return e.result === 'granted' ? granted : denied
}

/** What was presented, as an alert names it: its kind and last four characters (`…3F9A`); a PIN, by its kind only. */
export function presented (e: AccessIn): PresentedCredential {
  return { kind: e.credential.kind, masked: e.credential.kind === 'pin' ? null : maskValue(e.credential.value) }
}

/** The candidate of a credential rule: who, where, which event. */
export function credentialCandidate (
  e: AccessIn, c: CredentialInfo, type: AlertType, severity: Severity, said: { reason: AlertReason; explanation: string },
): AlertCandidate {
  return {
    type,
    severity,
    dedupKey: `${type}:${e.buildingId}:${c.credentialId}`,
    buildingId: e.buildingId,
    roomId: c.roomId,
    door: e.door,
    deviceId: e.deviceId,
    credentialId: c.credentialId,
    ...(c.residentId !== null ? { residentId: c.residentId } : {}),
    evidence: [e.ref],
    ...said,
    at: e.at,
  }
}
