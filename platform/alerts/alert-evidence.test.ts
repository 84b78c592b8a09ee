// GET /alerts/{id}/evidence on the real database: references resolved into
// the logged events (credentials masked), the door's timeline one minute
// either side, the room of an overcrowding alert, the last passage of a
// resident not seen; scoped and audited.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from '../../test/support/databases.ts'
import { EventHistory } from '../events/event-history.ts'
import { AlertEvidence, maskCredentialValue } from './alert-evidence.ts'
import { AlertService } from './alert-service.ts'
import { candidate, seedAlertWorld, type AlertWorld } from './alerts.test-kit.ts'

const T = Date.parse('2026-03-01T10:00:00Z')

describe('maskCredentialValue', () => {
  it('keeps the last four characters of what was read, as every other view does; never a short value or a PIN', () => {
    expect(maskCredentialValue('04A1B2C3D4')).toBe('…C3D4')
    expect(maskCredentialValue('12345')).toBe('…2345')
    expect(maskCredentialValue('1234')).toBe('…')
    expect(maskCredentialValue('entered')).toBe('entered')
    expect(maskCredentialValue('卡号一二三四五六')).toBe('…三四五六')
  })
})

describe.each(DATABASE_KINDS)('alert evidence on %s', (kind) => {
  let t: TestDatabase
  let w: AlertWorld
  let alerts: AlertService
  let evidence: AlertEvidence
  let seq = 0

  const event = async (o: { building: string; device?: string; id: string; channel: string; door?: string | null; credentialId?: string | null; at: number; payload: Record<string, unknown> }) => {
    await t.db.query(`insert into events (log_seq, device_id, event_id, seq, building_id, channel, door, credential_id, at, received_at, payload)
      values ($1, $2, $3, $1, $4, $5, $6, $7, $8, $8, $9::jsonb)`,
    [++seq, o.device ?? 'dev-1', o.id, o.building, o.channel, o.door === undefined ? 'main' : o.door, o.credentialId ?? null, new Date(o.at), JSON.stringify(o.payload)])
  }

  beforeAll(async () => {
    t = await openTestDatabase(kind)
    w = await seedAlertWorld(t.db)
    alerts = new AlertService({ db: t.db })
    evidence = new AlertEvidence(t.db, new EventHistory(t.db))
    const access = (value: string, result: string, extra: Record<string, unknown> = {}) => ({ door: 'main', direction: 'in', credential: { kind: 'card', value }, result, ...extra })
    await event({ building: w.bA, id: 'e-before', channel: 'event/access', at: T - 90_000, payload: access('AAAA111122', 'granted') })
    await event({ building: w.bA, id: 'e-1', channel: 'event/access', at: T, payload: access('0BADCAFE99', 'denied', { reason: 'unknown_credential' }) })
    await event({ building: w.bA, id: 'e-door', channel: 'event/door', at: T + 20_000, payload: { door: 'main', state: 'forced_open' } })
    await event({ building: w.bA, device: 'cam-1', id: 'e-cam', channel: 'event/person', at: T + 30_000, payload: { door: 'main', count: 2, snapshot: 'nvr://cam-1/123' } })
    await event({ building: w.bA, id: 'e-after', channel: 'event/access', at: T + 61_000, payload: access('CCCC333344', 'granted') })
    await event({ building: w.bA, id: 'e-side', channel: 'event/access', door: 'side', at: T + 5_000, payload: { ...access('DDDD555566', 'granted'), door: 'side' } })
    await event({ building: w.bB, id: 'e-other', channel: 'event/access', at: T + 1_000, payload: access('EEEE777788', 'granted') })
  })
  afterAll(async () => { alerts?.close(); await t?.dispose() })

  it('resolves the references, masks credentials, and adds the door\'s timeline one minute either side', async () => {
    const a = (await alerts.raise(candidate(w.bA, { type: 'unknown_credential', dedupKey: `ev-${kind}`, door: 'main', evidence: ['dev-1/e-1', 'cam-1/e-cam', 'dev-1/gone'] })))!.alert
    const got = await evidence.get({ ...w.landlordA, ip: '10.0.0.9' }, a.id)
    expect(got.events.map((e) => e.ref)).toEqual(['dev-1/e-1', 'cam-1/e-cam'])
    expect(got.events[0]).toEqual({
      ref: 'dev-1/e-1', deviceId: 'dev-1', eventId: 'e-1', channel: 'event/access', at: new Date(T).toISOString(), door: 'main', direction: 'in',
      result: 'denied', denyReason: 'unknown_credential', doorState: null, credential: { kind: 'card', masked: '…FE99', credentialId: null },
      count: null, snapshotRef: null,
    })
    expect(got.events[1]).toMatchObject({ channel: 'event/person', count: 2, snapshotRef: 'nvr://cam-1/123', credential: null })
    expect(got.missing).toEqual(['dev-1/gone'])
    expect(got.timelines).toHaveLength(1)
    expect(got.timelines[0]).toMatchObject({ door: 'main', from: new Date(T - 60_000).toISOString(), to: new Date(T + 90_000).toISOString() })
    expect(got.timelines[0]!.events.map((e) => e.eventId)).toEqual(['e-1', 'e-door', 'e-cam', 'e-after'])
    expect(got.timelines[0]!.events.find((e) => e.eventId === 'e-door')).toMatchObject({ doorState: 'forced_open' })
    expect(JSON.stringify(got)).not.toMatch(/0BADCAFE99|CCCC333344|EEEE/)
    expect(got.room).toBeNull()
    const audit = await t.db.query<{ action: string; subject_id: string; ip: string }>(
      `select action, subject_id, ip from audit_log where actor_id = $1 order by seq`, [w.landlordA.id])
    expect(audit.rows).toEqual([
      { action: 'alert.evidence.read', subject_id: a.id, ip: '10.0.0.9' },
      { action: 'events.door.read', subject_id: `${w.bA}/main`, ip: '10.0.0.9' },
    ])
  })

  it('is refused outside the scope and not audited then', async () => {
    const a = (await alerts.raise(candidate(w.bA, { dedupKey: `ev-scope-${kind}`, evidence: ['dev-1/e-1'] })))!.alert
    const before = (await t.db.query<{ n: number }>('select count(*)::int as n from audit_log')).rows[0]!.n
    await expect(evidence.get(w.landlordB, a.id)).rejects.toMatchObject({ code: 'RH_NOT_FOUND' })
    await expect(evidence.get(w.policeOther, a.id)).rejects.toMatchObject({ code: 'RH_NOT_FOUND' })
    await expect(evidence.get(w.vendor, a.id)).rejects.toMatchObject({ code: 'RH_NOT_FOUND' })
    expect((await t.db.query<{ n: number }>('select count(*)::int as n from audit_log')).rows[0]!.n).toBe(before)
    expect((await evidence.get(w.gridWorker, a.id)).events).toHaveLength(1)
  })

  it('shows the room of an overcrowding alert and the last passage of a resident not seen', async () => {
    await t.db.query(`insert into rooms (id, building_id, number, capacity) values ($1, $2, '101', 2)`, [`room-${kind}`, w.bA])
    // A visitor's pass: a credential without a registration to seed.
    await t.db.query(`insert into credentials (id, building_id, room_id, kind, value, issued_by, visitor, visitor_name, visitor_id)
      values ($1, $2, $3, 'card', 'FFFF999900', $4, true, 'V', $1)`,
    [`cred-${kind}`, w.bA, `room-${kind}`, w.admin.id])
    await event({ building: w.bA, id: `e-seen-${kind}`, channel: 'event/access', credentialId: `cred-${kind}`, at: T - 86_400_000,
      payload: { door: 'main', direction: 'out', credential: { kind: 'card', value: 'FFFF999900', credentialId: `cred-${kind}` }, result: 'granted' } })
    const crowd = (await alerts.raise(candidate(w.bA, { type: 'overcrowding_registered', dedupKey: `crowd-${kind}`, roomId: `room-${kind}`, door: undefined, evidence: [], level: 3 })))!.alert
    expect((await evidence.get(w.police, crowd.id)).room).toEqual({ roomId: `room-${kind}`, capacity: 2, activeRegistrations: 0 })
    const notSeen = (await alerts.raise(candidate(w.bA, {
      type: 'resident_not_seen', dedupKey: `ns-${kind}`, roomId: `room-${kind}`, credentialId: `cred-${kind}`, door: undefined, evidence: [], severity: 'info',
    })))!.alert
    const got = await evidence.get(w.police, notSeen.id)
    expect(got.lastPassage).toMatchObject({ eventId: `e-seen-${kind}`, direction: 'out', credential: { kind: 'card', masked: '…9900', credentialId: `cred-${kind}` } })
    expect(got.timelines).toEqual([])
  })
})
