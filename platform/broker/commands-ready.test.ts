// "The device listens for its commands" is told once per connection: whether
// its subscription came in this connection or was restored with a persistent
// session, whatever the device subscribes again, and however its SUBSCRIBE
// races the broker's own "client ready". The race: Aedes resumes reading a
// connection once its CONNACK is written but reports it ready only later, so
// a SUBSCRIBE that is already there (a fast device, a busy platform) is in the
// connection's subscriptions before it is ready. The platform's answer, the
// settings and a reader's full allow-list, reaches a fresh connection once each.

import type { Aedes, Client } from 'aedes'
import mqtt, { type MqttClient } from 'mqtt'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { deviceSubscriptionFilters, deviceTopic, LAST_WILL_PAYLOAD } from '../../protocol/index.ts'
import type { MqttDetails } from '../../test/support/mqtt-device.ts'
import { provisionReader, startTestPlatform, type TestPlatform } from '../../test/support/platform.ts'
import { eventually, RawClient, sleep, startHarness, type Harness, type TestDevice } from './broker.test-kit.ts'
import { connect, DISCONNECT, parsePackets, puback, subscribe } from './mqtt-bytes.test-kit.ts'

/** Connections per case. */
const ROUNDS = 5
/** How long a second signal or message is waited for; the doubles seen came a few ms apart. */
const QUIET_MS = 60

interface Login { clientId: string; username: string; password: string; buildingId: string }

/** A device on a raw socket: acknowledges each QoS 1 message (as a device must) and keeps them. */
class RawDevice {
  readonly messages: Array<{ topic: string; payload: { mode?: string } }> = []
  private parsed = 0

  constructor (readonly raw: RawClient, private readonly login: Login) {
    raw.socket.on('data', () => this.read())
  }

  connectBytes (clean: boolean): Buffer {
    const { clientId, username, password, buildingId } = this.login
    return connect({
      clientId, username, password, clean, keepalive: 30,
      will: { topic: deviceTopic(buildingId, clientId, 'status'), payload: LAST_WILL_PAYLOAD, qos: 1, retain: true },
    })
  }

  subscribeBytes (): Buffer {
    return subscribe(1, deviceSubscriptionFilters(this.login.buildingId, this.login.clientId).map((f) => [f, 1] as [string, number]))
  }

  /**
   * Sends CONNECT, and its SUBSCRIBE the moment `aedes` registers the connection: after authentication,
   * before the CONNACK. Aedes reads it when it resumes the connection after its CONNACK, as it would a
   * SUBSCRIBE sent on CONNACK that beat the broker's "client ready".
   */
  connectRacing (aedes: Aedes, clean: boolean): void {
    const onClient = (c: Client): void => {
      if (c.id !== this.login.clientId) return
      aedes.off('client', onClient)
      this.raw.send(this.subscribeBytes())
    }
    aedes.on('client', onClient)
    this.raw.send(this.connectBytes(clean))
  }

  subacked (): boolean {
    return parsePackets(this.raw.received).some((p) => p.type === 9)
  }

  count (suffix: string, mode?: string): number {
    return this.messages.filter((m) => m.topic.endsWith(suffix) && (mode === undefined || m.payload.mode === mode)).length
  }

  private read (): void {
    const packets = parsePackets(this.raw.received)
    for (const p of packets.slice(this.parsed)) {
      if (p.type !== 3) continue // PUBLISH
      const topicEnd = 2 + p.body.readUInt16BE(0)
      const topic = p.body.subarray(2, topicEnd).toString()
      const withId = ((p.flags >> 1) & 3) > 0
      if (withId) this.raw.send(puback(p.body.readUInt16BE(topicEnd)))
      this.messages.push({ topic, payload: JSON.parse(p.body.subarray(withId ? topicEnd + 2 : topicEnd).toString()) as { mode?: string } })
    }
    this.parsed = packets.length
  }
}

describe.each([
  ['a clean session', true],
  ['a persistent session', false],
])('broker, %s: commands subscribed, told once per connection', (_what, clean) => {
  let h: Harness
  let d: TestDevice
  let login: Login
  beforeEach(async () => {
    h = await startHarness()
    d = h.directory.add('reader-a')
    login = { clientId: d.deviceId, username: d.deviceId, password: d.secret, buildingId: d.buildingId }
  })
  afterEach(async () => { await h.stop() })

  const filters = (): string[] => [...deviceSubscriptionFilters(d.buildingId, d.deviceId)]

  /** Connects with MQTT.js (this case's CleanSession) and subscribes on CONNACK, as devices do. */
  async function subscribed (): Promise<MqttClient> {
    const client = await h.device(d, { clean })
    await client.subscribeAsync(filters(), { qos: 1 })
    return client
  }

  /** What the presence listener heard of one connection, up to its end. */
  async function heard (run: () => Promise<() => Promise<void>>): Promise<string[]> {
    h.presence.length = 0
    const end = await run()
    await eventually(() => h.presence.includes('connected:reader-a') && h.presence.includes('commands:reader-a'))
    await sleep(QUIET_MS)
    const seen = [...h.presence]
    await end()
    await eventually(() => h.presence.includes('disconnected:reader-a'))
    return seen
  }

  it('a SUBSCRIBE read before the connection is reported ready', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const seen = await heard(async () => {
        const device = new RawDevice(await h.raw(), login)
        device.connectRacing(h.aedes(), clean)
        await eventually(() => device.subacked())
        return async () => { device.raw.send(DISCONNECT) }
      })
      expect({ round, seen }).toEqual({ round, seen: ['connected:reader-a', 'commands:reader-a'] })
    }
  })

  it('a SUBSCRIBE on CONNACK (MQTT.js), restored on the next connection when persistent', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const seen = await heard(async () => {
        const client = await subscribed()
        return async () => { await client.endAsync() }
      })
      expect({ round, seen }).toEqual({ round, seen: ['connected:reader-a', 'commands:reader-a'] })
    }
  })

  it('a SUBSCRIBE sent in the same write as the CONNECT (held until the connection is ready)', async () => {
    const device = new RawDevice(await h.raw(), login)
    device.raw.send(Buffer.concat([device.connectBytes(clean), device.subscribeBytes()]))
    await eventually(() => device.subacked() && h.presence.includes('commands:reader-a'))
    await sleep(QUIET_MS)
    expect(h.presence).toEqual(['connected:reader-a', 'commands:reader-a'])
  })

  it('a SUBSCRIBE repeated on the same connection is not told again', async () => {
    const client = await subscribed()
    await client.subscribeAsync(filters(), { qos: 1 })
    await eventually(() => h.presence.includes('commands:reader-a'))
    await sleep(QUIET_MS)
    expect(h.presence).toEqual(['connected:reader-a', 'commands:reader-a'])
  })

  it('told again after the device dropped its command subscription and took it again', async () => {
    const client = await subscribed()
    await eventually(() => h.presence.includes('commands:reader-a'))
    await client.unsubscribeAsync(filters()[0]!)
    await client.subscribeAsync(filters()[0]!, { qos: 1 })
    await eventually(() => h.presence.filter((p) => p === 'commands:reader-a').length === 2)
    await sleep(QUIET_MS)
    expect(h.presence).toEqual(['connected:reader-a', 'commands:reader-a', 'commands:reader-a'])
  })

  it('a session taken over: each connection is told once, in order', async () => {
    await subscribed()
    await eventually(() => h.presence.includes('commands:reader-a'))
    await subscribed()
    await eventually(() => h.presence.length >= 5)
    await sleep(QUIET_MS)
    expect(h.presence).toEqual([
      'connected:reader-a', 'commands:reader-a', 'disconnected:reader-a', 'connected:reader-a', 'commands:reader-a',
    ])
  })
})

describe('platform: settings and full allow-list, once per fresh connection', () => {
  let tp: TestPlatform
  let details: MqttDetails
  let login: Login
  beforeAll(async () => {
    tp = await startTestPlatform('pglite')
    details = await provisionReader(tp, 'admin', 'demo-b1', 'once-reader')
    login = { clientId: details.clientId, username: details.username, password: details.password, buildingId: 'demo-b1' }
  }, 60_000)
  afterAll(async () => { await tp?.dispose() })

  const aedes = (): Aedes => (tp.platform.broker as unknown as { aedes: Aedes }).aedes

  /** Until quiet: how many config commands and full lists one connection received. */
  async function received (device: { count: (suffix: string, mode?: string) => number }, end: () => Promise<void>): Promise<{ config: number; full: number }> {
    const counts = () => ({ config: device.count('/command/config'), full: device.count('/command/allowlist-sync', 'full') })
    await eventually(() => counts().config > 0 && counts().full > 0, 5000)
    await sleep(QUIET_MS * 2)
    const seen = counts()
    await end()
    await eventually(() => !tp.platform.broker.isConnected(login.clientId))
    return seen
  }

  it.each([
    ['a clean session', true],
    ['a persistent session', false],
  ])('%s whose SUBSCRIBE beats "client ready" gets one config command and one full list', async (_what, clean) => {
    const port = Number(new URL(tp.mqttUrl).port)
    for (let round = 0; round < ROUNDS; round++) {
      const device = new RawDevice(await RawClient.open(port), login)
      device.connectRacing(aedes(), clean)
      const seen = await received(device, async () => {
        device.raw.send(DISCONNECT)
        await device.raw.waitClosed()
      })
      expect({ round, ...seen }).toEqual({ round, config: 1, full: 1 })
    }
  })

  it.each([
    ['a clean session', true],
    ['a persistent session', false],
  ])('%s subscribing on CONNACK (MQTT.js) gets one config command and one full list', async (_what, clean) => {
    for (let round = 0; round < ROUNDS; round++) {
      const client: MqttClient = await mqtt.connectAsync(details.url, {
        clientId: details.clientId, username: details.username, password: details.password, clean, reconnectPeriod: 0, connectTimeout: 3000,
        will: { topic: details.will.topic, payload: Buffer.from(details.will.payload), qos: 1, retain: true },
      })
      const messages: Array<{ topic: string; mode?: string }> = []
      client.on('message', (topic, payload) => messages.push({ topic, mode: (JSON.parse(String(payload)) as { mode?: string }).mode }))
      await client.subscribeAsync(details.subscribe, { qos: 1 })
      const device = { count: (suffix: string, mode?: string) => messages.filter((m) => m.topic.endsWith(suffix) && (mode === undefined || m.mode === mode)).length }
      const seen = await received(device, async () => { await client.endAsync() })
      expect({ round, ...seen }).toEqual({ round, config: 1, full: 1 })
    }
  })
})
