// The data key (DATA_KEY, or DATA_DIR/data.key) and what is built from it:
// sub-keys for separate purposes (HKDF with a label each, so no two purposes
// ever share a key) and AES-256-GCM sealing of small secrets at rest.

import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'

const SEALED_VERSION = 'v1'

/** The 32 key bytes from 64 hex characters or a base64 encoding of 32 bytes. */
export function parseDataKey (key: string): Buffer {
  const k = key.trim()
  let master: Buffer
  if (/^[0-9a-fA-F]{64}$/.test(k)) master = Buffer.from(k, 'hex')
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(k)) master = Buffer.from(k, 'base64')
  else throw new Error('the data key must be 64 hex characters or base64 of 32 bytes')
  if (master.length !== 32) throw new Error('the data key must be 32 bytes')
  return master
}

/** A 32-byte key for one purpose, named by `label`. */
export function deriveKey (master: Buffer, label: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), label, 32))
}

/** Encrypts and decrypts one kind of secret (`what`, for error messages) under one key. */
export class Sealer {
  constructor (private readonly key: Buffer, private readonly what: string) {}

  /** `v1.<iv>.<tag>.<ciphertext>`, base64url parts, fresh IV each time. */
  seal (plain: string): string {
    const iv = randomBytes(12)
    const c = createCipheriv('aes-256-gcm', this.key, iv)
    const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()])
    return [SEALED_VERSION, iv.toString('base64url'), c.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.')
  }

  open (token: string): string {
    const parts = token.split('.')
    if (parts.length !== 4 || parts[0] !== SEALED_VERSION) throw new Error(`not an encrypted ${this.what}`)
    try {
      const d = createDecipheriv('aes-256-gcm', this.key, Buffer.from(parts[1]!, 'base64url'))
      d.setAuthTag(Buffer.from(parts[2]!, 'base64url'))
      return Buffer.concat([d.update(Buffer.from(parts[3]!, 'base64url')), d.final()]).toString('utf8')
    } catch {
      throw new Error(`cannot decrypt the ${this.what}: wrong data key or tampered value`)
    }
  }
}
