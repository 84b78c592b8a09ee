// Protects ID numbers at rest. Two keys are derived from one master key:
// one for a keyed hash (HMAC) so a returning person is recognised without
// storing the number in the clear, one for an AES-256-GCM copy that only the
// audited reveal route decrypts.

import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto'

const VERSION = 'v1'

export class IdVault {
  private constructor (private readonly hashKey: Buffer, private readonly encKey: Buffer) {}

  /** From 64 hex characters or a base64 encoding of 32 bytes. */
  static fromKey (key: string): IdVault {
    const k = key.trim()
    let master: Buffer
    if (/^[0-9a-fA-F]{64}$/.test(k)) master = Buffer.from(k, 'hex')
    else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(k)) master = Buffer.from(k, 'base64')
    else throw new Error('the data key must be 64 hex characters or base64 of 32 bytes')
    if (master.length !== 32) throw new Error('the data key must be 32 bytes')
    const derive = (info: string) => Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), info, 32))
    return new IdVault(derive('rh-id-hash-v1'), derive('rh-id-enc-v1'))
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
    const iv = randomBytes(12)
    const c = createCipheriv('aes-256-gcm', this.encKey, iv)
    const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()])
    return [VERSION, iv.toString('base64url'), c.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.')
  }

  decrypt (token: string): string {
    const parts = token.split('.')
    if (parts.length !== 4 || parts[0] !== VERSION) throw new Error('not an encrypted ID number')
    try {
      const d = createDecipheriv('aes-256-gcm', this.encKey, Buffer.from(parts[1]!, 'base64url'))
      d.setAuthTag(Buffer.from(parts[2]!, 'base64url'))
      return Buffer.concat([d.update(Buffer.from(parts[3]!, 'base64url')), d.final()]).toString('utf8')
    } catch {
      throw new Error('cannot decrypt the ID number: wrong data key or tampered value')
    }
  }
}
