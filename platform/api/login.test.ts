// POST /auth/login under guessing, on both databases: a guesser is refused
// from its own address, never the owner from theirs; failures from an address
// are counted whatever else succeeds from it (spraying); a refusal says when
// to come back.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASE_KINDS } from '../../test/support/databases.ts'
import { startTestPlatform, type TestPlatform } from '../../test/support/platform.ts'
import { DEMO_PASSWORD } from '../demo/demo-site.ts'

describe.each(DATABASE_KINDS)('POST /auth/login throttling (%s)', (kind) => {
  let tp: TestPlatform
  beforeAll(async () => { tp = await startTestPlatform(kind) }, 60_000)
  afterAll(async () => { await tp?.dispose() })

  async function login (username: string, password: string, from: string): Promise<{ status: number; body: any }> {
    const r = await tp.platform.app.inject({ method: 'POST', url: '/auth/login', payload: { username, password }, remoteAddress: from })
    return { status: r.statusCode, body: r.json() }
  }

  it('keeps a guesser at one address from locking the owner out: admin still logs in from elsewhere', async () => {
    for (let i = 0; i < 5; i++) expect((await login('admin', `guess-${i}-wrong`, '10.9.0.1')).status).toBe(401)
    // The guessing address is refused for this account, even with the right password ...
    const refused = await login('admin', DEMO_PASSWORD, '10.9.0.1')
    expect(refused).toMatchObject({ status: 429, body: { code: 'RH_TOO_MANY_REQUESTS' } })
    expect(refused.body.message).toMatch(/try again in \d+ s/)
    // ... and the owner, anywhere else, is not.
    const owner = await login('admin', DEMO_PASSWORD, '10.9.0.2')
    expect(owner.status).toBe(200)
    expect(owner.body.user.username).toBe('admin')
    // Other accounts from the guessing address are not refused either.
    expect((await login('landlord-li', DEMO_PASSWORD, '10.9.0.1')).status).toBe(200)
  })

  it('counts failures from an address whatever succeeds from it: spraying is throttled', async () => {
    const from = '10.9.1.1'
    const statuses: number[] = []
    // One wrong password on each of many accounts, with a valid login of the sprayer's own after every two.
    for (let i = 0; i < 30 && !statuses.includes(429); i++) {
      statuses.push((await login(`victim-${i}`, 'password1234', from)).status)
      if (i % 2 === 1) statuses.push((await login('landlord-wang', DEMO_PASSWORD, from)).status)
    }
    expect(statuses).toContain(429)
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(20)
    // Only that address: the same accounts from another one are judged on their own.
    expect((await login('landlord-wang', DEMO_PASSWORD, '10.9.1.2')).status).toBe(200)
  })

  it('only slows down an account guessed at from many addresses: the owner still gets in, after a bounded wait', async () => {
    // 12 failures from 12 addresses: 10 are free, the 11th and 12th raise the wait to 1 s (docs/api.md).
    for (let i = 0; i < 12; i++) expect((await login('police-zumiao', 'not-the-password', `10.9.3.${i}`)).status).toBe(401)
    const t0 = Date.now()
    const owner = await login('police-zumiao', DEMO_PASSWORD, '10.9.4.1')
    expect(owner.status).toBe(200)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950)
  })
})
