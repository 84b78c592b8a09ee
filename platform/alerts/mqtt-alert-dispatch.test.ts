// Alerts to dispatch centres over MQTT, end to end on real parts: the real
// database and accounts (API tokens from login), the real AlertService, the
// publisher, and a real broker on a real socket with the registry as its
// PersonDirectory; MQTT.js clients as the dispatch consoles.

import mqtt, { type MqttClient } from 'mqtt'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestPlatform, type TestPlatform } from '../../test/support/platform.ts'
import { MqttBroker } from '../broker/mqtt-broker.ts'
import { DEMO_PASSWORD } from '../demo/demo-site.ts'
import type { Actor } from '../registry/access.ts'
import { personDirectory } from '../registry/person-directory.ts'
import { AlertService } from './alert-service.ts'
import { candidate } from './alerts.test-kit.ts'
import type { Alert } from './model.ts'
import { MqttAlertPublisher } from './mqtt-alert-publisher.ts'

const RECHECK_MS = 200
const ZUMIAO = 'rh-alerts/v1/chancheng/zumiao/#'
const OTHER_STREET = 'rh-alerts/v1/other-district/other-street/#'

let tp: TestPlatform
let broker: MqttBroker
let alerts: AlertService
let publisher: MqttAlertPublisher
let url: string
let admin: Actor
const clients: MqttClient[] = []

beforeAll(async () => {
  tp = await startTestPlatform('pglite')
  const registry = tp.platform.registry
  admin = { id: tp.userIds.admin!, role: 'admin', username: 'admin' }
  await registry.buildings.create(admin, { id: 'other-b1', gridId: 'other-grid', name: 'Other 1', address: 'Other road 1', landlordId: tp.userIds['landlord-wang']! })
  broker = new MqttBroker({
    directory: registry.devices,
    people: personDirectory(registry.users),
    personRecheckMs: RECHECK_MS,
    sink: { accept: async () => {} },
    logger: pino({ level: 'silent' }),
    host: '127.0.0.1',
    tcpPort: 0,
    wsPort: null,
  })
  await broker.start()
  url = `mqtt://127.0.0.1:${broker.addresses().tcp.port}`
  alerts = new AlertService({ db: tp.platform.db })
  publisher = new MqttAlertPublisher({ changes$: alerts.changes$, broker, coalesceMs: 1000 })
  publisher.start()
}, 120_000)

afterAll(async () => {
  for (const c of clients) c.end(true)
  await publisher?.stop()
  alerts?.close()
  await broker?.stop()
  await tp?.dispose()
})

interface Received { topic: string; kind: string; alert: Alert; qos: number; retain: boolean }

async function connectAs (username: string, token = tp.tokens[username]!): Promise<{ client: MqttClient; got: Received[] }> {
  const client = await mqtt.connectAsync(url, {
    clientId: `dispatch:${username}`, username: `user:${username}`, password: token, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 3000,
  })
  clients.push(client)
  const got: Received[] = []
  client.on('message', (topic, payload, packet) => {
    const m = JSON.parse(payload.toString()) as { kind: string; alert: Alert }
    got.push({ topic, kind: m.kind, alert: m.alert, qos: packet.qos, retain: packet.retain })
  })
  return { client, got }
}

async function refusal (username: string, token: string): Promise<number> {
  const err = await mqtt.connectAsync(url, {
    clientId: `dispatch:${username}`, username: `user:${username}`, password: token, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 3000,
  }).then((c) => { clients.push(c); return undefined }, (e: Error & { code?: number }) => e)
  return err?.code ?? 0
}

const until = async (what: () => boolean, ms = 10_000): Promise<void> => {
  const end = Date.now() + ms
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('alerts over MQTT', () => {
  it("delivers a street's alerts to its police station and not another street's, as the REST API shows them", async () => {
    const zumiao = await connectAs('police-zumiao')
    const other = await connectAs('police-other')
    await zumiao.client.subscribeAsync(ZUMIAO, { qos: 1 })
    await other.client.subscribeAsync(OTHER_STREET, { qos: 1 })
    const b1 = (await alerts.raise(candidate('demo-b1', { dedupKey: 'mqtt-b1' })))!.alert
    const b2 = (await alerts.raise(candidate('demo-b2', { dedupKey: 'mqtt-b2' })))!.alert
    const o1 = (await alerts.raise(candidate('other-b1', { dedupKey: 'mqtt-o1' })))!.alert
    await until(() => zumiao.got.length === 2 && other.got.length === 1)
    expect(zumiao.got.map((m) => [m.topic, m.kind, m.alert.id])).toEqual([
      ['rh-alerts/v1/chancheng/zumiao/lianhua/lianhua-g1/demo-b1', 'opened', b1.id],
      ['rh-alerts/v1/chancheng/zumiao/lianhua/lianhua-g2/demo-b2', 'opened', b2.id],
    ])
    expect(other.got.map((m) => [m.topic, m.alert.id])).toEqual([['rh-alerts/v1/other-district/other-street/other-community/other-grid/other-b1', o1.id]])
    expect(zumiao.got.every((m) => m.qos === 1 && !m.retain)).toBe(true)
    const listed = (await alerts.list(admin, { buildingId: 'demo-b1' })).items.find((a) => a.id === b1.id)
    expect(zumiao.got[0]!.alert).toEqual(listed)
  })

  it('refuses subscriptions outside the area and device topics with 0x80, and closes a publishing console', async () => {
    const { client } = await connectAs('grid-chen')
    const granted = await client.subscribeAsync({
      'rh-alerts/v1/chancheng/zumiao/lianhua/+/+': { qos: 1 },
      [ZUMIAO]: { qos: 1 },
      'rh/v1/demo-b1/+/event/access': { qos: 1 },
    }).then((g) => g.map((x) => x.qos as number), (e: { packet?: { granted: number[] } }) => e.packet?.granted)
    expect(granted).toEqual([1, 0x80, 0x80])
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()))
    client.publish('rh-alerts/v1/chancheng/zumiao/lianhua/lianhua-g1/demo-b1', '{"kind":"resolved"}', { qos: 1 })
    await closed
    expect(broker.stats.totals().aclViolations).toMatchObject({ subscribe_denied: 2, person_publish: 1 })
  })

  it('coalesces counter updates but keeps every transition, in order', async () => {
    const { client, got } = await connectAs('admin')
    await client.subscribeAsync('rh-alerts/v1/#', { qos: 1 })
    const police: Actor = { id: tp.userIds['police-zumiao']!, role: 'police', username: 'police-zumiao', areaPath: '/chancheng/zumiao/' }
    const opened = (await alerts.raise(candidate('demo-b1', { dedupKey: 'mqtt-burst' })))!.alert
    for (let i = 0; i < 40; i++) await alerts.raise(candidate('demo-b1', { dedupKey: 'mqtt-burst' }))
    await alerts.acknowledge(police, opened.id, 'on our way')
    for (let i = 0; i < 10; i++) await alerts.raise(candidate('demo-b1', { dedupKey: 'mqtt-burst' }))
    const resolved = await alerts.resolve(police, opened.id, 'door repaired', 'real')
    await until(() => got.some((m) => m.kind === 'resolved'))
    const mine = got.filter((m) => m.alert.id === opened.id)
    const kinds = mine.map((m) => m.kind).filter((k) => k !== 'updated')
    expect(kinds).toEqual(['opened', 'acknowledged', 'resolved'])
    expect(mine.filter((m) => m.kind === 'updated').length).toBeLessThan(10)
    const counts = mine.map((m) => m.alert.count)
    expect(counts).toEqual([...counts].sort((a, b) => a - b)) // never an older state after a newer one
    expect(mine.at(-1)!.alert).toMatchObject({ status: 'resolved', count: 51, resolutionNote: 'door repaired', updatedAt: resolved.updatedAt })
    expect(mine.find((m) => m.kind === 'acknowledged')!.alert.count).toBe(41)
  })

  it('refuses a bad token (4), landlords and vendors (5)', async () => {
    expect(await refusal('police-zumiao', 'not-a-token')).toBe(4)
    expect(await refusal('police-zumiao', tp.tokens['police-other']!)).toBe(4)
    expect(await refusal('landlord-li', tp.tokens['landlord-li']!)).toBe(5)
    expect(await refusal('vendor-acme', tp.tokens['vendor-acme']!)).toBe(5)
    expect(broker.stats.totals().refusedConnections).toMatchObject({ bad_token: 2, role_not_allowed: 2 })
  })

  it('ends the session within the re-check interval after logout, or when the account is disabled', async () => {
    const registry = tp.platform.registry
    const session = await registry.users.login('police-zumiao', DEMO_PASSWORD, '127.0.0.1')
    const { client } = await connectAs('police-zumiao', session.token)
    const gone = new Promise<number>((resolve) => client.once('close', () => resolve(Date.now())))
    const loggedOut = Date.now()
    await registry.users.logout(session.token)
    expect(await gone - loggedOut).toBeLessThan(RECHECK_MS + 1000) // the interval, plus slack for a loaded machine
    expect(await refusal('police-zumiao', session.token)).toBe(4)

    const grid = await connectAs('grid-zhou')
    const goneGrid = new Promise<void>((resolve) => grid.client.once('close', () => resolve()))
    await registry.users.setDisabled(admin, tp.userIds['grid-zhou']!, true)
    await goneGrid
    expect(broker.stats.totals().endedPersonSessions).toBe(2)
  })
})
