import { describe, expect, it } from 'vitest'
import { pinSha256 } from '../../protocol/index.ts'
import { CredentialSecrets } from './credential-secrets.ts'

const key = 'a1'.repeat(32)

describe('credential secrets', () => {
  const s = CredentialSecrets.fromKey(key)
  const other = CredentialSecrets.fromKey('b2'.repeat(32))

  it('store a PIN as a keyed hash that finds it again under this data key only, never its plain SHA-256', () => {
    const h = pinSha256('4821')
    expect(s.pinLookup(h)).toBe(CredentialSecrets.fromKey(key).pinLookup(h))
    expect(s.pinLookup(h)).toMatch(/^hmac:[0-9a-f]{64}$/)
    expect(s.pinLookup(h)).not.toContain(h)
    expect(other.pinLookup(h)).not.toBe(s.pinLookup(h))
    expect(s.pinLookup(pinSha256('4822'))).not.toBe(s.pinLookup(h))
  })

  it('seal a PIN so that only this data key opens it', () => {
    const h = pinSha256('4821')
    const sealed = s.sealPin(h)
    expect(sealed).not.toContain(h)
    expect(s.sealPin(h)).not.toBe(sealed)
    expect(s.openPin(sealed)).toBe(h)
    expect(() => other.openPin(sealed)).toThrow(/wrong data key/)
  })

  it('issue random reader keys, kept sealed, apart from the PIN seal', () => {
    const a = s.issueReaderKey()
    const b = s.issueReaderKey()
    expect(a.text).toMatch(/^[0-9a-f]{64}$/)
    expect(a.text).not.toBe(b.text)
    expect(a.sealed).not.toContain(a.text)
    expect(s.openReaderKey(a.sealed)).toEqual(Buffer.from(a.text, 'hex'))
    expect(() => s.openPin(a.sealed)).toThrow(/cannot decrypt the PIN/)
    expect(() => other.openReaderKey(a.sealed)).toThrow(/wrong data key/)
  })
})
