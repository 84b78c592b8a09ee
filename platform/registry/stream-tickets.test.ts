// Stream tickets on both databases: once, within their 60 s, from their
// address, and never past the end of their session.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from '../../test/support/databases.ts'
import { CredentialSecrets } from '../privacy/credential-secrets.ts'
import { IdVault } from '../privacy/id-vault.ts'
import { Registry } from './registry.ts'
import { STREAM_TICKET_TTL_MS, STREAM_TICKETS_PER_ACCOUNT } from './stream-tickets.ts'

describe.each(DATABASE_KINDS)('stream tickets (%s)', (kind) => {
  let t: TestDatabase
  let registry: Registry
  const clock = { t: Date.parse('2026-11-20T08:00:00Z') }
  beforeAll(async () => {
    t = await openTestDatabase(kind)
    registry = new Registry({ db: t.db, vault: IdVault.fromKey('b4'.repeat(32)), secrets: CredentialSecrets.fromKey('b4'.repeat(32)), now: () => new Date(clock.t) })
    await registry.users.create(null, { username: 'root', displayName: 'Root', role: 'admin', password: 'a-long-password' })
  }, 60_000)
  afterAll(async () => { await t?.dispose() })

  const session = async (): Promise<string> => (await registry.users.login('root', 'a-long-password', '10.0.0.1')).token

  it('is taken once, from the address it was issued to, and leads to its session', async () => {
    const token = await session()
    const { ticket, expiresAt } = await registry.streamTickets.issue(token, '10.0.0.1')
    expect(Date.parse(expiresAt)).toBe(clock.t + STREAM_TICKET_TTL_MS)
    const s = await registry.streamTickets.redeem(ticket, '10.0.0.1')
    expect(s?.actor.username).toBe('root')
    expect(await registry.users.actorForSession(s!.sessionHash)).toMatchObject({ username: 'root' })
    expect(await registry.streamTickets.redeem(ticket, '10.0.0.1')).toBeUndefined()
    const other = await registry.streamTickets.issue(token, '10.0.0.1')
    expect(await registry.streamTickets.redeem(other.ticket, '10.0.0.2')).toBeUndefined()
    expect(await registry.streamTickets.redeem(other.ticket, '10.0.0.1')).toBeUndefined() // taken by the failed attempt
  })

  it('expires after its 60 s and ends with its session', async () => {
    const token = await session()
    const late = await registry.streamTickets.issue(token, '10.0.0.1')
    clock.t += STREAM_TICKET_TTL_MS
    expect(await registry.streamTickets.redeem(late.ticket, '10.0.0.1')).toBeUndefined()
    const ended = await registry.streamTickets.issue(token, '10.0.0.1')
    await registry.users.logout(token)
    expect(await registry.streamTickets.redeem(ended.ticket, '10.0.0.1')).toBeUndefined()
    await expect(registry.streamTickets.issue(token, '10.0.0.1')).rejects.toMatchObject({ code: 'RH_UNAUTHENTICATED' })
    // Issuing clears expired tickets.
    const rows = await t.db.query<{ n: number }>('select count(*)::int as n from stream_tickets where expires_at <= $1', [new Date(clock.t)])
    expect(rows.rows[0]!.n).toBe(0)
  })

  it('holds at most STREAM_TICKETS_PER_ACCOUNT unused tickets per account, over all its sessions', async () => {
    clock.t += STREAM_TICKET_TTL_MS // nothing left from the cases above
    await registry.users.create(null, { username: 'other', displayName: 'Other', role: 'admin', password: 'a-long-password' })
    const first = await session()
    const second = await session()
    const issued = []
    for (let i = 0; i < STREAM_TICKETS_PER_ACCOUNT; i++) issued.push(await registry.streamTickets.issue(i % 2 === 0 ? first : second, '10.0.0.1'))
    await expect(registry.streamTickets.issue(first, '10.0.0.1')).rejects.toMatchObject({ code: 'RH_TOO_MANY_REQUESTS', statusCode: 429 })
    await expect(registry.streamTickets.issue(second, '10.0.0.1')).rejects.toMatchObject({ code: 'RH_TOO_MANY_REQUESTS' })
    const count = async (): Promise<number> => (await t.db.query<{ n: number }>('select count(*)::int as n from stream_tickets')).rows[0]!.n
    expect(await count()).toBe(STREAM_TICKETS_PER_ACCOUNT)
    // Another account is not affected.
    const others = (await registry.users.login('other', 'a-long-password', '10.0.0.9')).token
    await registry.streamTickets.issue(others, '10.0.0.9')
    // Taking one frees a place; so does expiry, and expired ones are deleted.
    expect(await registry.streamTickets.redeem(issued[0]!.ticket, '10.0.0.1')).toBeDefined()
    await registry.streamTickets.issue(first, '10.0.0.1')
    await expect(registry.streamTickets.issue(first, '10.0.0.1')).rejects.toMatchObject({ code: 'RH_TOO_MANY_REQUESTS' })
    clock.t += STREAM_TICKET_TTL_MS
    await registry.streamTickets.issue(first, '10.0.0.1')
    expect(await count()).toBe(1)
  })
})
