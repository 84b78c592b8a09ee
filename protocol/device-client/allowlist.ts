// The allow-list a reader holds and decides on (protocol §7.2, §8.1), as pure
// functions: applying a sync gives a new list, a version gap or a wrong key
// and leaves the old one untouched (atomic), and a decision needs only the
// list, the reader's key, the credential, the time and the time zone. The
// list holds digests only: the reader finds an entry by the digest of what
// it reads, computed with its own key.

import {
  allowlistKeyId, inWindows, presentedDigest, type AllowEntry, type AllowlistSync, type CREDENTIAL_KINDS, type DenyReason,
} from '../index.ts'

export type CredentialKind = (typeof CREDENTIAL_KINDS)[number]

export interface HeldAllowlist {
  /** 0 while the reader holds none. */
  readonly version: number
  readonly byId: ReadonlyMap<string, AllowEntry>
  /** Entries by digest. */
  readonly byDigest: ReadonlyMap<string, readonly AllowEntry[]>
  /** Digests of entries removed by a delta and not added again: denied as `revoked`. */
  readonly revoked: ReadonlySet<string>
}

export type SyncOutcome =
  | { ok: true; list: HeldAllowlist }
  | { ok: false; code: 'version_gap' | 'wrong_key'; message: string }

export interface Decision {
  result: 'granted' | 'denied'
  reason?: DenyReason
  /** The entry that matched, when one did. */
  credentialId?: string
}

export const EMPTY_ALLOWLIST: HeldAllowlist = { version: 0, byId: new Map(), byDigest: new Map(), revoked: new Set() }

function build (version: number, entries: Iterable<AllowEntry>, revoked: ReadonlySet<string>): HeldAllowlist {
  const byId = new Map<string, AllowEntry>()
  for (const e of entries) byId.set(e.credentialId, e)
  const byDigest = new Map<string, AllowEntry[]>()
  for (const e of byId.values()) {
    const same = byDigest.get(e.digest)
    if (same) same.push(e)
    else byDigest.set(e.digest, [e])
  }
  return { version, byId, byDigest, revoked }
}

/** What a list held is, as plain data a device can keep in storage, and back (a gateway keeps it across restarts). */
export function savedAllowlist (held: HeldAllowlist): { version: number; entries: AllowEntry[]; revoked: string[] } {
  return { version: held.version, entries: [...held.byId.values()], revoked: [...held.revoked] }
}

export function restoredAllowlist (saved: { version: number; entries: readonly AllowEntry[]; revoked: readonly string[] }): HeldAllowlist {
  return build(saved.version, saved.entries, new Set(saved.revoked))
}

/**
 * Applies a full or delta sync to the list held (§8.1), after checking that
 * it was computed with this reader's key (`undefined`: the reader has none).
 * `checkKeyId: false` is the conformance self-test's faulty reader.
 */
export function applySync (held: HeldAllowlist, sync: AllowlistSync, key: Uint8Array | undefined, checkKeyId = true): SyncOutcome {
  if (key === undefined) return { ok: false, code: 'wrong_key', message: 'this reader holds no allow-list key' }
  const own = allowlistKeyId(key)
  if (checkKeyId && sync.keyId !== own) {
    return { ok: false, code: 'wrong_key', message: `list computed with key ${sync.keyId}, this reader holds key ${own}` }
  }
  if (sync.mode === 'full') return { ok: true, list: build(sync.version, sync.upsert, new Set()) }
  if (sync.baseVersion !== held.version) {
    return { ok: false, code: 'version_gap', message: `holding version ${held.version}, delta applies to ${sync.baseVersion ?? '?'}` }
  }
  const entries = new Map(held.byId)
  const revoked = new Set(held.revoked)
  for (const id of sync.remove) {
    const gone = entries.get(id)
    if (gone === undefined) continue
    entries.delete(id)
    revoked.add(gone.digest)
  }
  for (const e of sync.upsert) {
    entries.set(e.credentialId, e)
    revoked.delete(e.digest)
  }
  return { ok: true, list: build(sync.version, entries.values(), revoked) }
}

function refusal (entry: AllowEntry, t: number, timeZone: string): DenyReason | undefined {
  if (entry.validFrom !== undefined && t < Date.parse(entry.validFrom)) return 'expired'
  if (entry.validUntil !== undefined && t >= Date.parse(entry.validUntil)) return 'expired'
  if (entry.windows !== undefined && !inWindows(t, entry.windows, timeZone)) return 'outside_window'
  return undefined
}

/** Grants or denies a presented credential at time `t` (§7.2 matching rules and deny reasons); no key: nothing matches. */
export function decide (
  held: HeldAllowlist, key: Uint8Array | undefined, kind: CredentialKind, value: string, t: number, timeZone: string,
): Decision {
  const digest = key === undefined ? '' : presentedDigest(key, kind, value)
  const matches = held.byDigest.get(digest) ?? []
  let first: Decision | undefined
  for (const entry of matches) {
    if (entry.kind !== kind) continue
    const reason = refusal(entry, t, timeZone)
    if (reason === undefined) return { result: 'granted', credentialId: entry.credentialId }
    first ??= { result: 'denied', reason, credentialId: entry.credentialId }
  }
  if (first) return first
  if (held.revoked.has(digest)) return { result: 'denied', reason: 'revoked' }
  return { result: 'denied', reason: kind === 'pin' ? 'wrong_pin' : 'unknown_credential' }
}
