// A vendor's device in a live building gets nothing of the building until the
// landlord approves it: no allow-list (not even a delta), no door commands,
// and its events raise no alerts. Only the landlord or an administrator
// approves (audited, in the ledger); the reader then gets its list at once. A
// device the landlord provisions is approved from the start. A vendor who
// rotates only the secret keeps the approval; one who issues a new key needs
// it again, but the reader stays judged, its last approval stays on record
// and a reader_not_updated alert is open until it has its list (or is
// disabled). Real broker on a real socket, both databases.

import type { MqttClient } from 'mqtt'
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
    await until('the pipeline sees the device approved', () => tp.platform.view.device(id)?.judged === true)
    await forced('bench-door-after')

    const doors = async () => ((await call('landlord-li', 'GET', '/alerts?buildingId=demo-b1&type=door_forced&status=live')).body.items as Array<{ door: string; deviceId: string }>)
      .filter((a) => a.deviceId === id).map((a) => a.door)
    await until('the approved device\'s alert', async () => (await doors()).includes('bench-door-after'), 8000)
    expect(await doors()).toEqual(['bench-door-after'])
    // The event before the approval was received and counted all the same.
    expect((await call('landlord-li', 'GET', `/devices/${id}`)).body.status.accepted).toBeGreaterThanOrEqual(2)
  })

  const readerAlerts = async (deviceId: string, status: 'live' | 'resolved') =>
    ((await call('landlord-li', 'GET', `/alerts?buildingId=demo-b1&type=reader_not_updated&status=${status}`)).body.items as
      Array<{ id: string; deviceId: string; severity: string; explanation: string; autoResolved: boolean }>).filter((a) => a.deviceId === deviceId)

  /** Answers an allow-list sync as a reader that took it. */
  async function confirm (details: MqttDetails, client: MqttClient, sync: { requestId: string; version: number }) {
    const topic = details.publish.find((t) => t.endsWith('/reply'))!
    await client.publishAsync(topic, JSON.stringify({ requestId: sync.requestId, command: 'allowlist-sync', status: 'ok', data: { version: sync.version } }), { qos: 1 })
  }

  /** A vendor's reader the landlord approved, connected and holding its list. */
  async function servingReader () {
    const details = await provisionReader(tp, 'vendor-acme', 'demo-b1')
    expect((await call('landlord-li', 'POST', `/devices/${details.clientId}/approve`)).status).toBe(200)
    const reader = await connected(details)
    const full = await reader.box.next(SYNC) as { requestId: string; version: number; keyId: string }
    await confirm(details, reader.client, full)
    return { details, reader, full }
  }

  it('approves what the landlord provisions at once, and keeps the approval across a landlord\'s rotation', async () => {
    const deviceId = (await provisionReader(tp, 'landlord-li', 'demo-b1')).clientId
    expect((await call('landlord-li', 'GET', `/devices/${deviceId}`)).body.device).toMatchObject({ approved: true, approvedBy: tp.userIds['landlord-li'], allowlist: 'receives' })
    const byLandlord = await call('landlord-li', 'POST', `/devices/${deviceId}/rotate-secret`)
    expect(byLandlord.body.device).toMatchObject({ approved: true, approvalWithdrawnBy: null })
    expect(byLandlord.body.mqtt.allowlistKey).toMatch(/^[0-9a-f]{64}$/)
  })

  it('keeps the approval when the vendor rotates only the secret: the reader gets its list, under the key it holds', async () => {
    const { details, reader, full } = await servingReader()
    const deviceId = details.clientId
    const rotated = await call('vendor-acme', 'POST', `/devices/${deviceId}/rotate-secret`, { allowlistKey: 'keep' })
    expect(rotated.status).toBe(200)
    expect(rotated.body.device).toMatchObject({ approved: true, approvedBy: tp.userIds['landlord-li'], approvalWithdrawnBy: null, allowlist: 'receives' })
    expect(rotated.body.mqtt.allowlistKey).toBeNull()
    await until('the old session ends', () => !reader.client.connected)

    const again = await connected({ ...(rotated.body.mqtt as MqttDetails), allowlistKey: details.allowlistKey })
    expect(await again.box.next(SYNC)).toMatchObject({ mode: 'full', keyId: full.keyId })
    expect((await ledger(deviceId)).filter((e) => e.action === 'device.secret_rotated').map((e) => e.detail)).toEqual([{ allowlistKey: 'kept' }])
    expect(await readerAlerts(deviceId, 'live')).toEqual([])

    // Another vendor allowed in the building has not been approved for this device: its rotation withdraws the approval.
    expect((await call('admin', 'POST', '/buildings/demo-b1/vendors', { vendorId: tp.userIds['vendor-other'] })).status).toBe(204)
    const byOther = await call('vendor-other', 'POST', `/devices/${deviceId}/rotate-secret`, { allowlistKey: 'keep' })
    expect(byOther.body.device).toMatchObject({ approved: false, approvedBy: tp.userIds['landlord-li'], approvalWithdrawnBy: tp.userIds['vendor-other'] })
    expect((await call('landlord-li', 'POST', `/devices/${deviceId}/approve`)).body.approved).toBe(true)

    // A reader without a key (protocol revision 1) has none to keep: refused, like a bad option, and nothing changes.
    await tp.platform.db.query('update devices set allowlist_key_sealed = null where id = $1', [deviceId])
    const refused = await call('vendor-acme', 'POST', `/devices/${deviceId}/rotate-secret`, { allowlistKey: 'keep' })
    expect([refused.status, refused.body.code]).toEqual([400, 'RH_BAD_REQUEST'])
    expect((await call('vendor-acme', 'POST', `/devices/${deviceId}/rotate-secret`, { allowlistKey: 'maybe' })).status).toBe(400)
    expect((await ledger(deviceId)).filter((e) => e.action === 'device.secret_rotated')).toHaveLength(2)
  })

  it('ends a reader_not_updated episode when the reader is disabled, and at start for one disabled or removed before', async () => {
    const { details } = await servingReader()
    const deviceId = details.clientId
    expect((await call('vendor-acme', 'POST', `/devices/${deviceId}/rotate-secret`)).body.device.approved).toBe(false)
    await until('the reader_not_updated alert', async () => (await readerAlerts(deviceId, 'live')).length === 1, 5000)

    // Disabled, it is sent nothing and never connects to confirm a list: device_offline speaks for it instead.
    expect((await call('landlord-li', 'PATCH', `/devices/${deviceId}`, { enabled: false })).status).toBe(200)
    await until('the alert resolved by itself', async () => (await readerAlerts(deviceId, 'resolved')).some((a) => a.autoResolved), 5000)
    expect(await readerAlerts(deviceId, 'live')).toEqual([])
    // Enabled again and still waiting for approval, the door is not silent: a new episode.
    expect((await call('landlord-li', 'PATCH', `/devices/${deviceId}`, { enabled: true })).status).toBe(200)
    await until('a new reader_not_updated alert', async () => (await readerAlerts(deviceId, 'live')).length === 1, 5000)

    // An alert open for a reader disabled, or removed, while the platform was down (no change event) ends at start.
    const removed = (await servingReader()).details.clientId
    expect((await call('vendor-acme', 'POST', `/devices/${removed}/rotate-secret`)).body.device.approved).toBe(false)
    await until('the removed reader\'s alert', async () => (await readerAlerts(removed, 'live')).length === 1, 5000)
    await tp.platform.db.query('update devices set enabled = false where id = $1', [deviceId])
    await tp.platform.db.query('delete from devices where id = $1', [removed])
    await tp.restart()
    expect(await readerAlerts(deviceId, 'live')).toEqual([])
    expect((await readerAlerts(deviceId, 'resolved')).filter((a) => a.autoResolved)).toHaveLength(2)
    expect(await readerAlerts(removed, 'live')).toEqual([])
    expect((await readerAlerts(removed, 'resolved')).filter((a) => a.autoResolved)).toHaveLength(1)
  })

  it('a vendor\'s rotation with a new key withdraws the approval but not its record: the reader stays judged and an alert stays open until it has its list', async () => {
    const { details } = await servingReader()
    const deviceId = details.clientId
    const approvedAt = (await call('landlord-li', 'GET', `/devices/${deviceId}`)).body.device.approvedAt as string
    const rotated = await call('vendor-acme', 'POST', `/devices/${deviceId}/rotate-secret`)
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(200)
    expect(rotated.body.device).toMatchObject({
      approved: false, approvedBy: tp.userIds['landlord-li'], approvedAt, allowlist: 'awaiting_approval',
      approvalWithdrawnBy: tp.userIds['vendor-acme'], approvalWithdrawnAt: expect.any(String),
    })

    // The door is not silent: one major alert says the reader gets no updates, and why.
    let open: Awaited<ReturnType<typeof readerAlerts>> = []
    await until('the reader_not_updated alert', async () => (open = await readerAlerts(deviceId, 'live')).length === 1, 5000)
    expect(open[0]).toMatchObject({ severity: 'major', deviceId })
    expect(open[0]!.explanation).toContain(`POST /devices/${deviceId}/approve`)
    expect(open[0]!.explanation).toContain('revoked')

    // Reconnected with the new secret, it gets no list, and its events are still judged.
    const fresh = rotated.body.mqtt as MqttDetails
    const reader = await connected(fresh)
    await until('the pipeline sees the device', () => tp.platform.view.device(deviceId)?.judged === true)
    const topic = fresh.publish.find((t) => t.endsWith('/event/door'))!
    await reader.client.publishAsync(topic, JSON.stringify({ eventId: `${deviceId}-f1`, seq: 1, ts: new Date().toISOString(), door: 'rotated-door', state: 'forced_open' }), { qos: 1 })
    await until('the forced door alert', async () =>
      ((await call('landlord-li', 'GET', '/alerts?buildingId=demo-b1&type=door_forced&status=live')).body.items as Array<{ door: string }>).some((a) => a.door === 'rotated-door'), 8000)
    expect(reader.box.messages.filter((m) => SYNC.test(m.topic))).toEqual([])
    expect(await readerAlerts(deviceId, 'live')).toHaveLength(1)

    // Approved again: the list goes out at once; once the reader confirms it the alert resolves itself.
    const again = await call('landlord-li', 'POST', `/devices/${deviceId}/approve`)
    expect(again.body).toMatchObject({ approved: true, approvalWithdrawnBy: null, allowlist: 'receives' })
    const full = await reader.box.next(SYNC) as { requestId: string; version: number; mode: string }
    expect(full.mode).toBe('full')
    expect(await readerAlerts(deviceId, 'live')).toHaveLength(1)
    await confirm(fresh, reader.client, full)
    await until('the alert resolved', async () => (await readerAlerts(deviceId, 'resolved')).some((a) => a.autoResolved), 5000)
    expect(await readerAlerts(deviceId, 'live')).toEqual([])
    expect((await ledger(deviceId)).map((e) => [e.action, e.detail])).toEqual([
      ['device.provisioned', expect.objectContaining({ approved: false })],
      ['device.approved', expect.not.objectContaining({ previouslyApprovedBy: expect.anything() })],
      ['device.secret_rotated', { allowlistKey: 'new', approvalWithdrawn: true }],
      ['device.approved', expect.objectContaining({ previouslyApprovedBy: tp.userIds['landlord-li'], withdrawnBy: tp.userIds['vendor-acme'] })],
    ])
  })
})
