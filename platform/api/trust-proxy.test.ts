// Behind a reverse proxy every client's socket is the proxy. X-Forwarded-For
// is believed only from the proxies TRUST_PROXY names: by default it is
// ignored (a client cannot choose the address the login throttle and the
// audit count on); from a trusted peer it names the client.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASE_KINDS } from '../../test/support/databases.ts'
import { startTestPlatform, type TestPlatform } from '../../test/support/platform.ts'

const PROXY = '10.8.0.1'
const CLIENT_A = '203.0.113.5'
const CLIENT_B = '198.51.100.7'

async function failedLogin (tp: TestPlatform, from: string, forwardedFor: string): Promise<number> {
  const r = await tp.platform.app.inject({
    method: 'POST', url: '/auth/login', payload: { username: 'admin', password: 'not-the-password' },
    remoteAddress: from, headers: { 'x-forwarded-for': forwardedFor },
  })
  return r.statusCode
}

async function auditedAddresses (tp: TestPlatform): Promise<string[]> {
  const r = await tp.platform.db.query<{ ip: string }>(`select detail->>'ip' as ip from audit_log where action = 'login.failed' order by seq`)
  return r.rows.map((row) => row.ip)
}

describe.each(DATABASE_KINDS)('X-Forwarded-For, TRUST_PROXY off (the default) (%s)', (kind) => {
  let tp: TestPlatform
  beforeAll(async () => { tp = await startTestPlatform(kind) }, 60_000)
  afterAll(async () => { await tp?.dispose() })

  it('is ignored: the socket address is the client', async () => {
    for (let i = 0; i < 5; i++) expect(await failedLogin(tp, PROXY, CLIENT_A)).toBe(401)
    // Another forwarded address does not escape the block: the throttle counts the socket.
    expect(await failedLogin(tp, PROXY, CLIENT_B)).toBe(429)
    expect(new Set(await auditedAddresses(tp))).toEqual(new Set([PROXY]))
  })
})

describe.each(DATABASE_KINDS)('X-Forwarded-For, TRUST_PROXY set (%s)', (kind) => {
  let tp: TestPlatform
  beforeAll(async () => { tp = await startTestPlatform(kind, { env: { TRUST_PROXY: '10.8.0.0/24' } }) }, 60_000)
  afterAll(async () => { await tp?.dispose() })

  it('names the client when the peer is a trusted proxy, and is ignored from anyone else', async () => {
    for (let i = 0; i < 5; i++) expect(await failedLogin(tp, PROXY, CLIENT_A)).toBe(401)
    expect(await failedLogin(tp, PROXY, CLIENT_A)).toBe(429)
    // Another client behind the same proxy is not blocked.
    expect(await failedLogin(tp, PROXY, CLIENT_B)).toBe(401)
    // A peer that is not a trusted proxy cannot pose as CLIENT_A (nor escape as someone else).
    expect(await failedLogin(tp, '10.9.0.1', CLIENT_A)).toBe(401)
    expect(await auditedAddresses(tp)).toEqual([...Array(5).fill(CLIENT_A), CLIENT_B, '10.9.0.1'])
  })
})
