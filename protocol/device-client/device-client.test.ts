// The device client on a real broker over a real socket: what it publishes
// after every CONNACK, how it answers commands, what happens across an
// outage, a drop by the broker, a broker that holds acknowledgements and a
// full outbox.

import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { decodeUplink, type UplinkChannel } from '../index.ts'
import { eventually, testBroker, type TestBroker, type Watched } from './broker.test-kit.ts'
import { DeviceClient, errorBody, type DeviceClientOptions } from './index.ts'

const B = 'bldg-client'
let broker: TestBroker
let watcher: Watched
const clients: DeviceClient[] = []

beforeEach(async () => {
  broker = await testBroker()
  watcher = await broker.watch(`rh/v1/${B}/#`)
})

afterEach(async () => {
  for (const c of clients.splice(0)) await c.stop().catch(() => {})
  await broker.close()
})

/** Ten times faster than real time. */
const start = Date.parse('2026-11-20T09:00:00+08:00')
const realStart = Date.now()
const clock = { now: () => start + (Date.now() - realStart) * 10 }

function client (deviceId: string, o: Partial<DeviceClientOptions> = {}): DeviceClient {
  const c = new DeviceClient({
    credentials: { url: broker.url, buildingId: B, deviceId, password: 'secret' },
    doors: ['gate'], firmware: 'fw-1', vendor: 'Test', model: 'T1', heartbeatS: 5,
    execute: (name, command) => name === 'open-door' && 'door' in command && command.door === 'gate' ? { status: 'ok' } : errorBody('unsupported', `no ${name}`),
    clock, tickMs: 10, backoffMinS: 1, ...o,
  })
  clients.push(c)
  return c
}

const door = (state: 'forced_open' | 'tamper' | 'held_open') => ({ door: 'gate', state })

async function command (deviceId: string, name: string, body: object, requestId = `req-${Math.random().toString(36).slice(2)}`): Promise<any> {
  await watcher.client.publishAsync(`rh/v1/${B}/${deviceId}/command/${name}`, JSON.stringify({ requestId, ts: new Date(clock.now()).toISOString(), ...body }), { qos: 1 })
  let reply: any
  await eventually(`a reply to ${name}`, () => (reply = watcher.on('reply').find((r) => r.requestId === requestId)) !== undefined)
  return reply
}

describe('device client', () => {
  it('goes online retained, heartbeats, answers each command once, applies config', async () => {
    const c = client('dev-1', { seqStart: 1 })
    await c.start()
    await eventually('the online status', () => watcher.on('status').length > 0)
    expect(watcher.on('status')[0]).toMatchObject({ state: 'online', doors: ['gate'], firmware: 'fw-1', vendor: 'Test', model: 'T1' })
    const late = await broker.watch(`rh/v1/${B}/dev-1/status`)
    await eventually('the retained status', () => late.messages.some((m) => m.retain && m.payload.state === 'online'))
    expect(await command('dev-1', 'open-door', { door: 'gate' }, 'r-1')).toMatchObject({ requestId: 'r-1', command: 'open-door', status: 'ok' })
    // A redelivered command is answered with the same reply, not carried out again.
    await watcher.client.publishAsync(`rh/v1/${B}/dev-1/command/open-door`, JSON.stringify({ requestId: 'r-1', ts: new Date(clock.now()).toISOString(), door: 'gate' }), { qos: 1 })
    await eventually('the second reply', () => watcher.on('reply').filter((r) => r.requestId === 'r-1').length === 2)
    expect(await command('dev-1', 'open-door', { door: 'back' })).toMatchObject({ status: 'error', error: { code: 'unsupported' } })
    expect(await command('dev-1', 'config', { heartbeatS: 5, timezone: 'Nowhere/Atlantis' })).toMatchObject({ status: 'error', error: { code: 'invalid_command' } })
    expect(await command('dev-1', 'config', { doorHeldOpenS: 30 })).toMatchObject({ status: 'ok', data: { doorHeldOpenS: 30, heartbeatS: 5 } })
    expect(c.settings.doorHeldOpenS).toBe(30)
    expect(c.publishEvent('event/door', door('tamper'))).toMatchObject({ seq: 1 })
    await eventually('a heartbeat', () => watcher.on('heartbeat').length > 0)
    expect(watcher.on('heartbeat')[0]).toMatchObject({ firmware: 'fw-1' })
    for (const m of watcher.messages) {
      const channel = m.topic.split('/').slice(4).join('/')
      if (channel.startsWith('command/')) continue
      const d = decodeUplink(channel as UplinkChannel, Buffer.from(JSON.stringify(m.payload)))
      expect(d.ok, `${m.topic} ${JSON.stringify(m.payload)}`).toBe(true)
    }
  })

  it('buffers events during an outage and replays them in order on reconnect; the will says offline meanwhile', async () => {
    const c = client('dev-2')
    await c.start()
    await c.disconnect()
    await eventually('the will', () => watcher.on('status').some((s) => s.state === 'offline' && s.reason === 'lwt'))
    for (const state of ['forced_open', 'tamper', 'held_open'] as const) c.publishEvent('event/door', door(state))
    expect(c.counters.buffered).toBe(3)
    expect(watcher.on('event/door')).toHaveLength(0)
    await c.reconnect()
    await eventually('the replay', () => watcher.on('event/door').length === 3)
    const topics = watcher.messages.filter((m) => /status|event/.test(m.topic)).map((m) => m.payload.state)
    expect(topics.slice(-4)).toEqual(['online', 'forced_open', 'tamper', 'held_open'])
    expect(c.counters.acked).toBeGreaterThanOrEqual(3)
    expect(c.pendingEvents).toBe(0)
  })

  it('reconnects by itself after the broker drops it, and shuts down with an offline status', async () => {
    const c = client('dev-3')
    await c.start()
    broker.drop('dev-3')
    await eventually('back online', () => watcher.on('status').filter((s) => s.state === 'online').length === 2)
    await c.stop({ graceful: true })
    await eventually('offline shutdown', () => watcher.on('status').at(-1)?.reason === 'shutdown')
    expect(c.state).toBe('stopped')
  })

  it('stops within ackTimeoutMs when the broker never acknowledges the offline status, dropping the connection', async () => {
    const logs: string[] = []
    const c = client('dev-5', { onLog: (e) => logs.push(e.msg) })
    await c.start()
    // A broker that holds the PUBACK of the shutdown status for ever (as a platform whose event log is full does).
    broker.aedes.authorizePublish = (_client, packet, callback) => {
      if (!String(packet.payload).includes('"shutdown"')) callback(null)
    }
    const t0 = Date.now()
    await c.stop({ graceful: true, ackTimeoutMs: 300 })
    expect(Date.now() - t0).toBeLessThan(2000)
    expect(c.state).toBe('stopped')
    expect(logs).toContain('the broker did not acknowledge the offline status; dropping the connection')
    // Dropped, not disconnected: the broker publishes the will.
    await eventually('the will', () => watcher.on('status').some((s) => s.state === 'offline' && s.reason === 'lwt'))
  })

  it('keeps at most bufferLimit events, dropping the oldest', async () => {
    const c = client('dev-4', { bufferLimit: 2, seqStart: 10 })
    await c.start()
    await c.disconnect()
    for (const state of ['forced_open', 'tamper', 'held_open'] as const) c.publishEvent('event/door', door(state))
    expect(c.counters.dropped).toBe(1)
    await c.reconnect()
    await eventually('the replay', () => watcher.on('event/door').length === 2)
    expect(watcher.on('event/door').map((d) => [d.state, d.seq])).toEqual([['tamper', 11], ['held_open', 12]])
  })
})
