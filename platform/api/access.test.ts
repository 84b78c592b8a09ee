// Every route, called by every kind of account, in and out of scope: the right
// people get through, everyone else gets 401/403/404 and nothing changes.
// List routes answer everyone, with only what is in their scope. Runs on both
// databases (a few seconds each); the open-door route drives a reader
// connected over a real socket.

import type { MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASE_KINDS } from '../../test/support/databases.ts'
import { residentIdNumber } from '../../test/support/id-numbers.ts'
import { connectReader, type Inbox } from '../../test/support/mqtt-device.ts'
import { callApi, provisionReader, startTestPlatform, type TestPlatform } from '../../test/support/platform.ts'
import { registryFingerprint } from '../../test/support/registry-state.ts'
import { candidate } from '../alerts/alerts.test-kit.ts'

const ACCOUNTS = ['admin', 'landlord-li', 'landlord-wang', 'grid-chen', 'grid-zhou', 'police-zumiao', 'police-other', 'vendor-acme', 'vendor-other'] as const
type Account = (typeof ACCOUNTS)[number]

// Set up afresh by each database's suite.
let tp: TestPlatform
let reader: { client: MqttClient; box: Inbox }
let serial = 0

/** A reader of demo-b1, connected for the whole suite; open-door commands go to it. */
const READER = 'acc-reader'

const call = (who: Account | null, method: string, url: string, payload?: unknown) => callApi(tp, who, method, url, payload)

const fingerprint = () => registryFingerprint(tp.platform.db)

async function register (room = 'demo-b1-201'): Promise<{ registrationId: string; residentId: string; credentialId: string }> {
  serial++
  const r = await call('admin', 'POST', `/rooms/${room}/registrations`, {
    resident: { name: `Tenant ${serial}`, idType: 'resident_id', idNumber: residentIdNumber(serial) },
    credentials: [{ kind: 'card', value: `CA${String(serial).padStart(6, '0')}` }],
  })
  expect(r.status).toBe(201)
  const reg = r.body.registration as { id: string; resident: { id: string } }
  return { registrationId: reg.id, residentId: reg.resident.id, credentialId: (r.body.credentials as Array<{ id: string }>)[0]!.id }
}

/** A person living in demo-b2 (landlord-wang's) whom landlord-li registers in demo-b1: a move from demo-b2 to demo-b1. */
async function move (): Promise<string> {
  serial++
  const resident = { name: `Mover ${serial}`, idType: 'resident_id', idNumber: residentIdNumber(serial) }
  expect((await call('landlord-wang', 'POST', '/rooms/demo-b2-101/registrations', { resident })).status).toBe(201)
  const r = await call('landlord-li', 'POST', '/rooms/demo-b1-201/registrations', { resident })
  expect(r.body.move).toMatchObject({ status: 'waiting' })
  return r.body.move.id as string
}

/** A fresh open alert in demo-b1; its id. */
async function raiseAlert (): Promise<string> {
  const change = await tp.platform.alerts.raise(candidate('demo-b1', { dedupKey: `acc-alert-${++serial}`, door: `acc-door-${serial}` }))
  return change!.alert.id
}

/** A fresh webhook of the Zumiao jurisdiction; its id. */
async function webhook (): Promise<string> {
  const r = await call('admin', 'POST', '/webhooks', { url: `http://127.0.0.1:9/acc-${++serial}`, areaId: 'zumiao' })
  expect(r.status).toBe(201)
  return r.body.webhook.id
}

interface RouteCase {
  name: string
  allowed: Account[]
  /** Builds a fresh request (for writes, a fresh target per caller). */
  request: () => Promise<{ method: string; url: string; payload?: unknown }> | { method: string; url: string; payload?: unknown }
  okStatus?: number
  /** Checks what an allowed caller got (list routes: exactly their scope). */
  expectBody?: (who: Account, body: any) => Promise<void> | void
  /** Checks the effect outside the database, given the bodies the allowed callers got. */
  verify?: (allowedBodies: any[]) => Promise<void>
}

const READ_B1: Account[] = ['admin', 'landlord-li', 'grid-chen', 'police-zumiao', 'vendor-acme']
const RESIDENTS_READ_B1: Account[] = ['admin', 'landlord-li', 'grid-chen', 'police-zumiao']
const RESIDENTS_WRITE_B1: Account[] = ['admin', 'landlord-li', 'grid-chen']
const MANAGE_B1: Account[] = ['admin', 'landlord-li']
const PATROL_B1: Account[] = ['admin', 'grid-chen', 'police-zumiao']
const CHECKLIST = { extinguisher: 'ok', smoke_detector: 'ok', escape_route: 'ok', partitions: 'ok', ebike_charging: 'ok', wiring: 'ok', occupancy: 'ok' }

/** The code of demo-b1's own door plate. */
async function plateCode (): Promise<string> {
  return (await call('admin', 'GET', '/buildings/demo-b1/plates')).body.plates[0].code
}

/** A fresh open finding in demo-b1, from a patrol; its id. */
async function finding (): Promise<string> {
  const r = await call('admin', 'POST', '/buildings/demo-b1/patrols', {
    code: await plateCode(), headcount: 1, checklist: { ...CHECKLIST, wiring: 'problem' },
    findings: [{ item: 'wiring', description: `loose cable ${++serial}`, deadline: '2199-12-31' }],
  })
  expect(r.status).toBe(201)
  return r.body.findings[0].id
}
const PROVISION_B1: Account[] = ['admin', 'landlord-li', 'vendor-acme']
// A move from demo-b2 to demo-b1: seen by readers of either building, confirmed or disputed by those who may
// change demo-b2, decided by its jurisdiction, withdrawn by those who may change demo-b1.
const MOVE_SEEN: Account[] = ['admin', 'landlord-li', 'landlord-wang', 'grid-chen', 'police-zumiao']
const RESIDENTS_READ_B2: Account[] = ['admin', 'landlord-wang', 'grid-chen', 'police-zumiao']
const RESIDENTS_WRITE_B2: Account[] = ['admin', 'landlord-wang', 'grid-chen']
const DECIDE_B2: Account[] = ['admin', 'grid-chen', 'police-zumiao']

// demo-b1 and demo-b2 are in Lianhua community (Zumiao street); other-b1 (set up
// below) is in the other jurisdiction, with vendor-other allowed in it.
const DEVICE_BUILDINGS: Record<Account, string[]> = {
  admin: ['demo-b1', 'demo-b2', 'other-b1'],
  'landlord-li': ['demo-b1'],
  'landlord-wang': ['demo-b2'],
  'grid-chen': ['demo-b1', 'demo-b2'],
  'grid-zhou': ['other-b1'],
  'police-zumiao': ['demo-b1', 'demo-b2'],
  'police-other': ['other-b1'],
  'vendor-acme': ['demo-b1'],
  'vendor-other': ['other-b1'],
}
/** Areas of grid workers and police: their jurisdiction's subtree. Everyone else sees every area. */
const AREAS: Partial<Record<Account, string[]>> = {
  'grid-chen': ['lianhua', 'lianhua-g1', 'lianhua-g2'],
  'grid-zhou': ['other-community', 'other-grid'],
  'police-zumiao': ['zumiao', 'lianhua', 'lianhua-g1', 'lianhua-g2'],
  'police-other': ['other-street', 'other-community', 'other-grid'],
}
const sorted = (xs: Iterable<string>): string[] => [...new Set(xs)].sort()

const cases: RouteCase[] = [
  { name: 'GET /buildings/:id', allowed: READ_B1, request: () => ({ method: 'GET', url: '/buildings/demo-b1' }) },
  { name: 'PATCH /buildings/:id (name)', allowed: MANAGE_B1, request: () => ({ method: 'PATCH', url: '/buildings/demo-b1', payload: { name: `Lane ${++serial}` } }) },
  { name: 'PATCH /buildings/:id (grade)', allowed: ['admin', 'police-zumiao'], request: () => ({ method: 'PATCH', url: '/buildings/demo-b1', payload: { grade: serial++ % 2 === 0 ? 'focus' : 'strict' } }) },
  { name: 'POST /buildings/:id/vendors', allowed: MANAGE_B1, request: async () => {
    const v = await call('admin', 'POST', '/users', { username: `vendor-x${++serial}`, displayName: 'V', role: 'vendor', password: 'long-enough-pw', organisation: 'X' })
    return { method: 'POST', url: '/buildings/demo-b1/vendors', payload: { vendorId: v.body.id } }
  }, okStatus: 204 },
  { name: 'POST /buildings/:id/rooms', allowed: MANAGE_B1, request: () => ({ method: 'POST', url: '/buildings/demo-b1/rooms', payload: { number: `R${++serial}`, capacity: 2 } }), okStatus: 201 },
  { name: 'GET /buildings/:id/rooms', allowed: READ_B1, request: () => ({ method: 'GET', url: '/buildings/demo-b1/rooms' }) },
  { name: 'GET /rooms/:id', allowed: READ_B1, request: () => ({ method: 'GET', url: '/rooms/demo-b1-101' }) },
  { name: 'PATCH /rooms/:id', allowed: MANAGE_B1, request: () => ({ method: 'PATCH', url: '/rooms/demo-b1-102', payload: { capacity: 3 + (++serial % 3) } }) },
  { name: 'GET /buildings/:id/registrations', allowed: RESIDENTS_READ_B1, request: () => ({ method: 'GET', url: '/buildings/demo-b1/registrations' }) },
  { name: 'GET /rooms/:id/registrations', allowed: RESIDENTS_READ_B1, request: () => ({ method: 'GET', url: '/rooms/demo-b1-101/registrations' }) },
  { name: 'GET /buildings/:id/ledger', allowed: RESIDENTS_READ_B1, request: () => ({ method: 'GET', url: '/buildings/demo-b1/ledger' }) },
  { name: 'POST /rooms/:id/registrations', allowed: RESIDENTS_WRITE_B1, request: () => {
    serial++
    return { method: 'POST', url: '/rooms/demo-b1-201/registrations', payload: { resident: { name: 'New', idType: 'resident_id', idNumber: residentIdNumber(serial) } } }
  }, okStatus: 201 },
  { name: 'GET /registrations/:id', allowed: RESIDENTS_READ_B1, request: async () => ({ method: 'GET', url: `/registrations/${(await register()).registrationId}` }) },
  { name: 'POST /registrations/:id/deregister', allowed: RESIDENTS_WRITE_B1, request: async () => ({ method: 'POST', url: `/registrations/${(await register()).registrationId}/deregister`, payload: { reason: 'moved_out' } }) },
  { name: 'POST /registrations/:id/renew', allowed: RESIDENTS_WRITE_B1, request: async () => ({ method: 'POST', url: `/registrations/${(await register()).registrationId}/renew`, payload: { permitValidUntil: '2028-01-31' } }) },
  { name: 'GET /registrations/:id/credentials', allowed: RESIDENTS_READ_B1, request: async () => ({ method: 'GET', url: `/registrations/${(await register()).registrationId}/credentials` }) },
  { name: 'POST /registrations/:id/credentials', allowed: RESIDENTS_WRITE_B1, request: async () => ({ method: 'POST', url: `/registrations/${(await register()).registrationId}/credentials`, payload: { kind: 'qr' } }), okStatus: 201 },
  { name: 'POST /credentials/:id/revoke', allowed: RESIDENTS_WRITE_B1, request: async () => ({ method: 'POST', url: `/credentials/${(await register()).credentialId}/revoke`, payload: { reason: 'lost' } }) },
  { name: 'POST /rooms/:id/visitor-passes', allowed: RESIDENTS_WRITE_B1, okStatus: 201,
    request: () => ({ method: 'POST', url: '/rooms/demo-b1-102/visitor-passes', payload: { visitorName: `Guest ${++serial}`, validUntil: new Date(Date.now() + 86_400_000).toISOString() } }) },
  { name: 'GET /rooms/:id/visitor-passes', allowed: RESIDENTS_READ_B1, request: () => ({ method: 'GET', url: '/rooms/demo-b1-102/visitor-passes?active=true' }) },
  { name: 'GET /credentials/:id/events', allowed: RESIDENTS_READ_B1, request: async () => ({ method: 'GET', url: `/credentials/${(await register()).credentialId}/events?from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z` }) },
  { name: 'GET /rooms/:id/events', allowed: RESIDENTS_READ_B1, request: () => ({ method: 'GET', url: '/rooms/demo-b1-101/events?from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z' }) },
  { name: 'GET /buildings/:id/doors/:door/events', allowed: RESIDENTS_READ_B1, request: () => ({ method: 'GET', url: '/buildings/demo-b1/doors/main-gate/events?from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z' }) },
  { name: 'GET /residents/:id', allowed: RESIDENTS_READ_B1, request: async () => ({ method: 'GET', url: `/residents/${(await register()).residentId}` }) },
  { name: 'POST /residents/:id/id-number', allowed: ['admin', 'police-zumiao'], request: async () => ({ method: 'POST', url: `/residents/${(await register()).residentId}/id-number`, payload: { reason: 'case 2026-118' } }) },
  { name: 'GET /moves/:id', allowed: MOVE_SEEN, request: async () => ({ method: 'GET', url: `/moves/${await move()}` }) },
  { name: 'POST /moves/:id/confirm', allowed: RESIDENTS_WRITE_B2, request: async () => ({ method: 'POST', url: `/moves/${await move()}/confirm`, payload: {} }) },
  { name: 'POST /moves/:id/dispute', allowed: RESIDENTS_WRITE_B2,
    request: async () => ({ method: 'POST', url: `/moves/${await move()}/dispute`, payload: { reason: 'still lives here' } }) },
  { name: 'POST /moves/:id/decide', allowed: DECIDE_B2, request: async () => {
    const id = await move()
    expect((await call('landlord-wang', 'POST', `/moves/${id}/dispute`, { reason: 'still lives here' })).status).toBe(200)
    return { method: 'POST', url: `/moves/${id}/decide`, payload: { outcome: 'stays', reason: 'visited: lives at the old address' } }
  } },
  { name: 'POST /moves/:id/withdraw', allowed: RESIDENTS_WRITE_B1, request: async () => ({ method: 'POST', url: `/moves/${await move()}/withdraw`, payload: {} }) },
  { name: 'GET /moves', allowed: [...ACCOUNTS], request: async () => { await move(); return { method: 'GET', url: '/moves' } },
    // Every move here goes from demo-b2 to demo-b1: each reader sees the sides of the buildings they may read, no more.
    expectBody: (who, body: Array<{ from: unknown; to: unknown }>) => {
      expect({ who, any: body.length > 0 }).toEqual({ who, any: MOVE_SEEN.includes(who) })
      const expected = [RESIDENTS_READ_B2.includes(who), RESIDENTS_READ_B1.includes(who)]
      for (const m of body) expect({ who, sides: [m.from !== null, m.to !== null] }).toEqual({ who, sides: expected })
    } },
  { name: 'POST /buildings/:id/devices', allowed: PROVISION_B1, request: () => ({ method: 'POST', url: '/buildings/demo-b1/devices', payload: { door: `side-${++serial}`, kind: 'reader', vendor: 'Acme Access', model: 'AR-200' } }), okStatus: 201 },
  { name: 'GET /buildings/:id/devices', allowed: READ_B1, request: () => ({ method: 'GET', url: '/buildings/demo-b1/devices' }) },
  { name: 'GET /devices/:id', allowed: READ_B1, request: () => ({ method: 'GET', url: '/devices/demo-b1-reader' }) },
  { name: 'GET /devices/:id/commands', allowed: READ_B1, request: () => ({ method: 'GET', url: '/devices/demo-b1-reader/commands' }) },
  { name: 'PATCH /devices/:id', allowed: PROVISION_B1, request: () => ({ method: 'PATCH', url: '/devices/demo-b1-cam', payload: { enabled: true } }) },
  { name: 'POST /devices/:id/rotate-secret', allowed: PROVISION_B1, request: () => ({ method: 'POST', url: '/devices/demo-b1-cam/rotate-secret' }) },
  { name: 'POST /devices/:id/approve', allowed: MANAGE_B1, request: async () => {
    // A fresh device of the vendor's for every caller, waiting for approval.
    const d = await call('vendor-acme', 'POST', '/buildings/demo-b1/devices', { door: 'side-door', kind: 'reader', model: 'AR-200' })
    expect(d.body.device.approved).toBe(false)
    return { method: 'POST', url: `/devices/${d.body.device.id}/approve` }
  }, expectBody: (_who, body) => { expect(body).toMatchObject({ approved: true, allowlist: 'receives' }) } },
  { name: 'POST /devices/:id/open-door', allowed: MANAGE_B1, okStatus: 202,
    request: () => ({ method: 'POST', url: `/devices/${READER}/open-door`, payload: { reason: `access test ${++serial}`, durationS: 3 } }),
    // Exactly the allowed calls reach the reader, in order; refused ones send nothing.
    verify: async (allowedBodies) => {
      const sent: unknown[] = []
      for (const _ of allowedBodies) sent.push(await reader.box.next(/\/command\/open-door$/))
      expect(sent).toEqual(allowedBodies.map((b) => expect.objectContaining({ requestId: b.requestId, door: 'main-gate', durationS: 3 })))
      await new Promise((resolve) => setTimeout(resolve, 200))
      expect(reader.box.messages.filter((m) => m.topic.endsWith('/command/open-door'))).toEqual([])
    } },
  { name: 'GET /devices', allowed: [...ACCOUNTS], request: () => ({ method: 'GET', url: '/devices' }),
    expectBody: (who, body: Array<{ buildingId: string }>) => {
      expect({ who, buildings: sorted(body.map((d) => d.buildingId)) }).toEqual({ who, buildings: DEVICE_BUILDINGS[who] })
    } },
  { name: 'GET /areas', allowed: [...ACCOUNTS], request: () => ({ method: 'GET', url: '/areas' }),
    expectBody: async (who, body: Array<{ id: string }>) => {
      const all = await tp.platform.db.query<{ id: string }>('select id from areas')
      const expected = AREAS[who] ?? all.rows.map((a) => a.id)
      expect({ who, areas: sorted(body.map((a) => a.id)) }).toEqual({ who, areas: sorted(expected) })
    } },
  { name: 'GET /auth/me', allowed: [...ACCOUNTS], request: () => ({ method: 'GET', url: '/auth/me' }),
    expectBody: (who, body) => {
      expect(body).toMatchObject({ id: tp.userIds[who], username: who, disabled: false })
      expect(JSON.stringify(body)).not.toMatch(/password|scrypt/i)
    } },
  // Landlords report their own buildings anywhere; grid workers only inside their jurisdiction.
  { name: 'POST /buildings', allowed: ['admin', 'landlord-li', 'landlord-wang', 'grid-chen'], request: () => ({ method: 'POST', url: '/buildings', payload: { gridId: 'lianhua-g1', name: `New ${++serial}`, address: 'Somewhere 1' } }), okStatus: 201 },
  // Removal: the landlord of the building and administrators; a fresh empty building of landlord-li's (or device) each call.
  { name: 'DELETE /buildings/:id', allowed: MANAGE_B1, request: async () => {
    const b = await call('admin', 'POST', '/buildings', { gridId: 'lianhua-g1', name: `Gone ${++serial}`, address: 'Somewhere 2', landlordId: tp.userIds['landlord-li'] })
    return { method: 'DELETE', url: `/buildings/${b.body.id}` }
  }, expectBody: (_who, body) => { expect(body).toMatchObject({ registrationsEnded: 0, devicesRemoved: [] }) } },
  { name: 'DELETE /devices/:id', allowed: MANAGE_B1, okStatus: 204, request: async () => {
    const d = await call('admin', 'POST', '/buildings/demo-b1/devices', { door: `gone-${++serial}`, kind: 'camera', vendor: 'Acme Access', model: 'AC-10' })
    return { method: 'DELETE', url: `/devices/${d.body.device.id}` }
  } },
  { name: 'POST /users', allowed: ['admin'], request: () => ({ method: 'POST', url: '/users', payload: { username: `user-${++serial}`, displayName: 'U', role: 'landlord', password: 'long-enough-pw' } }), okStatus: 201 },
  { name: 'GET /users', allowed: ['admin'], request: () => ({ method: 'GET', url: '/users' }) },
  { name: 'PATCH /users/:id', allowed: ['admin'], request: async () => {
    const u = await call('admin', 'POST', '/users', { username: `user-${++serial}`, displayName: 'U', role: 'landlord', password: 'long-enough-pw' })
    return { method: 'PATCH', url: `/users/${u.body.id}`, payload: { disabled: true } }
  } },
  { name: 'POST /areas', allowed: ['admin'], request: () => ({ method: 'POST', url: '/areas', payload: { id: `dist-${++serial}`, kind: 'district', name: 'D' } }), okStatus: 201 },
  { name: 'GET /broker/stats', allowed: ['admin'], request: () => ({ method: 'GET', url: '/broker/stats' }) },
  { name: 'GET /audit', allowed: ['admin'], request: () => ({ method: 'GET', url: '/audit' }) },
  // Alerts: everyone but vendors sees those of their scope; landlords acknowledge, grid workers and police also resolve.
  { name: 'GET /alerts', allowed: ACCOUNTS.filter((a) => !a.startsWith('vendor')), request: () => ({ method: 'GET', url: '/alerts?limit=500' }),
    expectBody: (who, body: { items: Array<{ buildingId: string }> }) => {
      for (const a of body.items) expect({ who, building: a.buildingId }).toEqual({ who, building: expect.toBeOneOf(DEVICE_BUILDINGS[who]) })
    } },
  { name: 'GET /alerts/:id', allowed: RESIDENTS_READ_B1, request: async () => ({ method: 'GET', url: `/alerts/${await raiseAlert()}` }) },
  // Grid workers act only on the alerts assigned to them (platform/alerts/alert-workflow.test.ts).
  { name: 'POST /alerts/:id/acknowledge', allowed: RESIDENTS_READ_B1.filter((a) => a !== 'grid-chen'), request: async () => ({ method: 'POST', url: `/alerts/${await raiseAlert()}/acknowledge`, payload: {} }) },
  { name: 'POST /alerts/:id/resolve', allowed: ['admin', 'police-zumiao'],
    request: async () => ({ method: 'POST', url: `/alerts/${await raiseAlert()}/resolve`, payload: { note: 'checked on site', closureReason: 'real' } }) },
  { name: 'POST /alerts/stream/ticket', allowed: ACCOUNTS.filter((a) => !a.startsWith('vendor')), okStatus: 201, request: () => ({ method: 'POST', url: '/alerts/stream/ticket' }) },
  // Webhooks: police of the jurisdiction and administrators.
  { name: 'POST /webhooks', allowed: ['admin', 'police-zumiao'], okStatus: 201,
    request: () => ({ method: 'POST', url: '/webhooks', payload: { url: `http://127.0.0.1:9/acc-${++serial}`, areaId: 'zumiao' } }) },
  { name: 'GET /webhooks', allowed: ['admin', 'police-zumiao', 'police-other'], request: () => ({ method: 'GET', url: '/webhooks' }),
    expectBody: (who, body: Array<{ areaId: string }>) => {
      if (who === 'police-other') expect(body.filter((h) => h.areaId === 'zumiao')).toEqual([])
    } },
  { name: 'GET /webhooks/:id/deliveries', allowed: ['admin', 'police-zumiao'], request: async () => ({ method: 'GET', url: `/webhooks/${await webhook()}/deliveries` }) },
  { name: 'DELETE /webhooks/:id', allowed: ['admin', 'police-zumiao'], okStatus: 204, request: async () => ({ method: 'DELETE', url: `/webhooks/${await webhook()}` }) },
  { name: 'GET /exchange/:dataset', allowed: ['admin', 'police-zumiao'], request: () => ({ method: 'GET', url: '/exchange/rooms?buildingId=demo-b1' }) },
  { name: 'POST /exchange/:dataset/import', allowed: ['admin'],
    request: () => ({ method: 'POST', url: '/exchange/rooms/import?dryRun=true', payload: { rows: [{ buildingId: 'demo-b1', number: `acc-${++serial}`, capacity: 1 }] } }) },
  { name: 'GET /access-records', allowed: ['admin', 'police-zumiao', 'grid-chen'],
    request: () => ({ method: 'GET', url: `/access-records?buildingId=demo-b1&from=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}&to=${encodeURIComponent(new Date().toISOString())}` }) },
  // The landlord's tools (platform/api/routes/landlord.test.ts has their behaviour).
  { name: 'GET /buildings/:id/occupancy', allowed: RESIDENTS_READ_B1, request: () => ({ method: 'GET', url: '/buildings/demo-b1/occupancy' }) },
  { name: 'GET /buildings/:id/unknown-credentials', allowed: RESIDENTS_WRITE_B1, request: () => ({ method: 'GET', url: '/buildings/demo-b1/unknown-credentials' }) },
  { name: 'GET /buildings/:id/inbox', allowed: RESIDENTS_READ_B1, request: () => ({ method: 'GET', url: '/buildings/demo-b1/inbox' }) },
  // The house score (platform/policy/house-score-route.test.ts): not for device vendors.
  { name: 'GET /buildings/:id/score', allowed: RESIDENTS_READ_B1, request: () => ({ method: 'GET', url: '/buildings/demo-b1/score' }) },
  // Grade proposals (platform/policy/grade-proposals.test.ts): everyone lists those in their scope; police of the area and
  // administrators propose and decide. The decisions' access is tested there, on a proposal waiting for one.
  { name: 'GET /grade-proposals', allowed: [...ACCOUNTS], request: () => ({ method: 'GET', url: '/grade-proposals?buildingId=demo-b1' }) },
  // Door plates and patrols (platform/policy/patrols.test.ts): plates and findings as the house score; patrols recorded by
  // grid workers and police of the area (the landlord sees the findings, not the patrols' notes).
  { name: 'GET /buildings/:id/plates', allowed: RESIDENTS_READ_B1, request: () => ({ method: 'GET', url: '/buildings/demo-b1/plates' }) },
  { name: 'GET /house-codes/:code', allowed: RESIDENTS_READ_B1, request: async () => ({ method: 'GET', url: `/house-codes/${await plateCode()}` }) },
  { name: 'POST /buildings/:id/patrols', allowed: PATROL_B1, okStatus: 201,
    request: async () => ({ method: 'POST', url: '/buildings/demo-b1/patrols', payload: { code: await plateCode(), headcount: 1, checklist: CHECKLIST } }) },
  { name: 'GET /buildings/:id/patrols', allowed: PATROL_B1, request: () => ({ method: 'GET', url: '/buildings/demo-b1/patrols' }) },
  { name: 'GET /buildings/:id/findings', allowed: RESIDENTS_READ_B1, request: () => ({ method: 'GET', url: '/buildings/demo-b1/findings' }) },
  { name: 'POST /findings/:id/reinspections', allowed: PATROL_B1, okStatus: 201,
    request: async () => ({ method: 'POST', url: `/findings/${await finding()}/reinspections`, payload: { code: await plateCode(), rectified: true } }) },
  { name: 'GET /patrols/due', allowed: [...ACCOUNTS], request: () => ({ method: 'GET', url: '/patrols/due' }),
    expectBody: (who, body: Array<{ buildingId: string }>) => {
      const ids = body.map((h) => h.buildingId)
      if (['landlord-li', 'landlord-wang', 'vendor-acme', 'vendor-other'].includes(who)) expect(ids).toEqual([])
      if (['grid-chen', 'police-zumiao'].includes(who)) expect(ids).toContain('demo-b1')
      if (['grid-chen', 'police-zumiao'].includes(who)) expect(ids).not.toContain('other-b1')
      if (['grid-zhou', 'police-other'].includes(who)) expect(ids).toEqual(['other-b1'])
    } },
  // Grade settings of an area (platform/policy/area-policy-route.test.ts): read in the subtree by police and grid
  // workers, set by administrators and police of a district or street (police-zumiao is Zumiao street's).
  { name: 'GET /areas/:id/policy-settings', allowed: ['admin', 'grid-chen', 'police-zumiao'], request: () => ({ method: 'GET', url: '/areas/lianhua/policy-settings' }) },
  { name: 'PUT /areas/:id/policy-settings', allowed: ['admin', 'police-zumiao'], request: () => ({
    method: 'PUT', url: '/areas/lianhua/policy-settings',
    payload: { thresholds: { normal: 10, focus: 20 + (++serial % 5), strict: 50 }, gradeColours: { trusted: '#1e6b35', normal: '#0b4f8a', focus: '#a63f00', strict: '#a4161a' }, patrolDays: { trusted: 21, normal: 14, focus: 7, strict: 7, findingOpen: 3 } },
  }) },
  { name: 'DELETE /areas/:id/policy-settings', allowed: ['admin', 'police-zumiao'], request: () => ({ method: 'DELETE', url: '/areas/lianhua/policy-settings' }) },
  // Permits, vacancy, reconciliation (platform/policy/permits-api.test.ts): lists answer everyone with their scope's;
  // the share reconciled is for the area's grid workers and police, and administrators.
  { name: 'GET /permit-reminders', allowed: [...ACCOUNTS], request: () => ({ method: 'GET', url: '/permit-reminders' }) },
  { name: 'GET /vacancy-proposals', allowed: [...ACCOUNTS], request: () => ({ method: 'GET', url: '/vacancy-proposals' }) },
  { name: 'GET /reconciliations', allowed: [...ACCOUNTS], request: () => ({ method: 'GET', url: '/reconciliations' }) },
  { name: 'GET /areas/:id/reconciled-share', allowed: ['admin', 'grid-chen', 'police-zumiao'], request: () => ({ method: 'GET', url: '/areas/lianhua-g1/reconciled-share?month=2026-12' }) },
  // The KPIs (platform/policy/kpi-routes.test.ts): of a building, for those who read its residents; vendors none.
  { name: 'GET /kpis', allowed: RESIDENTS_READ_B1, request: () => ({ method: 'GET', url: '/kpis?buildingId=demo-b1' }) },
  { name: 'GET /kpis/cases', allowed: RESIDENTS_READ_B1, request: () => ({ method: 'GET', url: '/kpis/cases?buildingId=demo-b1&kpi=household_consistency' }) },
  { name: 'GET /kpis/monthly', allowed: RESIDENTS_READ_B1, request: () => ({ method: 'GET', url: '/kpis/monthly?buildingId=demo-b1&month=2026-01' }) },
]

/** Routes the matrix does not call, and where their access is tested instead. */
const COVERED_ELSEWHERE: Record<string, string> = {
  'POST /buildings/:id/grade-proposals': 'platform/policy/grade-proposals.test.ts (the answer depends on the score: 201 or 409)',
  'POST /grade-proposals/:id/confirm': 'platform/policy/grade-proposals.test.ts',
  'GET /grade-proposals/:id': 'platform/policy/grade-proposals.test.ts (needs a proposal: readers of the building get it, others 404)',
  'POST /grade-proposals/:id/reject': 'platform/policy/grade-proposals.test.ts',
  'GET /access-records.csv': 'a file, the same scope as GET /access-records: platform/api/routes/exchange.test.ts',
  'PATCH /webhooks/:id': 'police of the area and admins only, 404 outside it: platform/registry/registry-feed.test.ts',
  'POST /vacancy-proposals/:id/confirm': 'platform/policy/permits-api.test.ts (on a proposal the daily pass made)',
  'POST /vacancy-proposals/:id/reject': 'platform/policy/permits-api.test.ts',
  'GET /reconciliations/:id': 'platform/policy/permits-api.test.ts (on a list the monthly pass made)',
  'POST /reconciliations/:id/items/:itemId': 'platform/policy/permits-api.test.ts',
  'POST /reconciliations/:id/sign-off': 'platform/policy/permits-api.test.ts',
  'GET /health': 'public, for load balancers: test/health.test.ts',
  'GET /health/live': 'public, for supervisors, no database: platform/api/routes/health.test.ts, test/database-outage.test.ts',
  'POST /auth/login': 'public: platform/api/login.test.ts',
  'GET /protocol': 'public documentation: platform/api/routes/protocol.test.ts',
  'GET /protocol/schemas': 'public documentation: platform/api/routes/protocol.test.ts',
  'GET /protocol/schemas/:name': 'public documentation: platform/api/routes/protocol.test.ts',
  'POST /auth/logout': 'ends the caller\'s own session only: platform/alerts/mqtt-alert-dispatch.test.ts, platform/api/session-outage.test.ts',
  'GET /alerts/stream': 'a stream, scoped per role: platform/alerts/alert-routes.test.ts, platform/api/connection-limits.test.ts',
  'GET /buildings': 'lists only the buildings in scope (below)',
  'GET /imports/columns': 'the same for every account: platform/api/routes/tenant-files.test.ts',
  'GET /imports/template.csv': 'a file, the same for every account: platform/api/routes/tenant-files.test.ts',
  'GET /imports/template.xlsx': 'a file, the same for every account: platform/api/routes/tenant-files.test.ts',
  'POST /buildings/:id/imports': 'a CSV or XLSX body, by role and scope: platform/api/routes/tenant-files.test.ts',
  'POST /buildings/:id/imports/:previewId/commit': 'by role and scope: platform/api/routes/tenant-files.test.ts',
  'GET /buildings/:id/register.csv': 'a file, by role and scope: platform/api/routes/tenant-files.test.ts',
  'GET /buildings/:id/register.xlsx': 'a file, by role and scope: platform/api/routes/tenant-files.test.ts',
  'GET /kpis.csv': 'a file, by role and scope: platform/policy/kpi-routes.test.ts',
  'GET /kpis.xlsx': 'a file, by role and scope: platform/policy/kpi-routes.test.ts',
  'GET /auth/session': 'every account, by cookie or bearer token: platform/api/session-cookie.test.ts',
  'GET /alerts/:id/assignees': 'alert workflow, every role: platform/alerts/alert-workflow.test.ts',
  'POST /alerts/:id/assign': 'alert workflow, every role: platform/alerts/alert-workflow.test.ts',
  'POST /alerts/:id/feedback': 'alert workflow, every role: platform/alerts/alert-workflow.test.ts',
  'POST /alerts/:id/verify': 'alert workflow, every role: platform/alerts/alert-workflow.test.ts',
  'POST /alerts/:id/comments': 'alert workflow, every role: platform/alerts/alert-workflow.test.ts',
  'GET /alerts/:id/evidence': 'movement records, audited: platform/alerts/alert-evidence.test.ts',
  'GET /alerts/export.csv': 'CSV in the viewer\'s scope: platform/alerts/alert-export.test.ts',
  'POST /handovers': 'police and admin of an area: platform/alerts/handovers.test.ts',
  'GET /handovers/latest': 'police and admin of an area: platform/alerts/handovers.test.ts',
  'POST /handovers/:id/acknowledge': 'police and admin of an area: platform/alerts/handovers.test.ts',
  'GET /handovers/summary': 'police and admin of an area: platform/alerts/handovers.test.ts',
}

describe.each(DATABASE_KINDS)('API access by role and scope (%s)', (kind) => {
  beforeAll(async () => {
    // Webhooks of the matrix point at a closed local port.
    tp = await startTestPlatform(kind, { env: { WEBHOOK_ALLOW_INSECURE_LOCAL: 'on' } })
    const root: Account = 'admin'
    reader = await connectReader(await provisionReader(tp, root, 'demo-b1', READER))
    await reader.box.next(/\/command\/allowlist-sync$/)
    // Something in every scope: a device in demo-b2, and a building in the other jurisdiction.
    expect((await call(root, 'POST', '/buildings/demo-b2/devices', { id: 'acc-b2-cam', door: 'gate', kind: 'camera', vendor: 'Acme Access', model: 'AC-10' })).status).toBe(201)
    expect((await call(root, 'POST', '/buildings', { id: 'other-b1', gridId: 'other-grid', name: 'Other block', address: '1 Other Road' })).status).toBe(201)
    expect((await call(root, 'POST', '/buildings/other-b1/vendors', { vendorId: tp.userIds['vendor-other'] })).status).toBe(204)
    expect((await call(root, 'POST', '/buildings/other-b1/devices', { id: 'other-b1-reader', door: 'gate', kind: 'reader', vendor: 'Other Devices', model: 'OD-1' })).status).toBe(201)
  }, 60_000)
  afterAll(async () => {
    await reader?.client.endAsync(true)
    await tp?.dispose()
  })

  it.each(cases)('$name', async (c) => {
    const allowedBodies: unknown[] = []
    for (const who of ACCOUNTS) {
      const req = await c.request()
      const before = await fingerprint()
      const r = await call(who, req.method, req.url, req.payload)
      if (c.allowed.includes(who)) {
        expect({ who, status: r.status, body: r.body }).toMatchObject({ who, status: c.okStatus ?? 200 })
        await c.expectBody?.(who, r.body)
        allowedBodies.push(r.body)
      } else {
        expect({ who, status: r.status }).toEqual({ who, status: expect.toBeOneOf([403, 404]) })
        expect(r.body.code).toMatch(/^RH_(FORBIDDEN|NOT_FOUND)$/)
        expect(await fingerprint(), `${who} changed state through ${c.name}`).toBe(before)
      }
    }
    const anon = await c.request()
    const before = await fingerprint()
    expect((await call(null, anon.method, anon.url, anon.payload)).status).toBe(401)
    expect(await fingerprint()).toBe(before)
    await c.verify?.(allowedBodies)
  })

  it('covers every route of the API, or names the test that covers it', () => {
    const doc = tp.platform.app.swagger() as { paths: Record<string, Record<string, unknown>> }
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`))
    const inMatrix = new Set(cases.map((c) => c.name.replace(/ \(.*\)$/, '')))
    expect(routes.filter((r) => !inMatrix.has(r) && !(r in COVERED_ELSEWHERE))).toEqual([])
    expect(Object.keys(COVERED_ELSEWHERE).filter((r) => !routes.includes(r))).toEqual([])
  })

  it('lists only the buildings in scope', async () => {
    const ids = async (who: Account) => ((await call(who, 'GET', '/buildings')).body as Array<{ id: string }>).map((b) => b.id)
    expect(await ids('landlord-wang')).toContain('demo-b2')
    expect(await ids('landlord-wang')).not.toContain('demo-b1')
    expect(await ids('landlord-li')).toContain('demo-b1')
    expect(await ids('landlord-li')).not.toContain('demo-b2')
    expect(await ids('grid-zhou')).toEqual(['other-b1'])
    expect(await ids('vendor-acme')).toEqual(['demo-b1'])
    expect(await ids('vendor-other')).toEqual(['other-b1'])
    expect(await ids('police-zumiao')).toEqual(expect.arrayContaining(['demo-b1', 'demo-b2']))
  })

  it('never shows one landlord the tenants of another', async () => {
    const other = await call('landlord-wang', 'GET', '/buildings/demo-b2/registrations')
    expect(other.status).toBe(200)
    const residentIds = (other.body as Array<{ resident: { id: string } }>).map((g) => g.resident.id)
    // The movers of the cases above are li's too (he registered them, pending): he sees his registrations only.
    const lis = new Set(((await call('landlord-li', 'GET', '/buildings/demo-b1/registrations?limit=1000')).body as Array<{ resident: { id: string } }>).map((g) => g.resident.id))
    expect(residentIds.filter((id) => !lis.has(id)).length).toBeGreaterThan(0)
    for (const id of residentIds) {
      const r = await call('landlord-li', 'GET', `/residents/${id}`)
      if (!lis.has(id)) expect(r.status).toBe(404)
      else expect(r.body.registrations.map((g: { buildingId: string }) => g.buildingId)).toEqual(r.body.registrations.map(() => 'demo-b1'))
    }
    expect((await call('landlord-li', 'GET', '/buildings/demo-b2/registrations')).status).toBe(404)
  })
})
