// The keyed credential digests of §7.2 and §8.1: the byte layout the spec
// gives, built here by hand and compared; the spec's test vectors; what the
// digest must and must not depend on.

import { createHash, createHmac } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import {
  allowlistKeyId, DIGEST_PATTERN, digestOfMatchValue, KEY_ID_PATTERN, matchValue, parseAllowlistKey, presentedDigest,
} from './allowlist-digest.ts'
import type { CREDENTIAL_KINDS } from './schemas/common.ts'

type Kind = (typeof CREDENTIAL_KINDS)[number]

const KEY_TEXT = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f'
const key = parseAllowlistKey(KEY_TEXT)
const other = parseAllowlistKey('ff'.repeat(32))

/** The spec's recipe, step by step, without the module's helpers. */
function byHand (k: Buffer, kind: string, v: string): string {
  const input = Buffer.concat([Buffer.from(kind, 'ascii'), Buffer.from([0]), Buffer.from(v, 'utf8')])
  return 'hmac-sha256:' + createHmac('sha256', k).update(input).digest().subarray(0, 16).toString('base64url')
}

describe('allow-list digests', () => {
  it('follow the byte layout of the spec: HMAC-SHA-256(key, kind, 0x00, value), 16 bytes, base64url', () => {
    expect(presentedDigest(key, 'card', '04a1b2c3')).toBe(byHand(key, 'card', '04A1B2C3'))
    expect(presentedDigest(key, 'qr', 'Vb3x9QkT2mZr7LwP0aYc4nHs')).toBe(byHand(key, 'qr', 'Vb3x9QkT2mZr7LwP0aYc4nHs'))
    const pinHex = createHash('sha256').update('1234').digest('hex')
    expect(presentedDigest(key, 'pin', '1234')).toBe(byHand(key, 'pin', pinHex))
    expect(presentedDigest(key, 'card', '04A1B2C3')).toMatch(new RegExp(DIGEST_PATTERN))
  })

  it('match the test vectors printed in protocol/README.md', () => {
    const spec = readFileSync(fileURLToPath(new URL('./README.md', import.meta.url)), 'utf8')
    const block = spec.split('<!-- digest-test-vectors -->')[1]?.split('\n\n')[0] ?? ''
    const rows = block.split('\n').filter((l) => l.startsWith('| `')).map((l) => l.split('|').slice(1, -1).map((c) => c.trim().replace(/^`|`$/g, '')))
    expect(rows.length).toBeGreaterThanOrEqual(4)
    expect(spec).toContain(KEY_TEXT)
    for (const [what, input, expected] of rows) {
      if (what === 'key id') expect(allowlistKeyId(key)).toBe(expected)
      else expect({ what, input, digest: presentedDigest(key, what as Kind, input!) }).toEqual({ what, input, digest: expected })
    }
  })

  it('differ between keys, between kinds and between values; card numbers ignore letter case', () => {
    const d = presentedDigest(key, 'card', '04A1B2C3')
    expect(presentedDigest(other, 'card', '04A1B2C3')).not.toBe(d)
    expect(presentedDigest(key, 'ic_card', '04A1B2C3')).not.toBe(d)
    expect(presentedDigest(key, 'card', '04A1B2C4')).not.toBe(d)
    expect(presentedDigest(key, 'card', '04a1b2c3')).toBe(d)
    expect(presentedDigest(key, 'qr', 'abc')).not.toBe(presentedDigest(key, 'qr', 'ABC'))
  })

  it('of a PIN are computed over its SHA-256, so a platform that keeps only that can compute them', () => {
    expect(matchValue('pin', '0000')).toBe(createHash('sha256').update('0000').digest('hex'))
    expect(digestOfMatchValue(key, 'pin', matchValue('pin', '987654'))).toBe(presentedDigest(key, 'pin', '987654'))
  })

  it('name a key by an id that differs between keys', () => {
    expect(allowlistKeyId(key)).toMatch(new RegExp(KEY_ID_PATTERN))
    expect(allowlistKeyId(other)).not.toBe(allowlistKeyId(key))
  })

  it('take a key only as 64 lower-case hex digits', () => {
    for (const bad of ['', '00', KEY_TEXT.toUpperCase(), `${KEY_TEXT}00`, Buffer.from(key).toString('base64url')]) {
      expect(() => parseAllowlistKey(bad), bad).toThrow(/64 lower-case hex digits/)
    }
    expect(parseAllowlistKey(KEY_TEXT)).toEqual(Buffer.from(KEY_TEXT, 'hex'))
  })
})
