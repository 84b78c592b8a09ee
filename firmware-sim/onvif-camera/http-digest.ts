// HTTP Digest authentication (RFC 7616, MD5, qop=auth) for the snapshot endpoint, as IP cameras protect it.
// The camera issues nonces (hex, so clients that split the header on `=` read them whole), keeps them for a
// minute, bounded in number, and accepts each nonce-count once.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

const md5 = (s: string): string => createHash('md5').update(s, 'utf8').digest('hex')

export function parseDigestHeader (header: string): Record<string, string> | undefined {
  if (!/^Digest\s/i.test(header) || header.length > 4096) return undefined
  const out: Record<string, string> = {}
  const re = /([a-zA-Z0-9_-]+)\s*=\s*(?:"([^"]*)"|([^\s,]+))/g
  for (const m of header.slice(7).matchAll(re)) out[m[1]!.toLowerCase()] = m[2] ?? m[3] ?? ''
  return out
}

export class DigestGuard {
  private readonly nonces = new Map<string, { issuedAt: number, counts: Set<string> }>()
  constructor (readonly realm: string, private readonly lifetimeMs = 60_000, private readonly max = 1000) {}

  challenge (now = Date.now()): string {
    for (const [n, v] of this.nonces) {
      if (v.issuedAt > now - this.lifetimeMs && this.nonces.size < this.max) break
      this.nonces.delete(n)
    }
    const nonce = randomBytes(16).toString('hex')
    this.nonces.set(nonce, { issuedAt: now, counts: new Set() })
    return `Digest realm="${this.realm}", qop="auth", nonce="${nonce}", algorithm=MD5`
  }

  /** True when the Authorization header proves the password for this method and request URI. */
  verify (authorization: string | undefined, method: string, url: string, username: string, password: string,
    now = Date.now()): boolean {
    const p = authorization === undefined ? undefined : parseDigestHeader(authorization)
    if (!p || p.username !== username || p.realm !== this.realm || p.uri !== url) return false
    if (p.algorithm !== undefined && p.algorithm.toUpperCase() !== 'MD5') return false
    const issued = p.nonce === undefined ? undefined : this.nonces.get(p.nonce)
    if (!issued || issued.issuedAt <= now - this.lifetimeMs) return false
    const ha1 = md5(`${username}:${this.realm}:${password}`)
    const ha2 = md5(`${method}:${p.uri}`)
    const expected = p.qop === 'auth'
      ? md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:auth:${ha2}`)
      : md5(`${ha1}:${p.nonce}:${ha2}`)
    const given = Buffer.from(p.response ?? '')
    if (given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected))) return false
    const count = p.nc ?? ''
    if (issued.counts.has(count)) return false
    issued.counts.add(count)
    return true
  }

  clear (): void { this.nonces.clear() }
}
