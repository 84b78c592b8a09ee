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
    tp = await startTestPlatform('pglite', { logger: createLogger('debug', sink) })
    base = tp.platform.addresses.api
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
    expect(text).toContain('"msg":"GET /alerts?status=live&token=[redacted] 4')
    expect(text).toContain('/alerts/stream?access_token=[redacted]')
    expect(text).toContain('/alerts?status=live&token=[redacted]')
    expect(text).toContain('password=[redacted]&ticket=[redacted]&apiKey=[redacted]')
    expect(text).toContain('/alerts/stream;access_token=[redacted]')
    expect(text).toContain('/alerts?status=live;access_token=[redacted]')
    for (const leaked of [token, secret, DEMO_PASSWORD, 'x'.repeat(43)]) expect(text).not.toContain(leaked)
  })

  it('writes one line per request, at debug, and no key twice in a line', () => {
    const requests = lines.map((l) => JSON.parse(l) as { level: number; req?: { url: string } }).filter((l) => l.req !== undefined)
    expect(requests.filter((l) => l.req!.url.startsWith('/auth/login'))).toHaveLength(1)
    expect(new Set(requests.map((l) => l.level))).toEqual(new Set([20]))
    for (const line of lines) expect(repeatedKeys(line), line).toEqual([])
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

/** Keys that occur twice in one object of a JSON line (pino writes a child's bindings and a call's fields side by side). */
function repeatedKeys (line: string): string[] {
  const repeated: string[] = []
  const seen: Array<Set<string> | null> = []
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]
    if (ch === '{') seen.push(new Set())
    else if (ch === '[') seen.push(null)
    else if (ch === '}' || ch === ']') seen.pop()
    else if (ch === '"') {
      let j = i + 1
      while (line[j] !== '"') j += line[j] === '\\' ? 2 : 1
      const keys = seen[seen.length - 1]
      if (line[j + 1] === ':' && keys) {
        const key = line.slice(i + 1, j)
        if (keys.has(key)) repeated.push(key)
        keys.add(key)
      }
      i = j
    }
  }
  return repeated
}
