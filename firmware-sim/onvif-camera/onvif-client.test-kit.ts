// Test helpers for talking to the simulated camera without a library: raw SOAP with a UsernameToken whose
// Created and Nonce the test chooses, a Digest-authenticated GET, and the `onvif` Cam's callbacks as promises.

import { createHash, randomBytes } from 'node:crypto'
import { request } from 'node:http'
import { passwordDigest } from './wsse.ts'

export interface RawToken { username: string, password: string, createdMs?: number, nonce?: Buffer }

export function soapEnvelope (body: string, token?: RawToken, header = ''): string {
  let security = ''
  if (token) {
    const created = new Date(token.createdMs ?? Date.now()).toISOString()
    const nonce = token.nonce ?? randomBytes(16)
    security = '<Security xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><UsernameToken>' +
      `<Username>${token.username}</Username>` +
      '<Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">' +
      `${passwordDigest(nonce, created, token.password)}</Password><Nonce>${nonce.toString('base64')}</Nonce>` +
      `<Created xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">${created}</Created>` +
      '</UsernameToken></Security>'
  }
  return '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing">' +
    `<s:Header>${security}${header}</s:Header><s:Body>${body}</s:Body></s:Envelope>`
}

export async function postSoap (url: string, xml: string): Promise<{ status: number, text: string }> {
  const res = await fetch(url, { method: 'POST', body: xml, headers: { 'Content-Type': 'application/soap+xml; charset=utf-8' } })
  return { status: res.status, text: await res.text() }
}

/** GET with HTTP Digest (MD5, qop=auth): the first answer's challenge, then the authorised request. */
export function digestGet (url: string, username: string, password: string): Promise<{ status: number, type: string, body: Buffer }> {
  const md5 = (s: string): string => createHash('md5').update(s).digest('hex')
  const once = (authorization?: string): Promise<{ status: number, type: string, body: Buffer, challenge: string }> =>
    new Promise((resolve, reject) => {
      const req = request(url, { headers: authorization ? { Authorization: authorization } : {} }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => resolve({
          status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks),
          challenge: String(res.headers['www-authenticate'] ?? ''),
        }))
      })
      req.on('error', reject)
      req.end()
    })
  return once().then((first) => {
    if (first.status !== 401) return first
    const field = (k: string): string => new RegExp(`${k}="([^"]*)"`).exec(first.challenge)?.[1] ?? ''
    const { pathname, search } = new URL(url)
    const uri = pathname + search
    const cnonce = randomBytes(8).toString('hex')
    const ha1 = md5(`${username}:${field('realm')}:${password}`)
    const response = md5(`${ha1}:${field('nonce')}:00000001:${cnonce}:auth:${md5(`GET:${uri}`)}`)
    return once(`Digest username="${username}", realm="${field('realm')}", nonce="${field('nonce')}", uri="${uri}", ` +
      `algorithm=MD5, qop=auth, nc=00000001, cnonce="${cnonce}", response="${response}"`)
  })
}

type Callback = (err: Error | null, ...data: unknown[]) => void
/** Calls a callback-style method of the `onvif` Cam and resolves with its first result. */
export function camCall<T = unknown> (cam: object, method: string, ...args: unknown[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const fn = (cam as Record<string, (...a: unknown[]) => void>)[method]!
    const cb: Callback = (err, data) => (err ? reject(err) : resolve(data as T))
    fn.apply(cam, [...args, cb])
  })
}
