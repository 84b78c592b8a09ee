// Taking a device's access away through the API works on the live session:
// disabling a device disconnects it and refuses its logins until it is enabled
// again; rotating its secret disconnects the old session, the old secret stops
// working and the new one works; doors open only through a connected reader.
// A vendor enables only what its own organisation disabled, and is told who did.
// Real broker on a real socket, both databases.

import type { MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConnackCode } from '../broker/connack.ts'
import { DATABASE_KINDS } from '../../test/support/databases.ts'
import { closedByBroker, connectDevice, connectReader, endedAfterEach, refusedLogin, type MqttDetails } from '../../test/support/mqtt-device.ts'
import { callApi, provisionReader, startTestPlatform, type TestPlatform } from '../../test/support/platform.ts'
import { until } from '../../test/support/wait.ts'

describe.each(DATABASE_KINDS)('device access through the API (%s)', (kind) => {
  let tp: TestPlatform
  const clients = endedAfterEach()
  beforeAll(async () => { tp = await startTestPlatform(kind) }, 60_000)
  afterAll(async () => { await tp?.dispose() })

  const api = (method: string, url: string, payload?: object) => callApi(tp, 'landlord-li', method, url, payload)

  // The landlord provisions; the platform chooses the id (details.clientId).
  const provision = () => provisionReader(tp, 'landlord-li', 'demo-b1')

  async function connect (details: MqttDetails, password?: string): Promise<MqttClient> {
    const client = await connectDevice(details, password)
    clients.push(client)
    return client
  }

  // The broker's view of a session settles just after the client's.
  const connected = async (id: string): Promise<boolean> => (await api('GET', `/devices/${id}`)).body.status.connected
  const shownConnected = (id: string, want: boolean) => until(`GET /devices/${id} shows connected: ${want}`, async () => await connected(id) === want)
  const ledgerActions = async (deviceId: string): Promise<string[]> =>
    (await api('GET', '/buildings/demo-b1/ledger')).body.filter((e: { deviceId?: string }) => e.deviceId === deviceId).map((e: { action: string }) => e.action)

  it('disabling a device ends its live session and refuses its logins until it is enabled again', async () => {
    const details = await provision()
    const client = await connect(details)
    await shownConnected(details.clientId, true)

    const closed = closedByBroker(client)
    const disabled = await api('PATCH', `/devices/${details.clientId}`, { enabled: false })
    expect(disabled).toMatchObject({ status: 200, body: { id: details.clientId, enabled: false } })
    await closed
    await shownConnected(details.clientId, false)
    expect(await refusedLogin(details)).toBe(ConnackCode.NOT_AUTHORIZED)
    expect((await api('GET', `/devices/${details.clientId}`)).body.status.authFailures).toBeGreaterThanOrEqual(1)

    expect((await api('PATCH', `/devices/${details.clientId}`, { enabled: true })).body.enabled).toBe(true)
    await connect(details)
    await shownConnected(details.clientId, true)
    expect(await ledgerActions(details.clientId)).toEqual(['device.provisioned', 'device.disabled', 'device.enabled'])
  })

  it('rotating the secret ends the old session; the old secret stops working and the new one works', async () => {
    const details = await provision()
    const client = await connect(details)
    // A device up and running: the broker has finished accepting it.
    await shownConnected(details.clientId, true)

    const closed = closedByBroker(client)
    const rotated = await api('POST', `/devices/${details.clientId}/rotate-secret`)
    expect(rotated.status).toBe(200)
    const fresh = rotated.body.mqtt as MqttDetails
    expect(fresh).toMatchObject({ clientId: details.clientId, username: details.username, will: details.will, subscribe: details.subscribe })
    expect(fresh.password).not.toBe(details.password)
    expect(rotated.body.device.secretRotatedAt).toEqual(expect.any(String))
    await closed
    await shownConnected(details.clientId, false)

    expect(await refusedLogin(details)).toBe(ConnackCode.BAD_USERNAME_OR_PASSWORD)
    // The new secret works, and the reader gets its allow-list as usual.
    const reader = await connectReader(fresh)
    clients.push(reader.client)
    expect(await reader.box.next(/\/command\/allowlist-sync$/)).toMatchObject({ mode: 'full' })
    await shownConnected(details.clientId, true)
    // The secret is stored only as a hash, and is never shown again.
    const row = await tp.platform.db.query<{ secret_hash: string }>('select secret_hash from devices where id = $1', [details.clientId])
    expect(row.rows[0]!.secret_hash).not.toContain(fresh.password)
    expect(JSON.stringify((await api('GET', `/devices/${details.clientId}`)).body)).not.toContain(fresh.password)
    expect(await ledgerActions(details.clientId)).toEqual(['device.provisioned', 'device.secret_rotated'])
  })

  interface OfflineAlert { id: string; severity: string; deviceId: string; explanation: string; autoResolved: boolean }
  const offlineAlerts = async (deviceId: string, status: 'live' | 'resolved'): Promise<OfflineAlert[]> =>
    ((await api('GET', `/alerts?buildingId=demo-b1&type=device_offline&status=${status}`)).body.items as OfflineAlert[])
      .filter((a) => a.deviceId === deviceId)
  async function offlineAlert (deviceId: string, status: 'live' | 'resolved'): Promise<OfflineAlert> {
    let found: OfflineAlert[] = []
    await until(`a ${status} device_offline alert of ${deviceId}`, async () => (found = await offlineAlerts(deviceId, status)).length > 0, 8000)
    return found[0]!
  }

  it('a disable reads as the operator\'s act, not as a power cut; enabling again clears it', async () => {
    const details = await provision()
    const client = await connect(details)
    await shownConnected(details.clientId, true)
    const closed = closedByBroker(client)
    await api('PATCH', `/devices/${details.clientId}`, { enabled: false })
    await closed
    const a = await offlineAlert(details.clientId, 'live')
    expect(a.severity).toBe('info')
    expect(a.explanation).toContain('disabled by an operator')
    expect(a.explanation).not.toContain('last will')
    // Still open a few ticks later: the device is off on purpose, and nothing else is raised for it.
    await new Promise((resolve) => setTimeout(resolve, 2_500))
    expect((await offlineAlerts(details.clientId, 'live')).map((x) => [x.id, x.severity])).toEqual([[a.id, 'info']])
    await api('PATCH', `/devices/${details.clientId}`, { enabled: true })
    expect((await offlineAlert(details.clientId, 'resolved')).id).toBe(a.id)
    expect(await offlineAlerts(details.clientId, 'live')).toEqual([])
  })

  it('a rotated secret is a warning until the device is back with its new secret, not a power cut', async () => {
    const details = await provision()
    const client = await connect(details)
    await shownConnected(details.clientId, true)
    const closed = closedByBroker(client)
    const fresh = (await api('POST', `/devices/${details.clientId}/rotate-secret`)).body.mqtt as MqttDetails
    await closed
    const a = await offlineAlert(details.clientId, 'live')
    expect(a.severity).toBe('warning')
    expect(a.explanation).toContain('secret was rotated')
    const back = await connect(fresh)
    await back.publishAsync(fresh.will.topic, JSON.stringify({ state: 'online', ts: new Date().toISOString() }), { qos: 1, retain: true })
    expect((await offlineAlert(details.clientId, 'resolved')).id).toBe(a.id)
  })

  it('opens a door only through a connected reader', async () => {
    const details = await provision()
    const offline = await api('POST', `/devices/${details.clientId}/open-door`, { reason: 'delivery' })
    expect([offline.status, offline.body.code]).toEqual([409, 'RH_CONFLICT'])
    const camera = await api('POST', '/devices/demo-b1-cam/open-door', { reason: 'delivery' })
    expect([camera.status, camera.body.code]).toEqual([400, 'RH_BAD_REQUEST'])

    const reader = await connectReader(details)
    clients.push(reader.client)
    await shownConnected(details.clientId, true)
    const opened = await api('POST', `/devices/${details.clientId}/open-door`, { reason: 'delivery', durationS: 5 })
    expect(opened.status).toBe(202)
    expect(await reader.box.next(/\/command\/open-door$/)).toMatchObject({ requestId: opened.body.requestId, door: 'main-gate', reason: 'delivery', durationS: 5 })
  })

  it('a vendor cannot enable a device the landlord or an administrator disabled; what a vendor disabled, it may enable', async () => {
    const enable = (who: string, id: string, enabled: boolean) => callApi(tp, who, 'PATCH', `/devices/${id}`, { enabled })
    for (const disabler of ['landlord-li', 'admin']) {
      const details = await provision()
      const id = details.clientId
      expect((await enable(disabler, id, false)).status).toBe(200)
      const refused = await enable('vendor-acme', id, true)
      expect([refused.status, refused.body.code]).toEqual([403, 'RH_DISABLED_BY_LANDLORD'])
      expect(refused.body.message).toContain(`disabled by ${disabler === 'admin' ? 'an administrator' : 'the landlord'};`)
      // Nothing changed: still disabled, its logins still refused, nothing in the ledger.
      expect((await api('GET', `/devices/${id}`)).body.device.enabled).toBe(false)
      expect(await refusedLogin(details)).toBe(ConnackCode.NOT_AUTHORIZED)
      expect(await ledgerActions(id)).toEqual(['device.provisioned', 'device.disabled'])
      // Disabling it again as the vendor does not make it the vendor's to enable.
      expect((await enable('vendor-acme', id, false)).status).toBe(200)
      expect((await enable('vendor-acme', id, true)).body.code).toBe('RH_DISABLED_BY_LANDLORD')
      expect((await enable(disabler, id, true)).body.enabled).toBe(true)
    }

    const details = await provision()
    const id = details.clientId
    expect((await enable('vendor-acme', id, false)).status).toBe(200)
    expect((await enable('vendor-acme', id, true))).toMatchObject({ status: 200, body: { enabled: true } })
    // Enabling an enabled device is no enabling of anything the landlord disabled.
    expect((await enable('vendor-acme', id, true)).status).toBe(200)
    await connect(details)
    await shownConnected(id, true)
    expect(await ledgerActions(id)).toEqual(['device.provisioned', 'device.disabled', 'device.enabled', 'device.enabled'])
  })

  it('says truly who may enable a device a vendor may not: another organisation, or unknown from before it was recorded', async () => {
    const enable = (who: string, id: string, enabled: boolean) => callApi(tp, who, 'PATCH', `/devices/${id}`, { enabled })
    expect((await api('POST', '/buildings/demo-b1/vendors', { vendorId: tp.userIds['vendor-other'] })).status).toBe(204)
    const other = (await provision()).clientId
    expect((await enable('vendor-other', other, false)).status).toBe(200)
    const refused = await enable('vendor-acme', other, true)
    expect([refused.status, refused.body.code]).toEqual([403, 'RH_DISABLED_BY_LANDLORD'])
    expect(refused.body.message).toBe(`device ${other} was not disabled by your organisation: it was disabled by a vendor of another organisation; ` +
      'only that organisation, the landlord or an administrator can enable it')
    expect((await enable('vendor-other', other, true)).body.enabled).toBe(true)

    // Disabled before who disabled it was recorded, and no ledger entry to tell (migration 019): no vendor's.
    const old = await provision()
    await tp.platform.db.query('update devices set enabled = false, disabled_by = null where id = $1', [old.clientId])
    for (const vendor of ['vendor-acme', 'vendor-other']) {
      const r = await enable(vendor, old.clientId, true)
      expect([r.status, r.body.code]).toEqual([403, 'RH_DISABLED_BY_LANDLORD'])
      expect(r.body.message).toBe(`device ${old.clientId} was not disabled by your organisation: it was disabled before the platform ` +
        'recorded who disables devices; only the landlord or an administrator can enable it')
    }
    expect((await ledgerActions(old.clientId))).toEqual(['device.provisioned'])
    expect((await enable('landlord-li', old.clientId, true)).body.enabled).toBe(true)
  })

  it('a device of a building the caller does not manage keeps its session', async () => {
    const details = await provision()
    const client = await connect(details)
    await shownConnected(details.clientId, true)
    const refused = await callApi(tp, 'landlord-wang', 'PATCH', `/devices/${details.clientId}`, { enabled: false })
    expect(refused.status).toBe(404)
    expect((await callApi(tp, 'grid-chen', 'POST', `/devices/${details.clientId}/rotate-secret`)).status).toBe(403)
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(client.connected).toBe(true)
    await shownConnected(details.clientId, true)
  })
})
