// What a real request leaves in the platform's log, read from the log output
// itself: no bearer token, cookie, password or stream credential, whatever
// the client put in the URL or the headers.

import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestPlatform, type TestPlatform } from '../../test/support/platform.ts'
import { DEMO_PASSWORD } from '../demo/demo-site.ts'
import { createLogger, redactUrl } from '../logger.ts'

describe('credentials in the log', () => {
  let tp: TestPlatform
  let base: string
  const lines: string[] = []
  beforeAll(async () => {
    const sink = new Writable({ write (chunk: Buffer, _enc, done) { lines.push(chunk.toString()); done() } })
    tp = await startTestPlatform('pglite', { logger: createLogger('info', sink) })
    base = tp.platform.addresses().api
  }, 60_000)
  afterAll(async () => { await tp?.dispose() })

  const logText = (): string => lines.join('')

  it('logs request URLs and headers without tokens, tickets, cookies or passwords', async () => {
    const token = tp.tokens['police-zumiao']!
    const secret = 'S3cr3t-value-in-a-url'
    const requests: Array<[string, RequestInit]> = [
      [`/alerts/stream?access_token=${token}`, {}],
      [`/alerts?status=live&token=${token}`, { headers: { authorization: `Bearer ${token}` } }],
      [`/no/such/route?password=${secret}&ticket=${secret}&apiKey=${secret}`, { headers: { cookie: `session=${token}` } }],
      [`/alerts/stream;access_token=${token}`, {}],
      [`/alerts?status=live;access_token=${token}`, {}],
      ['/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: DEMO_PASSWORD }) }],
      ['/auth/me', { headers: { authorization: `Bearer ${'x'.repeat(43)}`, cookie: `rh=${secret}` } }],
    ]
    for (const [path, init] of requests) {
      const ac = new AbortController()
      const r = await fetch(`${base}${path}`, { ...init, signal: ac.signal })
      // The stream stays open: the response head is all this needs.
      if (r.headers.get('content-type')?.startsWith('text/event-stream') === true) ac.abort()
      else await r.text()
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
    const text = logText()
    expect(text).toContain('incoming request')
    expect(text).toContain('/alerts/stream?access_token=[redacted]')
    expect(text).toContain('/alerts?status=live&token=[redacted]')
    expect(text).toContain('password=[redacted]&ticket=[redacted]&apiKey=[redacted]')
    expect(text).toContain('/alerts/stream;access_token=[redacted]')
    expect(text).toContain('/alerts?status=live;access_token=[redacted]')
    for (const leaked of [token, secret, DEMO_PASSWORD, 'x'.repeat(43)]) expect(text).not.toContain(leaked)
  })

  it('redacts credentials given to the platform logger by any part', () => {
    const before = lines.length
    const logger = createLogger('info', new Writable({ write (chunk: Buffer, _enc, done) { lines.push(chunk.toString()); done() } }))
    logger.child({ part: 'x' }).info({ req: { headers: { authorization: 'Bearer abc-secret', cookie: 'c=abc-secret' } }, password: 'abc-secret', detail: { token: 'abc-secret' } }, 'a line')
    const line = lines.slice(before).join('')
    expect(line).toContain('a line')
    expect(line).not.toContain('abc-secret')
  })

  it('redacts the value of every credential-like query parameter, encoded names included, and nothing else', () => {
    expect(redactUrl('/alerts?status=live&limit=5')).toBe('/alerts?status=live&limit=5')
    expect(redactUrl('/a?acc%65ss_token=zz&x=1')).toBe('/a?acc%65ss_token=[redacted]&x=1')
    expect(redactUrl('/a?Session=1&SIGNATURE=2&x-api-key=3')).toBe('/a?Session=[redacted]&SIGNATURE=[redacted]&x-api-key=[redacted]')
    expect(redactUrl('/a?%ZZ=1&passwd=2')).toBe('/a?%ZZ=1&passwd=[redacted]')
    expect(redactUrl(`/a?x=${'y'.repeat(5000)}`).length).toBeLessThan(2100)
  })

  it('redacts `;` parameters too, in the query and in the path', () => {
    expect(redactUrl('/alerts/stream?x=1;access_token=zz;limit=5')).toBe('/alerts/stream?x=1;access_token=[redacted];limit=5')
    expect(redactUrl('/alerts/stream;access_token=zz')).toBe('/alerts/stream;access_token=[redacted]')
    expect(redactUrl('/a;jsessionid=zz/b;v=2?ticket=t&y=1')).toBe('/a;jsessionid=[redacted]/b;v=2?ticket=[redacted]&y=1')
    expect(redactUrl('/a;b?c;d')).toBe('/a;b?c;d')
  })
})
