// Every route, called by every kind of account, in and out of scope: the right
// people get through, everyone else gets 401/403/404 and nothing changes.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestPlatform, type TestPlatform } from '../../test/support/platform.ts'
import { residentIdNumber } from '../../test/support/id-numbers.ts'

const ACCOUNTS = ['admin', 'landlord-li', 'landlord-wang', 'grid-chen', 'grid-zhou', 'police-zumiao', 'police-other', 'vendor-acme', 'vendor-other'] as const
type Account = (typeof ACCOUNTS)[number]

let tp: TestPlatform
let serial = 0

async function call (who: Account | null, method: string, url: string, payload?: unknown) {
  const headers: Record<string, string> = who === null ? {} : { authorization: `Bearer ${tp.tokens[who]}` }
  const r = await tp.platform.app!.inject({ method: method as 'GET', url, headers, ...(payload === undefined ? {} : { payload: payload as object }) })
  return { status: r.statusCode, body: r.body.length > 0 ? JSON.parse(r.body) as Record<string, unknown> : {} }
}

/** Everything a write could change, except the audit log (refused reads are audited on purpose). */
async function fingerprint (): Promise<string> {
  const r = await tp.platform.db!.query<{ f: string }>(`select concat_ws('|',
    (select count(*) from registry_ledger), (select count(*) from users), (select count(*) from areas),
    (select string_agg(concat_ws(',', id, name, address, grade, responsibility_signed_at, allowlist_version), ';' order by id) from buildings),
    (select string_agg(concat_ws(',', id, capacity), ';' order by id) from rooms),
    (select string_agg(concat_ws(',', id, enabled, secret_hash), ';' order by id) from devices),
    (select string_agg(concat_ws(',', id, status, permit_valid_until), ';' order by id) from registrations),
    (select string_agg(concat_ws(',', id, status), ';' order by id) from credentials),
    (select count(*) from building_vendors)) as f`)
  return r.rows[0]!.f
}

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

interface RouteCase {
  name: string
  allowed: Account[]
  /** Builds a fresh request (for writes, a fresh target per caller). */
  request: () => Promise<{ method: string; url: string; payload?: unknown }> | { method: string; url: string; payload?: unknown }
  okStatus?: number
}

const READ_B1: Account[] = ['admin', 'landlord-li', 'grid-chen', 'police-zumiao', 'vendor-acme']
const RESIDENTS_READ_B1: Account[] = ['admin', 'landlord-li', 'grid-chen', 'police-zumiao']
const RESIDENTS_WRITE_B1: Account[] = ['admin', 'landlord-li', 'grid-chen']
const MANAGE_B1: Account[] = ['admin', 'landlord-li']
const PROVISION_B1: Account[] = ['admin', 'landlord-li', 'vendor-acme']

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
  { name: 'GET /credentials/:id/events', allowed: RESIDENTS_READ_B1, request: async () => ({ method: 'GET', url: `/credentials/${(await register()).credentialId}/events?from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z` }) },
  { name: 'GET /rooms/:id/events', allowed: RESIDENTS_READ_B1, request: () => ({ method: 'GET', url: '/rooms/demo-b1-101/events?from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z' }) },
  { name: 'GET /buildings/:id/doors/:door/events', allowed: RESIDENTS_READ_B1, request: () => ({ method: 'GET', url: '/buildings/demo-b1/doors/main-gate/events?from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z' }) },
  { name: 'GET /residents/:id', allowed: RESIDENTS_READ_B1, request: async () => ({ method: 'GET', url: `/residents/${(await register()).residentId}` }) },
  { name: 'POST /residents/:id/id-number', allowed: ['admin', 'police-zumiao'], request: async () => ({ method: 'POST', url: `/residents/${(await register()).residentId}/id-number`, payload: { reason: 'case 2026-118' } }) },
  { name: 'POST /buildings/:id/devices', allowed: PROVISION_B1, request: () => ({ method: 'POST', url: '/buildings/demo-b1/devices', payload: { id: `dev-${++serial}`, door: 'side-door', kind: 'reader', vendor: 'Acme Access', model: 'AR-200' } }), okStatus: 201 },
  { name: 'GET /buildings/:id/devices', allowed: READ_B1, request: () => ({ method: 'GET', url: '/buildings/demo-b1/devices' }) },
  { name: 'GET /devices/:id', allowed: READ_B1, request: () => ({ method: 'GET', url: '/devices/demo-b1-reader' }) },
  { name: 'PATCH /devices/:id', allowed: PROVISION_B1, request: () => ({ method: 'PATCH', url: '/devices/demo-b1-cam', payload: { enabled: true } }) },
  { name: 'POST /devices/:id/rotate-secret', allowed: PROVISION_B1, request: () => ({ method: 'POST', url: '/devices/demo-b1-cam/rotate-secret' }) },
  // Landlords report their own buildings anywhere; grid workers only inside their jurisdiction.
  { name: 'POST /buildings', allowed: ['admin', 'landlord-li', 'landlord-wang', 'grid-chen'], request: () => ({ method: 'POST', url: '/buildings', payload: { id: `nb-${++serial}`, gridId: 'lianhua-g1', name: 'New', address: 'Somewhere 1' } }), okStatus: 201 },
  { name: 'POST /users', allowed: ['admin'], request: () => ({ method: 'POST', url: '/users', payload: { username: `user-${++serial}`, displayName: 'U', role: 'landlord', password: 'long-enough-pw' } }), okStatus: 201 },
  { name: 'GET /users', allowed: ['admin'], request: () => ({ method: 'GET', url: '/users' }) },
  { name: 'PATCH /users/:id', allowed: ['admin'], request: async () => {
    const u = await call('admin', 'POST', '/users', { username: `user-${++serial}`, displayName: 'U', role: 'landlord', password: 'long-enough-pw' })
    return { method: 'PATCH', url: `/users/${u.body.id}`, payload: { disabled: true } }
  } },
  { name: 'POST /areas', allowed: ['admin'], request: () => ({ method: 'POST', url: '/areas', payload: { id: `dist-${++serial}`, kind: 'district', name: 'D' } }), okStatus: 201 },
  { name: 'GET /broker/stats', allowed: ['admin'], request: () => ({ method: 'GET', url: '/broker/stats' }) },
  { name: 'GET /audit', allowed: ['admin'], request: () => ({ method: 'GET', url: '/audit' }) },
]

describe('API access by role and scope', () => {
  beforeAll(async () => { tp = await startTestPlatform('pglite') }, 60_000)
  afterAll(async () => { await tp?.dispose() })

  it.each(cases)('$name', async (c) => {
    for (const who of ACCOUNTS) {
      const req = await c.request()
      const before = await fingerprint()
      const r = await call(who, req.method, req.url, req.payload)
      if (c.allowed.includes(who)) {
        expect({ who, status: r.status, body: r.body }).toMatchObject({ who, status: c.okStatus ?? 200 })
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
  })

  it('lists only the buildings in scope', async () => {
    const ids = async (who: Account) => ((await call(who, 'GET', '/buildings')).body as unknown as Array<{ id: string }>).map((b) => b.id)
    expect(await ids('landlord-wang')).toContain('demo-b2')
    expect(await ids('landlord-wang')).not.toContain('demo-b1')
    expect(await ids('landlord-li')).toContain('demo-b1')
    expect(await ids('landlord-li')).not.toContain('demo-b2')
    expect(await ids('grid-zhou')).toEqual([])
    expect(await ids('vendor-acme')).toEqual(['demo-b1'])
    expect(await ids('police-zumiao')).toEqual(expect.arrayContaining(['demo-b1', 'demo-b2']))
  })

  it('never shows one landlord the tenants of another', async () => {
    const other = await call('landlord-wang', 'GET', '/buildings/demo-b2/registrations')
    expect(other.status).toBe(200)
    const residentIds = (other.body as unknown as Array<{ resident: { id: string } }>).map((g) => g.resident.id)
    expect(residentIds.length).toBeGreaterThan(0)
    for (const id of residentIds) expect((await call('landlord-li', 'GET', `/residents/${id}`)).status).toBe(404)
    expect((await call('landlord-li', 'GET', '/buildings/demo-b2/registrations')).status).toBe(404)
  })
})
