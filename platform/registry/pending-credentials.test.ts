// A pending credential (issued to a registration that waits for a move) holds
// its value as firmly as an active one, on both databases: nobody else can be
// issued that card or QR token meanwhile, so activating it on confirm or on
// the old side's deregistration never collides. The person who moves may
// bring their own card (its old stay's copy is revoked before the new one is
// activated), and a card revoked at the old address does not come back to
// life at the new one.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASE_KINDS, openTestDatabase } from '../../test/support/databases.ts'
import { residentIdNumber } from '../../test/support/id-numbers.ts'
import { callApi, startTestPlatform, type TestPlatform } from '../../test/support/platform.ts'
import { registryFingerprint, seedTwoBuildings } from '../../test/support/registry-state.ts'
import { sqlState, UNIQUE_VIOLATION } from '../store/database.ts'
import { loadMigrations, migrate } from '../store/migrate.ts'
import { until } from '../../test/support/wait.ts'

describe.each(DATABASE_KINDS)('pending credentials hold their value (%s)', (kind) => {
  let tp: TestPlatform
  let serial = 0
  beforeAll(async () => { tp = await startTestPlatform(kind) }, 60_000)
  afterAll(async () => { await tp?.dispose() })

  const api = (who: string, method: string, url: string, body?: object) => callApi(tp, who, method, url, body)
  const card = (): string => `0D${kind === 'pglite' ? 'A' : 'B'}${String(++serial).padStart(5, '0')}`
  const person = (name: string) => ({ name, idType: 'resident_id', idNumber: residentIdNumber(7300 + ++serial) })
  const register = (who: string, room: string, resident: object, credentials: object[]) =>
    api(who, 'POST', `/rooms/${room}/registrations`, { resident, credentials })
  // Replies show a card only masked: the stored values are read from the database.
  const credentialsOf = async (registrationId: string) =>
    (await tp.platform.db.query<{ value: string; status: string }>(
      'select value, status from credentials where registration_id = $1 order by issued_at, id', [registrationId])).rows

  /** Wang's tenant in demo-b2 with a card; landlord Li registers them in demo-b1, which waits for the move. */
  async function pendingMove (liCredentials: (own: string) => object[]) {
    const resident = person('Mover')
    const own = card()
    const old = await register('landlord-wang', 'demo-b2-101', resident, [{ kind: 'card', value: own }])
    expect(old.status, JSON.stringify(old.body)).toBe(201)
    const next = await register('landlord-li', 'demo-b1-201', resident, liCredentials(own))
    expect(next.status, JSON.stringify(next.body)).toBe(201)
    expect(next.body.registration.status).toBe('pending')
    return { own, oldId: old.body.registration.id as string, oldCredential: old.body.credentials[0].id as string, newId: next.body.registration.id as string, moveId: next.body.move.id as string }
  }

  it('refuses to issue another holder a card that waits with a pending registration, anywhere', async () => {
    const fresh = card()
    const m = await pendingMove(() => [{ kind: 'card', value: fresh }])
    const before = await registryFingerprint(tp.platform.db)
    for (const [who, room] of [['landlord-li', 'demo-b1-101'], ['landlord-wang', 'demo-b2-101']] as const) {
      const r = await register(who, room, person('Someone Else'), [{ kind: 'card', value: fresh }])
      expect([r.status, r.body.code]).toEqual([409, 'RH_CREDENTIAL_IN_USE'])
      expect(JSON.stringify(r.body)).not.toMatch(/demo-b|Mover|\b[cgmr]-/)
    }
    expect(await registryFingerprint(tp.platform.db)).toBe(before)
    expect((await api('landlord-wang', 'POST', `/moves/${m.moveId}/confirm`, {})).status).toBe(200)
    expect(await credentialsOf(m.newId)).toEqual([{ value: fresh, status: 'active' }])
  })

  it('refuses the same card twice on one registration, in one request or one after the other', async () => {
    const value = card()
    const before = await registryFingerprint(tp.platform.db)
    const twice = await register('landlord-li', 'demo-b1-101', person('Twice'), [{ kind: 'card', value }, { kind: 'card', value }])
    expect([twice.status, twice.body.code]).toEqual([400, 'RH_BAD_REQUEST'])
    expect(await registryFingerprint(tp.platform.db)).toBe(before)

    const m = await pendingMove(() => [{ kind: 'card', value }])
    const again = await api('landlord-li', 'POST', `/registrations/${m.newId}/credentials`, { kind: 'card', value })
    expect([again.status, again.body.code]).toEqual([409, 'RH_CREDENTIAL_IN_USE'])
    // Nothing stands in the way of the move.
    const confirmed = await api('landlord-wang', 'POST', `/moves/${m.moveId}/confirm`, {})
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200)
    expect(await credentialsOf(m.newId)).toEqual([{ value, status: 'active' }])
  })

  it('lets the person bring their own card, on confirm and when the old side deregisters them', async () => {
    const confirmed = await pendingMove((own) => [{ kind: 'card', value: own }])
    const r = await api('landlord-wang', 'POST', `/moves/${confirmed.moveId}/confirm`, {})
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect(await credentialsOf(confirmed.oldId)).toEqual([{ value: confirmed.own, status: 'revoked' }])
    expect(await credentialsOf(confirmed.newId)).toEqual([{ value: confirmed.own, status: 'active' }])

    const released = await pendingMove((own) => [{ kind: 'card', value: own }])
    const d = await api('landlord-wang', 'POST', `/registrations/${released.oldId}/deregister`, { reason: 'moved_out' })
    expect(d.status, JSON.stringify(d.body)).toBe(200)
    expect((await api('admin', 'GET', `/registrations/${released.newId}`)).body.status).toBe('active')
    expect(await credentialsOf(released.newId)).toEqual([{ value: released.own, status: 'active' }])
  })

  it('revokes the pending copy of a card revoked at the old address, so it never reaches a reader', async () => {
    const m = await pendingMove((own) => [{ kind: 'card', value: own }])
    const r = await api('landlord-wang', 'POST', `/credentials/${m.oldCredential}/revoke`, { reason: 'stolen' })
    expect(r.status).toBe(200)
    const copy = (await api('landlord-li', 'GET', `/registrations/${m.newId}/credentials`)).body
    expect(copy).toMatchObject([{ value: `…${m.own.slice(-4)}`, status: 'revoked' }])
    // The old side's words stay on the old side.
    expect(JSON.stringify(copy)).not.toContain('stolen')
    expect((await api('landlord-wang', 'POST', `/moves/${m.moveId}/confirm`, {})).status).toBe(200)
    expect(await credentialsOf(m.newId)).toEqual([{ value: m.own, status: 'revoked' }])
    const listed = await tp.platform.db.query(`select 1 from credentials where value = $1 and status <> 'revoked'`, [m.own])
    expect(listed.rows).toHaveLength(0)
  })

  it('lets exactly one of a pending and an active issuance of one card through when they race', async () => {
    const value = card()
    const resident = person('Racer')
    expect((await register('landlord-wang', 'demo-b2-101', resident, [])).status).toBe(201)
    const [pending, active] = await Promise.all([
      register('landlord-li', 'demo-b1-201', resident, [{ kind: 'card', value }]),
      register('landlord-wang', 'demo-b2-101', person('Other Racer'), [{ kind: 'card', value }]),
    ])
    expect([pending!.status, active!.status].sort()).toEqual([201, 409])
    const held = await tp.platform.db.query(`select 1 from credentials where value = $1 and status in ('pending', 'active')`, [value])
    expect(held.rows).toHaveLength(1)
  })

  it('is enforced by the database itself for pending credentials of different holders', async () => {
    const db = tp.platform.db
    const value = card()
    const pass = (id: string, building: string, room: string, status: string) => db.query(
      `insert into credentials (id, building_id, room_id, kind, value, visitor, visitor_name, visitor_id, issued_by, status)
       values ($1, $2, $3, 'card', $4, true, 'x', $1, $5, $6)`, [id, building, room, value, tp.userIds.admin, status])
    await pass(`c-pa-${kind}`, 'demo-b1', 'demo-b1-102', 'active')
    await expect(pass(`c-pb-${kind}`, 'demo-b2', 'demo-b2-101', 'pending')).rejects.toSatisfy((e) => sqlState(e) === UNIQUE_VIOLATION)
    const face = (id: string, status: string) => db.query(
      `insert into credentials (id, building_id, room_id, kind, value, visitor, visitor_name, visitor_id, issued_by, status)
       values ($1, 'demo-b1', 'demo-b1-102', 'face', $2, true, 'x', $1, $3, $4)`, [id, `face-${value}`, tp.userIds.admin, status])
    await face(`c-fa-${kind}`, 'pending')
    await expect(face(`c-fb-${kind}`, 'active')).rejects.toSatisfy((e) => sqlState(e) === UNIQUE_VIOLATION)
  })
  it('lets two credentials of one value end at once: the second counts down after the first', async () => {
    const db = tp.platform.db
    const value = card()
    const pass = (id: string, status: string) => db.query(
      `insert into credentials (id, building_id, room_id, kind, value, visitor, visitor_name, visitor_id, issued_by, status)
       values ($1, 'demo-b1', 'demo-b1-102', 'card', $2, true, 'x', $3, $4, $5)`, [id, value, `v-race-${kind}`, tp.userIds.admin, status])
    // One visitor's active pass and its pending renewal: one hold, two credentials.
    await pass(`c-ra-${kind}`, 'active')
    await pass(`c-rb-${kind}`, 'pending')
    const revoke = (tx: { query: typeof db.query }, id: string) => tx.query(`update credentials set status = 'revoked', revoked_at = now() where id = $1`, [id])
    let release!: () => void
    const held = new Promise<void>((resolve) => { release = resolve })
    let revokedFirst!: () => void
    const firstDone = new Promise<void>((resolve) => { revokedFirst = resolve })
    const first = db.transaction(async (tx) => { await revoke(tx, `c-ra-${kind}`); revokedFirst(); await held })
    // PGlite runs one transaction at a time: the second could not start while the first waits.
    if (kind === 'postgres') await firstDone
    const second = db.transaction(async (tx) => { await revoke(tx, `c-rb-${kind}`) })
    // On PostgreSQL the second waits for the first's lock on the hold.
    try {
      if (kind === 'postgres') {
        await until('the second revocation waits for the first', async () =>
          (await db.query(`select 1 from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`)).rows.length > 0)
      }
    } finally {
      release()
    }
    await first
    await second
    const holds = await db.query('select credentials from credential_holds where kind = $1 and value = $2', ['card', value])
    expect(holds.rows).toEqual([])
  })
})

describe.each(DATABASE_KINDS)('upgrading a registry with pending credentials that could never activate (%s)', (kind) => {
  it('revokes them in their ledger and holds every other value for its holder', async () => {
    const t = await openTestDatabase(kind, { migrations: loadMigrations().filter((m) => m.version < 18) })
    try {
      const db = t.db
      await seedTwoBuildings(db)
      await db.exec(`insert into credentials (id, building_id, room_id, kind, value, visitor, visitor_name, visitor_id, issued_by, issued_at, status) values
          ('c-1', 'b1', 'r1', 'card', 'AA01', true, 'x', 'c-1', 'u', '2026-02-01', 'active'),
          ('c-2', 'b2', 'r2', 'card', 'AA01', true, 'x', 'c-2', 'u', '2026-01-01', 'pending'),
          ('c-3', 'b2', 'r2', 'qr', 'token-3', true, 'x', 'c-3', 'u', '2026-01-01', 'pending')`)
      expect(await migrate(db, loadMigrations().filter((m) => m.version === 18))).toEqual([18])
      const r = await db.query<{ id: string; status: string }>('select id, status from credentials order by id')
      expect(r.rows).toEqual([{ id: 'c-1', status: 'active' }, { id: 'c-2', status: 'revoked' }, { id: 'c-3', status: 'pending' }])
      const ledger = await db.query<{ credential_id: string; building_id: string; action: string }>(
        'select credential_id, building_id, action from registry_ledger order by seq')
      expect(ledger.rows).toEqual([{ credential_id: 'c-2', building_id: 'b2', action: 'credential.revoked' }])
      const holds = await db.query('select kind, value, holder, credentials from credential_holds order by kind')
      expect(holds.rows).toEqual([
        { kind: 'card', value: 'AA01', holder: 'visitor:c-1', credentials: 1 },
        { kind: 'qr', value: 'token-3', holder: 'visitor:c-3', credentials: 1 },
      ])
      await expect(db.query(`insert into credentials (id, building_id, room_id, kind, value, visitor, visitor_name, visitor_id, issued_by, status)
        values ('c-4', 'b1', 'r1', 'qr', 'token-3', true, 'x', 'c-4', 'u', 'pending')`)).rejects.toSatisfy((e) => sqlState(e) === UNIQUE_VIOLATION)
      // Revoking the last credential with a value lets it go.
      await db.query(`update credentials set status = 'revoked', revoked_at = now() where id = 'c-3'`)
      await db.query(`insert into credentials (id, building_id, room_id, kind, value, visitor, visitor_name, visitor_id, issued_by)
        values ('c-5', 'b1', 'r1', 'qr', 'token-3', true, 'x', 'c-5', 'u')`)
      expect((await db.query(`select holder from credential_holds where value = 'token-3'`)).rows).toEqual([{ holder: 'visitor:c-5' }])
      // Nor does a credential taken out of the table keep its value held.
      await db.query(`delete from credentials where id = 'c-5'`)
      expect((await db.query(`select holder from credential_holds where value = 'token-3'`)).rows).toEqual([])
    } finally {
      await t.dispose()
    }
  }, 60_000)
})
