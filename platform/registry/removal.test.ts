// DELETE /devices/{id} and DELETE /buildings/{id}: who may, what goes and what
// stays. A deleted device is disconnected and refused at login, its past
// events stay; a building with stays running is refused (409
// RH_BUILDING_OCCUPIED) unless an administrator forces it, which ends them as
// deregistrations would; a removed building reads as not found everywhere, the
// rules forget it, and its history stays in the database. Refused calls
// change nothing. Real broker on a real socket, both databases.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASE_KINDS } from '../../test/support/databases.ts'
import { residentIdNumber } from '../../test/support/id-numbers.ts'
import { closedByBroker, connectReader, endedAfterEach, refusedLogin, type MqttDetails } from '../../test/support/mqtt-device.ts'
import { callApi, provisionReader, startTestPlatform, type TestPlatform } from '../../test/support/platform.ts'
import { registryFingerprint } from '../../test/support/registry-state.ts'
import { until } from '../../test/support/wait.ts'

const CONFIG = /\/command\/config$/

describe.each(DATABASE_KINDS)('removing devices and buildings (%s)', (kind) => {
  let tp: TestPlatform
  let serial = 0
  const clients = endedAfterEach()
  beforeAll(async () => { tp = await startTestPlatform(kind) }, 60_000)
  afterAll(async () => { await tp?.dispose() })

  const call = (who: string, method: string, url: string, payload?: object) => callApi(tp, who, method, url, payload)
  const fingerprint = () => registryFingerprint(tp.platform.db)
  const ledger = async (buildingId: string) =>
    (await tp.platform.db.query<{ action: string; device_id: string | null; detail: Record<string, unknown> }>(
      'select action, device_id, detail from registry_ledger where building_id = $1 order by seq', [buildingId])).rows
  const audit = async (action: string, subjectId: string) =>
    (await tp.platform.db.query<{ actor_id: string }>('select actor_id from audit_log where action = $1 and subject_id = $2', [action, subjectId])).rows

  async function online (details: MqttDetails) {
    const r = await connectReader(details)
    clients.push(r.client)
    await r.box.next(CONFIG)
    return r
  }

  /** A building of landlord-li's in Lianhua grid 1 with one room; its ids. */
  async function building () {
    const b = await call('landlord-li', 'POST', '/buildings', { gridId: 'lianhua-g1', name: `To remove ${++serial}`, address: `${serial} Test Lane` })
    expect(b.status).toBe(201)
    const room = await call('landlord-li', 'POST', `/buildings/${b.body.id}/rooms`, { number: '101', capacity: 2 })
    expect(room.status).toBe(201)
    return { buildingId: b.body.id as string, roomId: room.body.id as string }
  }

  async function register (roomId: string) {
    serial++
    const r = await call('landlord-li', 'POST', `/rooms/${roomId}/registrations`, {
      resident: { name: `Tenant ${serial}`, idType: 'resident_id', idNumber: residentIdNumber(5000 + serial) },
      credentials: [{ kind: 'card', value: `CB${String(serial).padStart(6, '0')}` }],
    })
    expect(r.status).toBe(201)
    return r.body.registration.id as string
  }

  it('deletes a connected device: disconnected, refused at login, its events kept, audited', async () => {
    const details = await provisionReader(tp, 'landlord-li', 'demo-b1')
    const deviceId = details.clientId
    const reader = await online(details)
    const topic = details.publish.find((t) => t.endsWith('/event/door'))!
    await reader.client.publishAsync(topic, JSON.stringify({ eventId: `${deviceId}-e1`, seq: 1, ts: new Date().toISOString(), door: 'main-gate', state: 'closed' }), { qos: 1 })

    // Seen but not theirs to delete (vendor, jurisdiction): 403; out of scope: 404. Nothing changes.
    for (const [who, status] of [['vendor-acme', 403], ['police-zumiao', 403], ['grid-chen', 403], ['landlord-wang', 404], ['police-other', 404]] as const) {
      const before = await fingerprint()
      const r = await call(who, 'DELETE', `/devices/${deviceId}`)
      expect({ who, status: r.status }).toEqual({ who, status })
      expect(await fingerprint()).toBe(before)
    }
    expect(reader.client.connected).toBe(true)

    const closed = closedByBroker(reader.client)
    expect((await call('landlord-li', 'DELETE', `/devices/${deviceId}`)).status).toBe(204)
    await closed
    expect(await refusedLogin(details)).toBeGreaterThan(0)
    expect((await call('landlord-li', 'GET', `/devices/${deviceId}`)).status).toBe(404)
    expect(((await call('landlord-li', 'GET', '/buildings/demo-b1/devices')).body as Array<{ id: string }>).map((d) => d.id)).not.toContain(deviceId)
    expect((await call('landlord-li', 'DELETE', `/devices/${deviceId}`)).status).toBe(404)
    await until('the pipeline forgets it', () => tp.platform.view.device(deviceId) === undefined)
    // Its going is no outage: the platform takes it off the broker as it does a disabled device (an info
    // device_offline), and the rules resolve that as soon as they see it removed; nothing stays live for it.
    const live = async () => ((await call('admin', 'GET', '/alerts?buildingId=demo-b1&status=live')).body.items as Array<{ deviceId: string | null }>)
      .filter((a) => a.deviceId === deviceId)
    // The offline alert may open only after the pipeline sees the connection end: wait past that, then for it to clear.
    await new Promise((resolve) => setTimeout(resolve, 1500))
    await until('nothing live for the removed device', async () => (await live()).length === 0, 10_000)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(await live()).toEqual([])

    // History stays: the event it sent, the ledger, the audit log.
    const events = await tp.platform.db.query<{ event_id: string }>('select event_id from events where device_id = $1', [deviceId])
    expect(events.rows.map((e) => e.event_id)).toContain(`${deviceId}-e1`)
    expect((await ledger('demo-b1')).filter((e) => e.device_id === deviceId).map((e) => e.action)).toEqual(['device.provisioned', 'device.removed'])
    expect(await audit('device.removed', deviceId)).toEqual([{ actor_id: tp.userIds['landlord-li'] }])
  })

  it('refuses to remove a building with tenants, unless an administrator forces it', async () => {
    const { buildingId, roomId } = await building()
    const registrationId = await register(roomId)
    const details = await provisionReader(tp, 'landlord-li', buildingId)
    const reader = await online(details)

    const before = await fingerprint()
    const occupied = await call('landlord-li', 'DELETE', `/buildings/${buildingId}`)
    expect(occupied).toMatchObject({ status: 409, body: { code: 'RH_BUILDING_OCCUPIED' } })
    expect(occupied.body.message).toContain('1 active')
    expect((await call('landlord-li', 'DELETE', `/buildings/${buildingId}?force=true`)).status).toBe(403)
    expect((await call('police-zumiao', 'DELETE', `/buildings/${buildingId}`)).status).toBe(403)
    expect((await call('landlord-wang', 'DELETE', `/buildings/${buildingId}?force=true`)).status).toBe(404)
    expect((await call('admin', 'DELETE', `/buildings/${buildingId}?force=maybe`)).status).toBe(400)
    expect(await fingerprint()).toBe(before)
    expect(reader.client.connected).toBe(true)

    const closed = closedByBroker(reader.client)
    const removed = await call('admin', 'DELETE', `/buildings/${buildingId}?force=true`)
    expect(removed).toMatchObject({ status: 200, body: { buildingId, registrationsEnded: 1, devicesRemoved: [details.clientId], credentialsRevoked: 0 } })
    await closed
    expect(await refusedLogin(details)).toBeGreaterThan(0)

    // Gone for everyone who could see it; the rules forget it.
    for (const who of ['admin', 'landlord-li', 'police-zumiao', 'grid-chen']) {
      expect({ who, status: (await call(who, 'GET', `/buildings/${buildingId}`)).status }).toEqual({ who, status: 404 })
      expect(((await call(who, 'GET', '/buildings')).body as Array<{ id: string }>).map((b) => b.id)).not.toContain(buildingId)
    }
    expect((await call('landlord-li', 'GET', `/rooms/${roomId}`)).status).toBe(404)
    expect((await call('landlord-li', 'POST', `/buildings/${buildingId}/rooms`, { number: '102', capacity: 1 })).status).toBe(404)
    expect((await call('admin', 'DELETE', `/buildings/${buildingId}`)).status).toBe(404)
    await until('the pipeline forgets the building', () => tp.platform.view.room(roomId) === undefined)
    // Its id is never given again.
    expect((await call('admin', 'POST', '/buildings', { id: buildingId, gridId: 'lianhua-g1', name: 'Again', address: 'x' })).status).toBe(409)

    // History stays: the stay ended as a departure, its card revoked, every step in the ledger and the audit log.
    const stay = await tp.platform.db.query<{ status: string }>('select status from registrations where id = $1', [registrationId])
    expect(stay.rows[0]).toMatchObject({ status: 'departed' })
    const cards = await tp.platform.db.query<{ status: string }>('select status from credentials where registration_id = $1', [registrationId])
    expect(cards.rows.map((c) => c.status)).toEqual(['revoked'])
    const actions = (await ledger(buildingId)).map((e) => e.action)
    expect(actions.slice(actions.indexOf('registration.departed'))).toEqual(['registration.departed', 'credential.revoked', 'device.removed', 'building.removed'])
    expect(await audit('building.removed', buildingId)).toEqual([{ actor_id: tp.userIds.admin }])
  })

  it('lets the landlord remove a building once its tenants have left; visitor passes are revoked with it', async () => {
    const { buildingId, roomId } = await building()
    const registrationId = await register(roomId)
    const pass = await call('landlord-li', 'POST', `/rooms/${roomId}/visitor-passes`, {
      visitorName: 'A visitor', validUntil: new Date(Date.now() + 3_600_000).toISOString(),
    })
    expect(pass.status).toBe(201)
    expect((await call('landlord-li', 'POST', `/registrations/${registrationId}/deregister`, { reason: 'moved_out' })).status).toBe(200)
    const removed = await call('landlord-li', 'DELETE', `/buildings/${buildingId}`)
    expect(removed).toMatchObject({ status: 200, body: { buildingId, registrationsEnded: 0, devicesRemoved: [], credentialsRevoked: 1 } })
    const c = await tp.platform.db.query<{ status: string; revoke_reason: string }>('select status, revoke_reason from credentials where id = $1', [pass.body.id])
    expect(c.rows[0]).toEqual({ status: 'revoked', revoke_reason: 'building_removed' })
    expect((await call('landlord-li', 'GET', `/buildings/${buildingId}`)).status).toBe(404)
  })
})
