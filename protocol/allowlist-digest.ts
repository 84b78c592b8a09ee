// Keyed digests of credentials (protocol/README.md §7.2, §8.1): an allow-list
// carries, for each credential, HMAC-SHA-256 under the reader's own key of
// the credential's kind and value, never the value. The reader computes the
// same digest of what it reads and looks it up. Shared by the platform (which
// computes the lists), the simulated firmware and the conformance kit.

import { createHash, createHmac } from 'node:crypto'
import type { CREDENTIAL_KINDS } from './schemas/common.ts'

type CredentialKind = (typeof CREDENTIAL_KINDS)[number]

/** Bytes of an allow-list key; its text form (provisioning response) is twice as many hex digits. */
export const ALLOWLIST_KEY_BYTES = 32
export const ALLOWLIST_KEY_PATTERN = '^[0-9a-f]{64}$'

export const DIGEST_PREFIX = 'hmac-sha256:'
/** Bytes of the HMAC kept in a digest: 128 bits, base64url without padding (22 characters). */
export const DIGEST_BYTES = 16
export const DIGEST_PATTERN = '^hmac-sha256:[A-Za-z0-9_-]{22}$'
/** Length of every digest: the prefix and 22 base64url characters. */
export const DIGEST_LENGTH = DIGEST_PREFIX.length + 22

/** What the key id is the HMAC of: it names a key without revealing it (a key check value). */
export const KEY_ID_LABEL = 'rh/v1 allowlist key id'
/** Bytes of the HMAC kept in a key id: 72 bits, base64url (12 characters). */
export const KEY_ID_BYTES = 9
export const KEY_ID_PATTERN = '^[A-Za-z0-9_-]{12}$'
export const KEY_ID_LENGTH = 12

const KEY_TEXT = new RegExp(ALLOWLIST_KEY_PATTERN)

/** The 32 key bytes from the 64 lower-case hex digits given at provisioning; throws on anything else. */
export function parseAllowlistKey (text: string): Buffer {
  if (!KEY_TEXT.test(text)) throw new RangeError('an allow-list key is 64 lower-case hex digits')
  return Buffer.from(text, 'hex')
}

/** The id of a key, as allow-list syncs carry it in `keyId`. */
export function allowlistKeyId (key: Uint8Array): string {
  return createHmac('sha256', key).update(KEY_ID_LABEL, 'utf8').digest().subarray(0, KEY_ID_BYTES).toString('base64url')
}

/** Lower-case hex SHA-256 of the PIN digits: what a PIN's digest is computed over (the PIN itself never travels). */
export function pinSha256 (digits: string): string {
  return createHash('sha256').update(digits, 'utf8').digest('hex')
}

/**
 * The value a digest is computed over, from what the reader read: card
 * numbers in upper case, a PIN as the hex SHA-256 of its digits, QR tokens and
 * face references exactly as read.
 */
export function matchValue (kind: CredentialKind, presented: string): string {
  switch (kind) {
    case 'card':
    case 'ic_card':
      return presented.toUpperCase()
    case 'pin':
      return pinSha256(presented)
    default:
      return presented
  }
}

/**
 * `hmac-sha256:` + base64url of the first 16 bytes of HMAC-SHA-256(key,
 * kind ‖ 0x00 ‖ value), `value` already in its matching form (matchValue).
 * The kinds are fixed ASCII words without a NUL, so the separator makes the
 * input unambiguous: no (kind, value) pair encodes like another.
 */
export function digestOfMatchValue (key: Uint8Array, kind: CredentialKind, value: string): string {
  const mac = createHmac('sha256', key).update(kind, 'utf8').update(Buffer.of(0)).update(value, 'utf8').digest()
  return DIGEST_PREFIX + mac.subarray(0, DIGEST_BYTES).toString('base64url')
}

/** The digest of a credential as presented at the reader (a PIN as typed). */
export function presentedDigest (key: Uint8Array, kind: CredentialKind, presented: string): string {
  return digestOfMatchValue(key, kind, matchValue(kind, presented))
}
