// WS-Security UsernameToken with PasswordDigest, checked the way cameras check it:
// digest = Base64(SHA-1(nonce bytes + Created + password)); Created within ±windowMs of the camera's own clock;
// a nonce seen within the window is a replay. Pure apart from the nonce memory the caller owns.

import { createHash, timingSafeEqual } from 'node:crypto'
import { child, type XmlElement } from './xml.ts'
import { NS } from './soap.ts'

export type AuthFailure = 'missing' | 'malformed' | 'user' | 'digest' | 'clock' | 'replay'
export type AuthResult = { ok: true } | { ok: false, cause: AuthFailure, detail: string }

const DIGEST_TYPE = '#PasswordDigest'
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/** Nonces accepted recently, forgotten once older than the window; bounded so a flood cannot grow it. */
export class NonceMemory {
  private readonly seen = new Map<string, number>()
  constructor (private readonly max = 10_000) {}
  has (nonce: string): boolean { return this.seen.has(nonce) }
  remember (nonce: string, atMs: number, keepMs: number): void {
    for (const [n, t] of this.seen) {
      if (t >= atMs - keepMs && this.seen.size < this.max) break
      this.seen.delete(n)
    }
    this.seen.set(nonce, atMs)
  }

  clear (): void { this.seen.clear() }
}

export function passwordDigest (nonce: Buffer, created: string, password: string): string {
  return createHash('sha1').update(Buffer.concat([nonce, Buffer.from(created, 'utf8'), Buffer.from(password, 'utf8')]))
    .digest('base64')
}

export interface Credentials { username: string, password: string }

export function verifyUsernameToken (
  header: XmlElement | undefined, account: Credentials, cameraNowMs: number, windowMs: number, nonces: NonceMemory,
): AuthResult {
  const token = child(child(header, 'Security', NS.wsse), 'UsernameToken', NS.wsse)
  if (!token) return { ok: false, cause: 'missing', detail: 'no WS-Security UsernameToken' }
  const username = child(token, 'Username', NS.wsse)?.text.trim()
  const passwordEl = child(token, 'Password', NS.wsse)
  const nonceText = child(token, 'Nonce', NS.wsse)?.text.trim()
  const created = child(token, 'Created', NS.wsu)?.text.trim()
  const type = passwordEl?.attributes.find((a) => a.local === 'Type')?.value ?? ''
  if (username === undefined || passwordEl === undefined || nonceText === undefined || created === undefined) {
    return { ok: false, cause: 'malformed', detail: 'UsernameToken needs Username, Password, Nonce and Created' }
  }
  if (!type.endsWith(DIGEST_TYPE)) return { ok: false, cause: 'malformed', detail: 'only PasswordDigest is accepted' }
  if (nonceText === '' || nonceText.length > 256 || !BASE64.test(nonceText)) {
    return { ok: false, cause: 'malformed', detail: 'Nonce is not Base64' }
  }
  const createdMs = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(created) ? Date.parse(created) : NaN
  if (!Number.isFinite(createdMs)) return { ok: false, cause: 'malformed', detail: 'Created is not an xs:dateTime' }
  // Same answer for an unknown user and a wrong password, as a camera gives; the counters tell them apart.
  if (username !== account.username) return { ok: false, cause: 'user', detail: 'wrong username or password' }
  const expected = Buffer.from(passwordDigest(Buffer.from(nonceText, 'base64'), created, account.password))
  const given = Buffer.from(passwordEl.text.trim())
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { ok: false, cause: 'digest', detail: 'wrong username or password' }
  }
  if (Math.abs(createdMs - cameraNowMs) > windowMs) {
    return { ok: false, cause: 'clock', detail: 'Created is too far from the camera clock' }
  }
  if (nonces.has(nonceText)) return { ok: false, cause: 'replay', detail: 'Nonce already used' }
  nonces.remember(nonceText, cameraNowMs, 2 * windowMs)
  return { ok: true }
}
