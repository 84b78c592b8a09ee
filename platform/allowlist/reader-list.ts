// Turns the building's allow-list into one reader's: every entry's value is
// replaced by its keyed digest under that reader's key (protocol/README.md
// §7.2). Pure; the PINs are opened once per push, not once per reader.

import { digestOfMatchValue, type AllowEntry } from '../../protocol/index.ts'
import type { CredentialSecrets } from '../privacy/credential-secrets.ts'
import type { ListedCredential } from '../registry/context.ts'

/** An entry whose `value` is what the digest is computed over, a PIN's SHA-256 included. */
export type OpenedCredential = ListedCredential

/**
 * Opens the sealed PINs of a list. An entry that cannot be opened (a PIN left
 * in an older form) is left out and reported: the reader then denies it,
 * rather than every entry of the push failing.
 */
export function openEntries (
  entries: readonly ListedCredential[], secrets: CredentialSecrets, onError: (credentialId: string, err: unknown) => void,
): OpenedCredential[] {
  const out: OpenedCredential[] = []
  for (const e of entries) {
    if (e.kind !== 'pin') {
      out.push(e)
      continue
    }
    try {
      out.push({ ...e, value: secrets.openPin(e.value) })
    } catch (err) {
      onError(e.credentialId, err)
    }
  }
  return out
}

/** The entries as one reader receives them: digests under its key, never values. */
export function digestFor (key: Uint8Array, entries: readonly OpenedCredential[]): AllowEntry[] {
  return entries.map(({ credentialId, kind, value, ...validity }) => ({
    credentialId, kind, digest: digestOfMatchValue(key, kind, value), ...validity,
  }))
}
