// The MQTT 3.1.1 guard in front of the real broker: raw sockets, hand-built bytes.

import { connect as netConnect } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { deviceTopic, LAST_WILL_PAYLOAD, sampleUplinks } from '../../protocol/index.ts'
import { eventually, sleep, startHarness, type Harness, type RawClient, type TestDevice } from './broker.test-kit.ts'
import { connect, parsePackets, PINGREQ, puback, pubcomp, publish, pubrec, subscribe, type ConnectSpec } from './mqtt-bytes.test-kit.ts'

let h: Harness
let d: TestDevice
beforeEach(async () => {
  h = await startHarness({ maxPayloadBytes: 1024, connectTimeoutMs: 300 })
  d = h.directory.add('reader-01')
})
afterEach(async () => {
  await h.stop()
})

const CONNACK_OK = [0x20, 0x02, 0x00, 0x00]
const accessTopic = (): string => deviceTopic(d.buildingId, d.deviceId, 'event/access')
const accessEvent = (): string => JSON.stringify(sampleUplinks()['event/access'])

function deviceConnect (overrides: Partial<ConnectSpec> = {}): Buffer {
  return connect({
    clientId: d.deviceId,
    username: d.deviceId,
    password: d.secret,
    keepalive: 30,
    will: { topic: deviceTopic(d.buildingId, d.deviceId, 'status'), payload: LAST_WILL_PAYLOAD, qos: 1, retain: true },
    ...overrides,
  })
}

/** An authenticated raw connection (CONNACK 0 received). */
async function session (): Promise<RawClient> {
  const raw = await h.raw()
  raw.send(deviceConnect())
  expect([...await raw.waitBytes(4)]).toEqual(CONNACK_OK)
  return raw
}

async function expectClosedAfter (raw: RawClient, bytes: number[]): Promise<void> {
  await raw.waitClosed()
  expect([...raw.received]).toEqual(bytes)
}

function violationLogged (code: string): boolean {
  return h.logs.some((l) => l.msg !== undefined && String(l.msg).startsWith('mqtt protocol violation') && l.code === code)
}

describe('guard in front of the broker', () => {
  it('closes on an invalid UTF-8 client id, without CONNACK, before authentication', async () => {
    const raw = await h.raw()
    raw.send(deviceConnect({ clientId: Buffer.from([0x72, 0xff, 0x31]) }))
    await expectClosedAfter(raw, [])
    expect(h.broker.stats.totals().guardViolations).toEqual({ invalid_utf8: 1 })
    expect(violationLogged('invalid_utf8')).toBe(true)
    expect(h.directory.lookups).toBe(0)
  })

  it('answers a zero-length client id with CleanSession 0 with CONNACK 0x02 and closes [MQTT-3.1.3-8]', async () => {
    const raw = await h.raw()
    raw.send(connect({ clientId: '', clean: false, keepalive: 30 }))
    await expectClosedAfter(raw, [0x20, 0x02, 0x00, 0x02])
    expect(h.broker.stats.totals().guardViolations).toEqual({ identifier_rejected: 1 })
  })

  it('answers protocol level 5 with CONNACK 0x01 and closes [MQTT-3.1.2-2]', async () => {
    const raw = await h.raw()
    raw.send(deviceConnect({ protocolLevel: 5 }))
    await expectClosedAfter(raw, [0x20, 0x02, 0x00, 0x01])
    expect(h.broker.stats.totals().guardViolations).toEqual({ unsupported_protocol: 1 })
  })

  it('closes on a will with QoS 3 [MQTT-3.1.2-14]', async () => {
    const raw = await h.raw()
    raw.send(deviceConnect({ will: { topic: deviceTopic(d.buildingId, d.deviceId, 'status'), payload: LAST_WILL_PAYLOAD, qos: 3, retain: true } }))
    await expectClosedAfter(raw, [])
    expect(h.broker.stats.totals().guardViolations).toEqual({ invalid_qos: 1 })
  })

  it('closes on U+0000 in a topic; nothing reaches the sink but the will', async () => {
    const raw = await session()
    raw.send(publish({ topic: Buffer.from(`${accessTopic()}\u0000`), payload: accessEvent(), qos: 1, packetId: 5 }))
    await expectClosedAfter(raw, CONNACK_OK)
    expect(h.broker.stats.totals().guardViolations).toEqual({ utf8_null: 1 })
    await eventually(() => h.presence.includes('disconnected:reader-01'))
    expect(h.sink.messages.map((m) => m.channel)).toEqual(['status'])
  })

  it('closes on packet identifier 0 in a QoS 1 PUBLISH, without PUBACK [MQTT-2.3.1-1]', async () => {
    const raw = await session()
    raw.send(publish({ topic: accessTopic(), payload: accessEvent(), qos: 1, packetId: 0 }))
    await expectClosedAfter(raw, CONNACK_OK)
    expect(h.broker.stats.totals().guardViolations).toEqual({ zero_packet_id: 1 })
    expect(h.sink.messages.filter((m) => m.channel === 'event/access')).toEqual([])
  })

  it('closes on a packet over the size limit as soon as its header arrives', async () => {
    const raw = await session()
    const big = publish({ topic: accessTopic(), payload: Buffer.alloc(4096, 0x20), qos: 1, packetId: 9 })
    raw.send(big.subarray(0, 8)) // header only: the body is never buffered
    await expectClosedAfter(raw, CONNACK_OK)
    expect(h.broker.stats.totals().guardViolations).toEqual({ packet_too_large: 1 })
  })

  it('closes when the first packet is not CONNECT [MQTT-3.1.0-1]', async () => {
    const raw = await h.raw()
    raw.send(publish({ topic: accessTopic(), payload: accessEvent() }))
    await expectClosedAfter(raw, [])
    expect(h.broker.stats.totals().guardViolations).toEqual({ connect_expected: 1 })
  })

  it('reassembles a valid session sent one byte at a time', async () => {
    const raw = await h.raw()
    const bytes = Buffer.concat([deviceConnect(), publish({ topic: accessTopic(), payload: accessEvent(), qos: 1, packetId: 0x0107 })])
    for (const byte of bytes) {
      raw.socket.write(Buffer.from([byte]))
      await new Promise((resolve) => setImmediate(resolve))
    }
    expect([...await raw.waitBytes(8)]).toEqual([...CONNACK_OK, 0x40, 0x02, 0x01, 0x07])
    expect(h.sink.messages.map((m) => m.channel)).toEqual(['event/access'])
    expect(h.broker.stats.totals().guardViolations).toEqual({})
  })

  it('drops a connection that never sends CONNECT after connectTimeoutMs', async () => {
    const raw = await h.raw()
    await sleep(100)
    expect(raw.closed).toBe(false)
    await raw.waitClosed(2000)
  })
})

describe('acknowledgements of what the broker sent [MQTT-4.8.0-1]', () => {
  const commandTopic = (): string => deviceTopic(d.buildingId, d.deviceId, 'command/open-door')

  /** An authenticated raw device subscribed to its commands at QoS 2 (so QoS 2 flows can be tested too). */
  async function subscribed (): Promise<RawClient> {
    const raw = await session()
    raw.send(subscribe(7, [[`rh/v1/${d.buildingId}/${d.deviceId}/command/+`, 2]]))
    await eventually(() => parsePackets(raw.received).some((p) => p.type === 9))
    return raw
  }

  /** Has the broker deliver one message at `qos` on the command topic; resolves with its packet id. */
  async function deliver (raw: RawClient, qos: 1 | 2): Promise<number> {
    const before = parsePackets(raw.received).filter((p) => p.type === 3).length
    h.aedes().publish({ cmd: 'publish', topic: commandTopic(), payload: Buffer.from('{}'), qos, retain: false, dup: false }, () => {})
    await eventually(() => parsePackets(raw.received).filter((p) => p.type === 3).length > before)
    const p = parsePackets(raw.received).filter((x) => x.type === 3)[before]!
    expect((p.flags >> 1) & 3).toBe(qos)
    return p.body.readUInt16BE(2 + p.body.readUInt16BE(0))
  }

  it('keeps a device that answers QoS 1 with PUBACK and QoS 2 with PUBREC, then PUBCOMP after PUBREL', async () => {
    const raw = await subscribed()
    raw.send(puback(await deliver(raw, 1)))
    const id = await deliver(raw, 2)
    raw.send(pubrec(id))
    await eventually(() => parsePackets(raw.received).some((p) => p.type === 6))
    raw.send(pubcomp(id))
    raw.send(PINGREQ)
    await eventually(() => parsePackets(raw.received).some((p) => p.type === 13))
    expect(raw.closed).toBe(false)
    expect(h.broker.stats.totals().guardViolations).toEqual({})
  })

  for (const [name, answer] of [['PUBREC', pubrec], ['PUBCOMP', pubcomp]] as const) {
    it(`closes a device that answers a QoS 1 command with ${name}`, async () => {
      const raw = await subscribed()
      raw.send(answer(await deliver(raw, 1)))
      await raw.waitClosed()
      expect(h.broker.stats.totals().guardViolations).toEqual({ wrong_ack_type: 1 })
      expect(violationLogged('wrong_ack_type')).toBe(true)
    })
  }

  it('closes a device that answers a QoS 2 message with PUBACK, or with PUBCOMP before the PUBREL', async () => {
    const raw = await subscribed()
    raw.send(puback(await deliver(raw, 2)))
    await raw.waitClosed()
    const early = await subscribed()
    early.send(pubcomp(await deliver(early, 2)))
    await early.waitClosed()
    expect(h.broker.stats.totals().guardViolations).toEqual({ wrong_ack_type: 2 })
  })

  it('tolerates an acknowledgement of an id it never sent on this connection (a reconnect may leave one)', async () => {
    const raw = await subscribed()
    raw.send(puback(4242))
    raw.send(pubrec(4243))
    raw.send(PINGREQ)
    await eventually(() => parsePackets(raw.received).some((p) => p.type === 13))
    expect(raw.closed).toBe(false)
    expect(h.broker.stats.totals().guardViolations).toEqual({})
  })
})

describe('stop()', () => {
  it('closes unauthenticated and authenticated connections, the listeners, and is idempotent', async () => {
    const idle = await h.raw()
    const live = await session()
    const port = h.tcpPort
    await Promise.all([h.broker.stop(), h.broker.stop()])
    await idle.waitClosed()
    await live.waitClosed()
    // The device's will was handed to the sink before stop() resolved.
    expect(h.sink.messages.map((m) => m.channel)).toEqual(['status'])
    const refused = await new Promise<boolean>((resolve) => {
      const s = netConnect(port, '127.0.0.1')
      s.once('connect', () => { s.destroy(); resolve(false) })
      s.once('error', () => resolve(true))
    })
    expect(refused).toBe(true)
    await h.broker.stop()
    expect(h.broker.addresses().tcp.port).toBe(port)
  })
})
