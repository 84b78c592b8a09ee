// One card, one holder, on both databases: a card, IC card or QR value is
// active for at most one credential on the whole platform, refused with the
// same answer whoever holds it (in the landlord's own building or another
// landlord's), enforced by the database under concurrent issuance too. PINs
// are never refused (that would tell a landlord someone's PIN); face
// references are per building (readers number their own enrolments).

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASE_KINDS, openTestDatabase } from '../../test/support/databases.ts'
import { residentIdNumber } from '../../test/support/id-numbers.ts'
import { callApi, startTestPlatform, type TestPlatform } from '../../test/support/platform.ts'
import { registryFingerprint, seedTwoBuildings } from '../../test/support/registry-state.ts'
import { until } from '../../test/support/wait.ts'
import { sqlState, UNIQUE_VIOLATION } from '../store/database.ts'
import { loadMigrations, migrate } from '../store/migrate.ts'

const DAY = 86_400_000

describe.each(DATABASE_KINDS)('credential values across buildings (%s)', (kind) => {
  let tp: TestPlatform
  let serial = 0
  beforeAll(async () => { tp = await startTestPlatform(kind) }, 60_000)
  afterAll(async () => { await tp?.dispose() })

  const api = (who: string, method: string, url: string, body?: object) => callApi(tp, who, method, url, body)
  const register = (who: string, room: string, credentials: object[]) => {
    serial++
    return api(who, 'POST', `/rooms/${room}/registrations`, {
      resident: { name: `Holder ${serial}`, idType: 'resident_id', idNumber: residentIdNumber(6000 + serial) }, credentials,
    })
  }
  const value = (n: number) => `0C${kind === 'pglite' ? 'A' : 'B'}${String(n).padStart(5, '0')}`

  it('refuses a card active anywhere with one answer that names nobody, through every way of issuing', async () => {
    // Huang Lei's card, in landlord Wang's demo-b2; and one of landlord Li's own, in demo-b1.
    const own = await register('landlord-li', 'demo-b1-201', [{ kind: 'card', value: value(1) }])
    expect(own.status).toBe(201)
    const before = await registryFingerprint(tp.platform.db)
    const refusals = [
      await register('landlord-li', 'demo-b1-201', [{ kind: 'card', value: '04d5e6f7' }]),
      await register('landlord-li', 'demo-b1-201', [{ kind: 'card', value: value(1) }]),
      await api('landlord-li', 'POST', `/registrations/${own.body.registration.id}/credentials`, { kind: 'card', value: '04D5E6F7' }),
      await api('landlord-li', 'POST', '/rooms/demo-b1-102/visitor-passes', {
        visitorName: 'Guest', validUntil: new Date(Date.now() + DAY).toISOString(), kind: 'card', value: '04D5E6F7',
      }),
    ]
    for (const r of refusals) {
      expect(r.status).toBe(409)
      expect(r.body).toEqual(refusals[0]!.body)
    }
    expect(refusals[0]!.body.code).toBe('RH_CREDENTIAL_IN_USE')
    expect(JSON.stringify(refusals[0]!.body)).not.toMatch(/demo-b|Lianhua|Huang|Wang|Holder \d|\b[cgr]-|04D5E6F7/i)
    expect(await registryFingerprint(tp.platform.db)).toBe(before)
  })

  it('the same for IC cards and QR tokens; a value is free again once revoked', async () => {
    expect((await register('landlord-li', 'demo-b1-201', [{ kind: 'ic_card', value: 'E0040150A1B2C3D4' }])).status).toBe(409)
    const qr = await register('landlord-wang', 'demo-b2-101', [{ kind: 'qr', value: `token-${kind}-1` }])
    expect(qr.status).toBe(201)
    expect((await register('landlord-li', 'demo-b1-201', [{ kind: 'qr', value: `token-${kind}-1` }])).body.code).toBe('RH_CREDENTIAL_IN_USE')
    expect((await api('landlord-wang', 'POST', `/credentials/${qr.body.credentials[0].id}/revoke`, { reason: 'lost' })).status).toBe(200)
    expect((await register('landlord-li', 'demo-b1-201', [{ kind: 'qr', value: `token-${kind}-1` }])).status).toBe(201)
  })

  it('never refuses a PIN, in the same building or another; face references are unique per building only', async () => {
    for (const [who, room] of [['landlord-li', 'demo-b1-201'], ['landlord-li', 'demo-b1-101'], ['landlord-wang', 'demo-b2-101']] as const) {
      expect((await register(who, room, [{ kind: 'pin', value: '2468' }])).status).toBe(201)
    }
    expect((await register('landlord-li', 'demo-b1-201', [{ kind: 'face', value: `face-${kind}-0001` }])).status).toBe(201)
    expect((await register('landlord-wang', 'demo-b2-101', [{ kind: 'face', value: `face-${kind}-0001` }])).status).toBe(201)
    const again = await register('landlord-li', 'demo-b1-101', [{ kind: 'face', value: `face-${kind}-0001` }])
    expect([again.status, again.body.code]).toEqual([409, 'RH_CREDENTIAL_IN_USE'])
    // The pipeline finds, for a face seen at a door, the enrolment of that door's building.
    const view = tp.platform.view
    await until('the view to know both', () => view.credentialByValue('face', `face-${kind}-0001`, 'demo-b2')?.buildingId === 'demo-b2')
    expect(view.credentialByValue('face', `face-${kind}-0001`, 'demo-b1')?.buildingId).toBe('demo-b1')
  })

  it('lets exactly one of two concurrent issuances of one card in two buildings through', async () => {
    const [a, b] = await Promise.all([
      register('admin', 'demo-b1-201', [{ kind: 'card', value: value(2) }]),
      register('admin', 'demo-b2-101', [{ kind: 'card', value: value(2) }]),
    ])
    expect([a!.status, b!.status].sort()).toEqual([201, 409])
    const active = await tp.platform.db.query(`select building_id from credentials where value = $1 and status = 'active'`, [value(2)])
    expect(active.rows).toHaveLength(1)
  })

  it('is enforced by the database itself', async () => {
    const db = tp.platform.db
    const insert = (id: string, building: string, room: string, k: string, v: string) => db.query(
      `insert into credentials (id, building_id, room_id, kind, value, visitor, visitor_name, visitor_id, issued_by)
       values ($1, $2, $3, $4, $5, true, 'x', $1, $6)`, [id, building, room, k, v, tp.userIds.admin])
    await insert(`c-db1-${kind}`, 'demo-b1', 'demo-b1-102', 'card', value(3))
    await expect(insert(`c-db2-${kind}`, 'demo-b2', 'demo-b2-101', 'card', value(3))).rejects.toSatisfy((e) => sqlState(e) === UNIQUE_VIOLATION)
    await insert(`c-db3-${kind}`, 'demo-b1', 'demo-b1-102', 'pin', 'sha256:abcd')
    await insert(`c-db4-${kind}`, 'demo-b1', 'demo-b1-102', 'pin', 'sha256:abcd')
  })
})

describe.each(DATABASE_KINDS)('upgrading a registry that holds one card twice (%s)', (kind) => {
  it('keeps both working, marks the later one shared, and refuses the value from then on', async () => {
    const t = await openTestDatabase(kind, { migrations: loadMigrations().filter((m) => m.version < 13) })
    try {
      const db = t.db
      await seedTwoBuildings(db)
      await db.exec(`insert into credentials (id, building_id, room_id, kind, value, visitor, visitor_name, issued_by, issued_at) values
          ('c-1', 'b1', 'r1', 'card', 'AA01', true, 'x', 'u', '2026-01-01'), ('c-2', 'b2', 'r2', 'card', 'AA01', true, 'x', 'u', '2026-02-01')`)
      expect(await migrate(db)).toContain(13)
      const r = await db.query<{ id: string; status: string; value_shared: boolean }>('select id, status, value_shared from credentials order by id')
      expect(r.rows).toEqual([{ id: 'c-1', status: 'active', value_shared: false }, { id: 'c-2', status: 'active', value_shared: true }])
      const issue = () => db.query(`insert into credentials (id, building_id, room_id, kind, value, visitor, visitor_name, visitor_id, issued_by)
        values ('c-3', 'b2', 'r2', 'card', 'AA01', true, 'x', 'c-3', 'u')`)
      await expect(issue()).rejects.toSatisfy((e) => sqlState(e) === UNIQUE_VIOLATION)
      // Still refused once the first holder's card is gone: the shared copy is live and keeps the value.
      await db.query(`update credentials set status = 'revoked', revoked_at = now() where id = 'c-1'`)
      await expect(issue()).rejects.toSatisfy((e) => sqlState(e) === UNIQUE_VIOLATION)
      // And free again once no copy is live.
      await db.query(`update credentials set status = 'revoked', revoked_at = now() where id = 'c-2'`)
      await issue()
    } finally {
      await t.dispose()
    }
  }, 60_000)
})
