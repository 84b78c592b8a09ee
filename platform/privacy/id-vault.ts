// Protects ID numbers at rest. Two keys are derived from the data key:
// one for a keyed hash (HMAC) so a returning person is recognised without
// storing the number in the clear, one for an AES-256-GCM copy that only the
// audited reveal route decrypts.

import { createHmac, randomBytes } from 'node:crypto'
import { deriveKey, parseDataKey, Sealer } from './data-key.ts'

export class IdVault {
  private constructor (private readonly hashKey: Buffer, private readonly sealer: Sealer) {}

  /** From 64 hex characters or a base64 encoding of 32 bytes. */
  static fromKey (key: string): IdVault {
    const master = parseDataKey(key)
    return new IdVault(deriveKey(master, 'rh-id-hash-v1'), new Sealer(deriveKey(master, 'rh-id-enc-v1'), 'ID number'))
  }

  static generateKey (): string {
    return randomBytes(32).toString('hex')
  }

  /** Keyed hash of a normalised number, for lookups and uniqueness. */
  hash (type: string, normalized: string): string {
    return createHmac('sha256', this.hashKey).update(`${type}:${normalized}`).digest('hex')
  }

  /** `v1.<iv>.<tag>.<ciphertext>`, base64url parts, fresh IV each time. */
  encrypt (plain: string): string {
    return this.sealer.seal(plain)
  }

  decrypt (token: string): string {
    return this.sealer.open(token)
  }
}
