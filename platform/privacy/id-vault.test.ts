import { describe, expect, it } from 'vitest'
import { IdVault } from './id-vault.ts'

const key = 'a1'.repeat(32)

describe('IdVault', () => {
  it('round-trips, with a fresh ciphertext each time', () => {
    const v = IdVault.fromKey(key)
    const a = v.encrypt('11010519491231002X')
    const b = v.encrypt('11010519491231002X')
    expect(a).not.toBe(b)
    expect(a).not.toContain('11010519491231002X')
    expect(v.decrypt(a)).toBe('11010519491231002X')
  })

  it('hashes stably per key and type, differently across keys', () => {
    const v = IdVault.fromKey(key)
    expect(v.hash('resident_id', 'X1')).toBe(IdVault.fromKey(key).hash('resident_id', 'X1'))
    expect(v.hash('resident_id', 'X1')).not.toBe(v.hash('passport', 'X1'))
    expect(v.hash('resident_id', 'X1')).not.toBe(IdVault.fromKey('b2'.repeat(32)).hash('resident_id', 'X1'))
    expect(v.hash('resident_id', 'X1')).toMatch(/^[0-9a-f]{64}$/)
  })

  it('detects tampering and the wrong key', () => {
    const v = IdVault.fromKey(key)
    const token = v.encrypt('secret')
    const parts = token.split('.')
    const ct = Buffer.from(parts[3]!, 'base64url')
    ct[0] = ct[0]! ^ 1
    parts[3] = ct.toString('base64url')
    expect(() => v.decrypt(parts.join('.'))).toThrow(/tampered/)
    expect(() => IdVault.fromKey('b2'.repeat(32)).decrypt(token)).toThrow(/wrong data key/)
    expect(() => v.decrypt('garbage')).toThrow(/not an encrypted/)
  })

  it('accepts hex or base64 keys and refuses others', () => {
    expect(() => IdVault.fromKey(Buffer.alloc(32, 7).toString('base64'))).not.toThrow()
    expect(() => IdVault.fromKey('too-short')).toThrow(/64 hex/)
    expect(IdVault.generateKey()).toMatch(/^[0-9a-f]{64}$/)
  })
})
