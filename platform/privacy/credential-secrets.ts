// The secrets behind readers' allow-lists, kept under keys derived from the
// data key: each reader's allow-list key (sealed: the platform must use it to
// compute that reader's digests), and each PIN as its SHA-256 sealed (to
// compute digests for every reader) beside a keyed hash, the credential's
// stored value. PINs are not unique, so nothing looks a PIN up by that hash;
// it only fills the value in a form that cannot be checked against a guess
// without the data key. No PIN is stored in a form that can be checked
// without the data key, and no allow-list key can be derived from anything
// else the platform stores or sends.

import { createHmac, randomBytes } from 'node:crypto'
import { ALLOWLIST_KEY_BYTES, digestOfMatchValue, parseAllowlistKey } from '../../protocol/index.ts'
import type { CredentialKind } from '../registry/credentials.ts'
import { deriveKey, parseDataKey, Sealer } from './data-key.ts'

/** The stored form of a PIN in credentials.value: `hmac:` + hex HMAC-SHA-256 of its SHA-256. */
export const PIN_LOOKUP_PREFIX = 'hmac:'

export class CredentialSecrets {
  private constructor (
    private readonly pinHashKey: Buffer,
    private readonly pins: Sealer,
    private readonly readerKeys: Sealer,
    private readonly presentedKeyBytes: Buffer,
  ) {}

  /** From the data key (64 hex characters or base64 of 32 bytes). */
  static fromKey (key: string): CredentialSecrets {
    const master = parseDataKey(key)
    return new CredentialSecrets(
      deriveKey(master, 'rh-pin-hash-v1'),
      new Sealer(deriveKey(master, 'rh-pin-enc-v1'), 'PIN'),
      new Sealer(deriveKey(master, 'rh-allowlist-key-enc-v1'), 'allow-list key'),
      deriveKey(master, 'rh-presented-key-v1'),
    )
  }

  /**
   * `kind:hmac-sha256:<22 base64url>`: the allow-list digest scheme under a key of the platform's own (no reader
   * holds it), over the value as the pipeline compares it (card numbers upper case). The same card gives the same
   * name under this data key only; the name tells nothing of the number.
   */
  presentedKey (kind: CredentialKind, value: string): string {
    return `${kind}:${digestOfMatchValue(this.presentedKeyBytes, kind, value)}`
  }

  /** What credentials.value holds for a PIN: a keyed hash, which no guess can be checked against without the data key. */
  pinLookup (pinSha256: string): string {
    return PIN_LOOKUP_PREFIX + createHmac('sha256', this.pinHashKey).update(pinSha256, 'utf8').digest('hex')
  }

  sealPin (pinSha256: string): string {
    return this.pins.seal(pinSha256)
  }

  /** The PIN's lower-case hex SHA-256, what its allow-list digests are computed over. */
  openPin (sealed: string): string {
    return this.pins.open(sealed)
  }

  /** A new allow-list key: its text for the provisioning response (shown once) and its sealed form to store. */
  issueReaderKey (): { text: string; sealed: string } {
    const text = randomBytes(ALLOWLIST_KEY_BYTES).toString('hex')
    return { text, sealed: this.readerKeys.seal(text) }
  }

  openReaderKey (sealed: string): Buffer {
    return parseAllowlistKey(this.readerKeys.open(sealed))
  }
}
