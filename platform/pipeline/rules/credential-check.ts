// What the registry says about the credential presented at a door, in event
// time: valid here, unknown, registered to another building, expired
// (registration ended, credential revoked, validity or residence permit
// over), or outside its weekly windows. Shared by the four credential rules.

import type { AccessIn, AlertCandidate, AlertType, CredentialInfo, RegistryView, Severity } from '../model.ts'
import { inWindows } from '../../../protocol/index.ts'
import { maskValue } from './rule.ts'

export type CredentialVerdict =
  | { kind: 'valid'; credential: CredentialInfo }
  | { kind: 'unknown' }
  | { kind: 'foreign'; credential: CredentialInfo }
  | { kind: 'expired'; credential: CredentialInfo; why: string }
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

function expiry (c: CredentialInfo, at: number): string | undefined {
  if (c.registrationStatus === 'departed') return 'its holder was deregistered (departed)'
  if (c.status === 'revoked') return 'it was revoked'
  if (c.validFrom !== null && at < c.validFrom) return 'it is not valid yet'
  if (c.validUntil !== null && at >= c.validUntil) return 'its validity ended'
  if (c.permitValidUntil !== null && at > c.permitValidUntil) return 'the residence permit of its holder expired'
  return undefined
}

/** A device that let someone in on a credential the registry refuses has a stale allow-list: one step more severe. */
export function severityFor (e: AccessIn, denied: Severity, granted: Severity): Severity {
  return e.result === 'granted' ? granted : denied
}

/** "card …3F9A", "IC card …0017", "PIN". */
export function describePresented (e: AccessIn): string {
  const k = e.credential.kind
  if (k === 'pin') return 'PIN'
  return `${k === 'ic_card' ? 'IC card' : k === 'qr' ? 'QR code' : k} ${maskValue(e.credential.value)}`
}

export const outcome = (e: AccessIn): string =>
  e.result === 'granted' ? 'The reader let them in: its allow-list is out of date.' : 'The reader refused it.'

/** The candidate of a credential rule: who, where, which event. */
export function credentialCandidate (
  e: AccessIn, c: CredentialInfo, type: AlertType, severity: Severity, explanation: string,
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
    explanation,
    at: e.at,
  }
}
