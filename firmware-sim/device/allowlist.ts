// The allow-list a reader holds and decides on (protocol §7.2, §8.1), as pure
// functions: applying a sync gives a new list or a version gap and leaves the
// old one untouched (atomic), and a decision needs only the list, the
// credential, the time and the time zone.

import { createHash } from 'node:crypto'
import { inWindows, type AllowEntry, type AllowlistSync, type CREDENTIAL_KINDS, type DenyReason } from '../../protocol/index.ts'

export type CredentialKind = (typeof CREDENTIAL_KINDS)[number]

export interface HeldAllowlist {
  /** 0 while the reader holds none. */
  readonly version: number
  readonly byId: ReadonlyMap<string, AllowEntry>
  /** Entries by matching key (kind and normalised value). */
  readonly byKey: ReadonlyMap<string, readonly AllowEntry[]>
  /** Keys of entries removed by a delta and not added again: denied as `revoked`. */
  readonly revoked: ReadonlySet<string>
}

export type SyncOutcome =
  | { ok: true; list: HeldAllowlist }
  | { ok: false; code: 'version_gap'; message: string }

export interface Decision {
  result: 'granted' | 'denied'
  reason?: DenyReason
  /** The entry that matched, when one did. */
  credentialId?: string
}

export const EMPTY_ALLOWLIST: HeldAllowlist = { version: 0, byId: new Map(), byKey: new Map(), revoked: new Set() }

/** `sha256:` + lower-case hex SHA-256 of the PIN digits, as allow-list PIN entries carry it. */
export function pinHash (pin: string): string {
  return `sha256:${createHash('sha256').update(pin, 'utf8').digest('hex')}`
}

/** What an allow-list entry is matched on: cards without regard to case, PINs by hash, the rest exactly. */
export function entryKey (kind: CredentialKind, value: string): string {
  return kind === 'card' || kind === 'ic_card' ? `${kind}:${value.toUpperCase()}` : `${kind}:${value}`
}

/** The key of a credential as presented at the reader (a PIN as typed). */
export function presentedKey (kind: CredentialKind, value: string): string {
  return entryKey(kind, kind === 'pin' ? pinHash(value) : value)
}

function build (version: number, entries: Iterable<AllowEntry>, revoked: ReadonlySet<string>): HeldAllowlist {
  const byId = new Map<string, AllowEntry>()
  for (const e of entries) byId.set(e.credentialId, e)
  const byKey = new Map<string, AllowEntry[]>()
  for (const e of byId.values()) {
    const key = entryKey(e.kind, e.value)
    const same = byKey.get(key)
    if (same) same.push(e)
    else byKey.set(key, [e])
  }
  return { version, byId, byKey, revoked }
}

/** Applies a full or delta sync to the list held (§8.1). */
export function applySync (held: HeldAllowlist, sync: AllowlistSync): SyncOutcome {
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
    revoked.add(entryKey(gone.kind, gone.value))
  }
  for (const e of sync.upsert) {
    entries.set(e.credentialId, e)
    revoked.delete(entryKey(e.kind, e.value))
  }
  return { ok: true, list: build(sync.version, entries.values(), revoked) }
}

function refusal (entry: AllowEntry, t: number, timeZone: string): DenyReason | undefined {
  if (entry.validFrom !== undefined && t < Date.parse(entry.validFrom)) return 'expired'
  if (entry.validUntil !== undefined && t >= Date.parse(entry.validUntil)) return 'expired'
  if (entry.windows !== undefined && !inWindows(t, entry.windows, timeZone)) return 'outside_window'
  return undefined
}

/** Grants or denies a presented credential at time `t` (§7.2 matching rules and deny reasons). */
export function decide (held: HeldAllowlist, kind: CredentialKind, value: string, t: number, timeZone: string): Decision {
  const key = presentedKey(kind, value)
  const matches = held.byKey.get(key) ?? []
  let first: Decision | undefined
  for (const entry of matches) {
    const reason = refusal(entry, t, timeZone)
    if (reason === undefined) return { result: 'granted', credentialId: entry.credentialId }
    first ??= { result: 'denied', reason, credentialId: entry.credentialId }
  }
  if (first) return first
  if (held.revoked.has(key)) return { result: 'denied', reason: 'revoked' }
  return { result: 'denied', reason: kind === 'pin' ? 'wrong_pin' : 'unknown_credential' }
}
