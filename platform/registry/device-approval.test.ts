// A vendor's device in a live building gets nothing of the building until the
// landlord approves it: no allow-list (not even a delta), no door commands,
// and its events raise no alerts. Only the landlord or an administrator
// approves (audited, in the ledger); the reader then gets its list at once. A
// device the landlord provisions is approved from the start, and a vendor who
// rotates a device's secret needs the approval again. Real broker on a real
// socket, both databases.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASE_KINDS } from '../../test/support/databases.ts'
import { residentIdNumber } from '../../test/support/id-numbers.ts'
import { connectReader, endedAfterEach, type MqttDetails } from '../../test/support/mqtt-device.ts'
import { callApi, provisionReader, startTestPlatform, type TestPlatform } from '../../test/support/platform.ts'
import { until } from '../../test/support/wait.ts'

const SYNC = /\/command\/allowlist-sync$/
const CONFIG = /\/command\/config$/

describe.each(DATABASE_KINDS)('device approval (%s)', (kind) => {
  let tp: TestPlatform
  let serial = 0
  const clients = endedAfterEach()
  beforeAll(async () => { tp = await startTestPlatform(kind) }, 60_000)
  afterAll(async () => { await tp?.dispose() })

  const call = (who: string, method: string, url: string, payload?: object) => callApi(tp, who, method, url, payload)
  const ledger = async (deviceId: string) =>
    ((await call('landlord-li', 'GET', '/buildings/demo-b1/ledger')).body as Array<{ deviceId?: string; action: string; actorId: string; detail: object }>)
      .filter((e) => e.deviceId === deviceId)

  async function connected (details: MqttDetails) {
    const r = await connectReader(details)
    clients.push(r.client)
    // The settings arrive once the command subscription is granted: anything else due would be sent by then.
    await r.box.next(CONFIG)
    return r
  }

  it('gives a vendor\'s reader no allow-list, no delta and no door command until the landlord approves it; then its list at once', async () => {
    const details = await provisionReader(tp, 'vendor-acme', 'demo-b1')
    const id = details.clientId
    const shown = await call('landlord-li', 'GET', `/devices/${id}`)
    expect(shown.body.device).toMatchObject({ approved: false, approvedBy: null, approvedAt: null, allowlist: 'awaiting_approval' })
    expect(details.allowlistKey).toMatch(/^[0-9a-f]{64}$/)

    const reader = await connected(details)
    const reg = await call('landlord-li', 'POST', '/rooms/demo-b1-101/registrations', {
      resident: { name: 'While waiting', idType: 'resident_id', idNumber: residentIdNumber(7100 + ++serial) }, credentials: [{ kind: 'card', value: 'BE4C0001' }],
    })
    expect(reg.status).toBe(201)
    const door = await call('landlord-li', 'POST', `/devices/${id}/open-door`, { reason: 'try' })
    expect([door.status, door.body.code]).toEqual([409, 'RH_DEVICE_NOT_APPROVED'])
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(reader.box.messages.map((m) => m.topic).filter((t) => !CONFIG.test(t))).toEqual([])

    // The vendor cannot approve its own device, nor can a landlord of another building.
    const byVendor = await call('vendor-acme', 'POST', `/devices/${id}/approve`)
    expect([byVendor.status, byVendor.body.code]).toEqual([403, 'RH_FORBIDDEN'])
    expect((await call('landlord-wang', 'POST', `/devices/${id}/approve`)).status).toBe(404)
    expect((await call('grid-chen', 'POST', `/devices/${id}/approve`)).status).toBe(403)
    expect((await call('landlord-li', 'GET', `/devices/${id}`)).body.device.approved).toBe(false)

    const approved = await call('landlord-li', 'POST', `/devices/${id}/approve`)
    expect(approved.status).toBe(200)
    expect(approved.body).toMatchObject({ approved: true, approvedBy: tp.userIds['landlord-li'], approvedAt: expect.any(String), allowlist: 'receives' })
    const full = await reader.box.next(SYNC) as { mode: string; upsert: Array<{ credentialId: string }> }
    expect(full.mode).toBe('full')
    expect(full.upsert.map((e) => e.credentialId)).toContain(reg.body.credentials[0].id)
    const opened = await call('landlord-li', 'POST', `/devices/${id}/open-door`, { reason: 'now approved' })
    expect(opened.status).toBe(202)

    // Approving again changes nothing; the approval is in the ledger and the audit log once.
    expect((await call('admin', 'POST', `/devices/${id}/approve`)).body.approvedBy).toBe(tp.userIds['landlord-li'])
    expect((await ledger(id)).map((e) => [e.action, e.actorId])).toEqual([
      ['device.provisioned', tp.userIds['vendor-acme']], ['device.approved', tp.userIds['landlord-li']],
    ])
    const audit = await call('admin', 'GET', `/audit?action=device.approved&subjectId=${id}`)
    expect(audit.body).toEqual([expect.objectContaining({ actorId: tp.userIds['landlord-li'], action: 'device.approved', subjectType: 'device', subjectId: id })])
  })

  it('judges no event of a device waiting for approval: a bench device raises no alert in a live building', async () => {
    const details = await provisionReader(tp, 'vendor-acme', 'demo-b1')
    const id = details.clientId
    const { client } = await connected(details)
    const topic = details.publish.find((t) => t.endsWith('/event/door'))!
    let seq = 0
    const forced = (door: string) => client.publishAsync(topic, JSON.stringify({
      eventId: `${id}-${++seq}`, seq, ts: new Date().toISOString(), door, state: 'forced_open',
    }), { qos: 1 })
    await forced('bench-door-before')
    expect((await call('admin', 'POST', `/devices/${id}/approve`)).status).toBe(200)
    await until('the pipeline sees the device approved', () => tp.platform.view!.device(id)?.approved === true)
    await forced('bench-door-after')

    const doors = async () => ((await call('landlord-li', 'GET', '/alerts?buildingId=demo-b1&type=door_forced&status=live')).body.items as Array<{ door: string; deviceId: string }>)
      .filter((a) => a.deviceId === id).map((a) => a.door)
    await until('the approved device\'s alert', async () => (await doors()).includes('bench-door-after'), 8000)
    expect(await doors()).toEqual(['bench-door-after'])
    // The event before the approval was received and counted all the same.
    expect((await call('landlord-li', 'GET', `/devices/${id}`)).body.status.accepted).toBeGreaterThanOrEqual(2)
  })

  it('approves what the landlord provisions at once; a vendor who rotates a device\'s secret needs the approval again', async () => {
    const id = (await provisionReader(tp, 'landlord-li', 'demo-b1')).clientId
    expect((await call('landlord-li', 'GET', `/devices/${id}`)).body.device).toMatchObject({ approved: true, approvedBy: tp.userIds['landlord-li'], allowlist: 'receives' })

    const byLandlord = await call('landlord-li', 'POST', `/devices/${id}/rotate-secret`)
    expect(byLandlord.body.device.approved).toBe(true)
    const byVendor = await call('vendor-acme', 'POST', `/devices/${id}/rotate-secret`)
    expect(byVendor.status).toBe(200)
    expect(byVendor.body.device).toMatchObject({ approved: false, approvedBy: null, allowlist: 'awaiting_approval' })
    const reader = await connected(byVendor.body.mqtt as MqttDetails)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(reader.box.messages.filter((m) => SYNC.test(m.topic))).toEqual([])
    expect((await ledger(id)).map((e) => [e.action, e.detail])).toEqual([
      ['device.provisioned', expect.objectContaining({ approved: true })],
      ['device.secret_rotated', {}],
      ['device.secret_rotated', { approvalWithdrawn: true }],
    ])
    expect((await call('landlord-li', 'POST', `/devices/${id}/approve`)).body.approved).toBe(true)
    expect(await reader.box.next(SYNC)).toMatchObject({ mode: 'full' })
  })
})
