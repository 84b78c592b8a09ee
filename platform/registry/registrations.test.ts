// "Register on arrival, deregister on departure", on both databases: the
// registry follows a person who moves (their old stay is closed and the ledger
// says why), reports over-capacity rooms without refusing the registration,
// and the database itself keeps stays from being reopened, rewritten or deleted.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASE_KINDS } from '../../test/support/databases.ts'
import { residentIdNumber } from '../../test/support/id-numbers.ts'
import { callApi, startTestPlatform, type TestPlatform } from '../../test/support/platform.ts'
import { registryFingerprint } from '../../test/support/registry-state.ts'
import { sqlState } from '../store/database.ts'

describe.each(DATABASE_KINDS)('registrations (%s)', (kind) => {
  let tp: TestPlatform
  beforeAll(async () => { tp = await startTestPlatform(kind) }, 60_000)
  afterAll(async () => { await tp?.dispose() })

  // grid-chen's community holds both demo buildings (demo-b1: landlord-li, demo-b2: landlord-wang).
  const api = (method: string, url: string, payload?: object, who = 'grid-chen') => callApi(tp, who, method, url, payload)
  const person = (n: number) => ({ name: `Tenant ${n}`, idType: 'resident_id', idNumber: residentIdNumber(7000 + n) })
  const register = (roomId: string, body: object, who?: string) => api('POST', `/rooms/${roomId}/registrations`, body, who)
  const lastSeq = async (): Promise<number> =>
    (await tp.platform.db.query<{ seq: number }>('select coalesce(max(seq), 0)::int as seq from registry_ledger')).rows[0]!.seq
  const ledgerSince = async (buildingId: string, seq: number) =>
    (await api('GET', `/buildings/${buildingId}/ledger?afterSeq=${seq}`)).body as Array<Record<string, unknown>>
  const newRoom = async (capacity: number) => {
    const r = await api('POST', '/buildings/demo-b1/rooms', { number: `c${capacity}-${Math.random().toString(36).slice(2, 8)}`, capacity }, 'landlord-li')
    expect(r.status).toBe(201)
    return r.body.id as string
  }

  it('closes the stay of a person still registered elsewhere, revokes its credentials, and both ledgers show it', async () => {
    const first = await register('demo-b1-201', { resident: person(1), credentials: [{ kind: 'card', value: 'AB120001' }] })
    expect(first.status).toBe(201)
    expect(first.body.closedRegistrationId).toBeNull()
    const seq = await lastSeq()

    const second = await register('demo-b2-101', { resident: { ...person(1), name: 'Tenant One' }, credentials: [{ kind: 'card', value: 'AB120002' }] })
    expect(second.status).toBe(201)
    expect(second.body.closedRegistrationId).toBe(first.body.registration.id)
    expect(second.body.registration.resident.id).toBe(first.body.registration.resident.id)

    const old = await api('GET', `/registrations/${first.body.registration.id}`)
    expect(old.body).toMatchObject({ status: 'departed', departureReason: 'registered_elsewhere', departedAt: second.body.registration.arrivedAt })
    const oldCards = await api('GET', `/registrations/${first.body.registration.id}/credentials`)
    expect(oldCards.body).toEqual([expect.objectContaining({ value: '…0001', status: 'revoked', revokeReason: 'departed: registered_elsewhere' })])

    const actorId = tp.userIds['grid-chen']
    expect(await ledgerSince('demo-b1', seq)).toEqual([
      expect.objectContaining({
        action: 'registration.departed', actorId, registrationId: first.body.registration.id, roomId: 'demo-b1-201',
        detail: { reason: 'registered_elsewhere', departedAt: second.body.registration.arrivedAt },
      }),
      expect.objectContaining({ action: 'credential.revoked', actorId, credentialId: first.body.credentials[0].id, detail: { reason: 'departed: registered_elsewhere' } }),
    ])
    expect((await ledgerSince('demo-b2', seq)).map((e) => [e.action, e.credentialId ?? e.registrationId])).toEqual([
      ['registration.arrived', second.body.registration.id],
      ['credential.issued', second.body.credentials[0].id],
    ])
    // One person, one room at a time.
    const resident = await api('GET', `/residents/${second.body.registration.resident.id}`)
    expect(resident.body.registrations.map((g: { roomId: string; status: string }) => [g.roomId, g.status])).toEqual([
      ['demo-b2-101', 'active'], ['demo-b1-201', 'departed'],
    ])
  })

  it('refuses to register a person twice in the same room, and changes nothing', async () => {
    expect((await register('demo-b1-101', { resident: person(2) })).status).toBe(201)
    const before = await registryFingerprint(tp.platform.db)
    const again = await register('demo-b1-101', { resident: person(2), credentials: [{ kind: 'qr' }] })
    expect([again.status, again.body.code]).toEqual([409, 'RH_CONFLICT'])
    expect(await registryFingerprint(tp.platform.db)).toBe(before)
  })

  it('refuses an arrival dated before the start of the stay it would close, and changes nothing', async () => {
    expect((await register('demo-b1-101', { resident: person(3), arrivedAt: '2026-03-10T08:00:00.000Z' })).status).toBe(201)
    const before = await registryFingerprint(tp.platform.db)
    const moved = await register('demo-b2-101', { resident: person(3), arrivedAt: '2026-03-01T08:00:00.000Z' })
    expect([moved.status, moved.body.code]).toEqual([400, 'RH_BAD_REQUEST'])
    expect(moved.body.message).toMatch(/arrivedAt/)
    expect(await registryFingerprint(tp.platform.db)).toBe(before)
  })

  it('reports overCapacity once active registrations exceed the capacity, and registers anyway', async () => {
    const roomId = await newRoom(1)
    const flags: boolean[] = []
    const add = async (n: number) => {
      const r = await register(roomId, { resident: person(n) }, 'landlord-li')
      expect(r).toMatchObject({ status: 201, body: { registration: { status: 'active', roomId } } })
      flags.push(r.body.overCapacity)
      return r.body.registration.id as string
    }
    const a = await add(10) // 1 of 1
    await add(11) // 2 of 1
    expect((await api('GET', `/rooms/${roomId}`)).body.registered).toBe(2)
    expect((await api('POST', `/registrations/${a}/deregister`, { reason: 'moved_out' }, 'landlord-li')).status).toBe(200)
    await add(12) // 2 of 1 again
    expect((await api('PATCH', `/rooms/${roomId}`, { capacity: 3 }, 'landlord-li')).status).toBe(200)
    await add(13) // 3 of 3
    await add(14) // 4 of 3
    expect(flags).toEqual([false, true, true, false, true])
    expect((await api('GET', `/rooms/${roomId}/registrations?status=active`)).body).toHaveLength(4)
  })

  it('reports overCapacity when registrations into the same room arrive at the same time', async () => {
    const roomId = await newRoom(1)
    const results = await Promise.all([20, 21, 22].map((n) => register(roomId, { resident: person(n) }, 'landlord-li')))
    expect(results.map((r) => r.status)).toEqual([201, 201, 201])
    expect(results.map((r) => r.body.overCapacity).sort()).toEqual([false, true, true])
  })

  describe('the registrations trigger', () => {
    const refusedSql = async (sql: string, params: unknown[]) => {
      const err = await tp.platform.db.query(sql, params).then(() => undefined, (e: unknown) => e)
      expect(sqlState(err), sql).toBe('55000')
    }
    const row = async (id: string) => (await tp.platform.db.query('select * from registrations where id = $1', [id])).rows[0]

    it('refuses an UPDATE that reopens or rewrites a departed stay, and DELETE', async () => {
      const r = await register('demo-b1-102', { resident: person(30) })
      const id = r.body.registration.id as string
      expect((await api('POST', `/registrations/${id}/deregister`, { reason: 'lease_ended' })).status).toBe(200)
      const before = await row(id)
      await refusedSql(`update registrations set status = 'active', departed_at = null, departure_reason = null, deregistered_by = null where id = $1`, [id])
      await refusedSql(`update registrations set departure_reason = 'moved_out' where id = $1`, [id])
      await refusedSql(`update registrations set departed_at = departed_at + interval '1 day' where id = $1`, [id])
      await refusedSql(`update registrations set permit_valid_until = '2030-01-01' where id = $1`, [id])
      await refusedSql('delete from registrations where id = $1', [id])
      expect(await row(id)).toEqual(before)
    })

    it('refuses an UPDATE that rewrites who, where or when of an active stay, and DELETE; renewing and departing still work', async () => {
      const r = await register('demo-b1-102', { resident: person(31) })
      const id = r.body.registration.id as string
      const other = (await register('demo-b2-101', { resident: person(32) })).body.registration
      const before = await row(id)
      await refusedSql(`update registrations set arrived_at = arrived_at - interval '30 days' where id = $1`, [id])
      await refusedSql('update registrations set room_id = $2 where id = $1', [id, 'demo-b1-101'])
      await refusedSql('update registrations set building_id = $2, room_id = $3 where id = $1', [id, 'demo-b2', 'demo-b2-101'])
      await refusedSql('update registrations set resident_id = $2 where id = $1', [id, other.resident.id])
      await refusedSql('update registrations set registered_by = $2 where id = $1', [id, tp.userIds.admin])
      await refusedSql('delete from registrations where id = $1', [id])
      expect(await row(id)).toEqual(before)

      expect((await api('POST', `/registrations/${id}/renew`, { permitValidUntil: '2028-02-29' })).body.permitValidUntil).toBe('2028-02-29')
      expect((await api('POST', `/registrations/${id}/deregister`, { reason: 'moved_out' })).body.status).toBe('departed')
    })
  })
})
