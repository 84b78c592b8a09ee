// Uplink policy against a real broker: ACL, validation, durability before PUBACK, wills.

import type { MqttClient } from 'mqtt'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { decodeErrorReply, deviceTopic, errorTopic, LAST_WILL_PAYLOAD, sampleUplinks, type ErrorReply } from '../../protocol/index.ts'
import pino from 'pino'
import { RateLimitedLog } from '../rate-limited-log.ts'
import { createAuthorizePublish, decide, quarantineTopic } from './authorize-publish.ts'
import { DeviceSessions } from './device-session.ts'
import { DeviceStats } from './device-stats.ts'
import { eventually, retained, sleep, startHarness, type Harness, type TestDevice } from './broker.test-kit.ts'

let h: Harness
let a: TestDevice
let b: TestDevice
beforeEach(async () => {
  h = await startHarness({ id: 'test-broker', maxPayloadBytes: 2048 })
  a = h.directory.add('reader-a')
  b = h.directory.add('reader-b')
})
afterEach(async () => {
  await h.stop()
})

const json = (v: unknown): string => JSON.stringify(v)
const topicOf = (d: TestDevice, channel: Parameters<typeof deviceTopic>[2]): string => deviceTopic(d.buildingId, d.deviceId, channel)

function publishAcked (client: MqttClient, topic: string, payload: string | Buffer, opts: { qos?: 0 | 1 | 2; retain?: boolean } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    client.publish(topic, payload, { qos: opts.qos ?? 1, retain: opts.retain ?? false }, (err) => (err ? reject(err) : resolve()))
  })
}

/** MQTT.js never settles a QoS 1 callback when the server closes the connection: observe it instead. */
function watch (p: Promise<void>): { acked: boolean } {
  const state = { acked: false }
  p.then(() => { state.acked = true }, () => {})
  return state
}

function closed (client: MqttClient): Promise<void> {
  return new Promise((resolve) => {
    if (client.disconnected || !client.connected) resolve()
    client.once('close', () => resolve())
  })
}

/** Subscribes the device to its own error topic and collects the replies. */
async function errorReplies (client: MqttClient, d: TestDevice): Promise<ErrorReply[]> {
  const replies: ErrorReply[] = []
  client.on('message', (topic, payload) => {
    if (topic !== errorTopic(d.buildingId, d.deviceId)) return
    const r = decodeErrorReply(payload)
    if (!r.ok) throw new Error(`broker sent an invalid ErrorReply: ${r.message}`)
    replies.push(r.value)
  })
  await client.subscribeAsync(errorTopic(d.buildingId, d.deviceId), { qos: 0 })
  return replies
}

describe('authorizePublish: valid uplink', () => {
  it('hands an access event to the sink and sends the PUBACK only after the sink resolved', async () => {
    const client = await h.device(a)
    h.sink.hold()
    let acked = false
    const ack = publishAcked(client, topicOf(a, 'event/access'), json(sampleUplinks()['event/access'])).then(() => { acked = true })
    await h.sink.until(() => h.sink.calls === 1)
    await sleep(150)
    expect(acked).toBe(false)
    expect(h.sink.messages).toHaveLength(0)
    h.sink.release()
    await ack
    expect(h.sink.messages).toEqual([{
      buildingId: 'bldg-01', deviceId: 'reader-a', channel: 'event/access', payload: sampleUplinks()['event/access'], receivedAt: h.clock.t,
    }])
    expect(h.broker.stats.device('reader-a').accepted).toBe(1)
  })

  it('accepts QoS 0 heartbeats and every other uplink channel', async () => {
    const client = await h.device(a)
    const samples = sampleUplinks()
    await publishAcked(client, topicOf(a, 'heartbeat'), json(samples.heartbeat), { qos: 0 })
    for (const channel of ['event/door', 'event/line', 'event/person', 'reply'] as const) {
      await publishAcked(client, topicOf(a, channel), json(samples[channel]))
    }
    await h.sink.until(() => h.sink.messages.length === 5)
    expect(h.sink.messages.map((m) => m.channel)).toEqual(['heartbeat', 'event/door', 'event/line', 'event/person', 'reply'])
  })

  it('clears the retain flag of events but keeps a retained status', async () => {
    const client = await h.device(a)
    await publishAcked(client, topicOf(a, 'event/door'), json(sampleUplinks()['event/door']), { retain: true })
    await publishAcked(client, topicOf(a, 'status'), json(sampleUplinks().status), { retain: true })
    await eventually(() => h.sink.messages.length === 2)
    expect(await retained(h.aedes(), topicOf(a, 'event/door'))).toBeUndefined()
    const status = await retained(h.aedes(), topicOf(a, 'status'))
    expect(JSON.parse(String(status?.payload))).toEqual(sampleUplinks().status)
  })

  it('disconnects the device without a PUBACK when the sink fails, so the device redelivers', async () => {
    const client = await h.device(a)
    h.sink.failWith = new Error('disk full')
    const ack = watch(publishAcked(client, topicOf(a, 'event/access'), json(sampleUplinks()['event/access'])))
    await closed(client)
    await sleep(50)
    expect(ack.acked).toBe(false)
    expect(h.broker.stats.device('reader-a').accepted).toBe(0)
    expect(h.logs.some((l) => String(l.msg).startsWith('uplink sink refused'))).toBe(true)
  })

  it('logs the first refusal of a failing sink and then counts them, not one line per publish', async () => {
    h.sink.failWith = new Error('the event journal could not be written (ENOSPC: no space left on device, write)')
    const devices = Array.from({ length: 12 }, (_, i) => h.directory.add(`reader-r${i}`))
    for (const d of devices) {
      const client = await h.device(d)
      void publishAcked(client, topicOf(d, 'event/access'), json(sampleUplinks()['event/access'])).catch(() => {})
      await closed(client)
    }
    const refusals = (): Array<Record<string, unknown>> => h.logs.filter((l) => String(l.msg).startsWith('uplink sink refused'))
    // Before: one line per refused publish (44k in a minute during a journal fail-stop).
    expect(refusals()).toHaveLength(1)
    expect(refusals()[0]).toMatchObject({ deviceId: 'reader-r0', err: { message: expect.stringContaining('ENOSPC') } })
    await h.stop()
    // The count (the wills of the closed connections were refused too) comes in one line.
    expect(refusals()).toHaveLength(2)
    expect(Number(refusals()[1]!.suppressed)).toBeGreaterThanOrEqual(11)
  })
})

describe('authorizePublish: ACL violations close the connection', () => {
  it("device A cannot publish on device B's topic", async () => {
    await h.device(b)
    const client = await h.device(a)
    const ack = watch(publishAcked(client, topicOf(b, 'event/access'), json(sampleUplinks()['event/access'])))
    await closed(client)
    await eventually(() => h.presence.includes('disconnected:reader-a'))
    // Nothing as B; A's own will (its connection dropped) is all the sink saw.
    expect(h.sink.messages.filter((m) => m.deviceId === 'reader-b')).toEqual([])
    expect(h.sink.messages.map((m) => `${m.deviceId}:${m.channel}`)).toEqual(['reader-a:status'])
    expect(ack.acked).toBe(false)
    expect(h.broker.stats.device('reader-a').aclViolations).toBe(1)
    expect(h.broker.stats.totals().aclViolations).toEqual({ foreign_topic: 1 })
    expect(h.broker.isConnected('reader-b')).toBe(true)
  })

  it.each([
    ['$SYS/x', 'reserved_topic'],
    ['$share/g/rh/v1/bldg-01/reader-a/event/access', 'reserved_topic'],
    ['rh/v1/bldg-01/reader-a/command/open-door', 'downlink_channel'],
    ['rh/v1/bldg-01/reader-a/error', 'downlink_channel'],
    ['rh/v1/bldg-02/reader-a/event/access', 'foreign_topic'],
    ['other/topic', 'foreign_topic'],
  ])('publishing on %s is a %s violation', async (topic, kind) => {
    const client = await h.device(a)
    const ack = publishAcked(client, topic, '{}', { qos: 0 })
    await closed(client)
    await ack.catch(() => {})
    expect(h.broker.stats.totals().aclViolations).toEqual({ [kind]: 1 })
  })

  it('QoS 2 is above every channel maximum', async () => {
    const client = await h.device(a)
    void publishAcked(client, topicOf(a, 'event/access'), json(sampleUplinks()['event/access']), { qos: 2 }).catch(() => {})
    await closed(client)
    expect(h.broker.stats.totals().aclViolations).toEqual({ qos_not_allowed: 1 })
  })
})

describe('authorizePublish: bad payloads are acknowledged and dropped', () => {
  it('malformed JSON: PUBACK, not in the sink, counted, ErrorReply on the error topic, never routed', async () => {
    const routed: Array<{ topic: string; bytes: number }> = []
    h.aedes().on('publish', (p) => { routed.push({ topic: p.topic, bytes: p.payload.length }) })
    const client = await h.device(a)
    const replies = await errorReplies(client, a)
    await publishAcked(client, topicOf(a, 'event/access'), '{"eventId": ')
    await eventually(() => replies.length === 1)
    expect(replies[0]).toMatchObject({ code: 'not_json', topic: topicOf(a, 'event/access') })
    expect(h.sink.calls).toBe(0)
    expect(routed.some((r) => r.topic === topicOf(a, 'event/access'))).toBe(false)
    expect(routed).toContainEqual({ topic: quarantineTopic('test-broker'), bytes: 0 })
    const stats = h.broker.stats.device('reader-a')
    expect(stats).toMatchObject({ rejected: 1, rejectedByCode: { not_json: 1 } })
    expect(stats.lastRejected).toMatchObject({ at: '2026-11-20T08:00:00.000Z', code: 'not_json', topic: topicOf(a, 'event/access') })
    expect(client.connected).toBe(true)
  })

  it('schema-invalid: ErrorReply names the field and the eventId', async () => {
    const client = await h.device(a)
    const replies = await errorReplies(client, a)
    const bad = { ...sampleUplinks()['event/access'], direction: 'sideways' }
    await publishAcked(client, topicOf(a, 'event/access'), json(bad))
    await publishAcked(client, topicOf(a, 'event/door'), json({ ...sampleUplinks()['event/door'], extra: 1 }))
    await eventually(() => replies.length === 2)
    expect(replies[0]).toMatchObject({ code: 'schema_invalid', eventId: bad.eventId })
    expect(replies[0]!.errors).toContainEqual({ path: '/direction', message: 'must be one of: "in", "out"' })
    expect(replies[1]!.errors).toContainEqual({ path: '/extra', message: 'is not allowed' })
    expect(h.sink.calls).toBe(0)
    expect(h.broker.stats.device('reader-a').rejectedByCode).toEqual({ schema_invalid: 2 })
  })

  it('unknown channel under the device tree: unknown_channel', async () => {
    const client = await h.device(a)
    const replies = await errorReplies(client, a)
    const topic = `rh/v1/bldg-01/reader-a/event/unknown`
    await publishAcked(client, topic, '{}', { retain: true })
    await eventually(() => replies.length === 1)
    expect(replies[0]).toMatchObject({ code: 'unknown_channel', topic })
    expect(await retained(h.aedes(), topic)).toBeUndefined()
    expect(h.broker.stats.device('reader-a').rejectedByCode).toEqual({ unknown_channel: 1 })
  })

  it('payload over maxPayloadBytes (but within the packet limit): payload_too_large', async () => {
    const client = await h.device(a)
    const replies = await errorReplies(client, a)
    await publishAcked(client, topicOf(a, 'heartbeat'), Buffer.alloc(2049, 0x20))
    await eventually(() => replies.length === 1)
    expect(replies[0]?.code).toBe('payload_too_large')
    expect(h.sink.calls).toBe(0)
  })

  it('a status with retain set that fails validation does not replace the retained status', async () => {
    const client = await h.device(a)
    await publishAcked(client, topicOf(a, 'status'), json(sampleUplinks().status), { retain: true })
    await publishAcked(client, topicOf(a, 'status'), '{"state":"broken"}', { retain: true })
    expect(JSON.parse(String((await retained(h.aedes(), topicOf(a, 'status')))?.payload)).state).toBe('online')
  })
})

describe('authorizePublish: status reasons', () => {
  it('acknowledges and drops a status the device publishes itself with the will\'s reason lwt', async () => {
    const client = await h.device(a)
    const replies = await errorReplies(client, a)
    await publishAcked(client, topicOf(a, 'status'), LAST_WILL_PAYLOAD, { retain: true })
    await eventually(() => replies.length === 1)
    expect(replies[0]).toMatchObject({ code: 'schema_invalid', errors: [{ path: '/reason' }] })
    expect(h.sink.calls).toBe(0)
    expect(await retained(h.aedes(), topicOf(a, 'status'))).toBeUndefined()
  })

  it('acknowledges and drops a status with a reason only the platform gives', async () => {
    const client = await h.device(a)
    const replies = await errorReplies(client, a)
    for (const reason of ['disabled', 'secret_rotated']) await publishAcked(client, topicOf(a, 'status'), json({ state: 'offline', reason }), { retain: true })
    await eventually(() => replies.length === 2)
    expect(replies.map((r) => r.errors?.[0]?.path)).toEqual(['/reason', '/reason'])
    expect(h.sink.calls).toBe(0)
  })

  it('acknowledges and drops an online status that carries an offline reason', async () => {
    const client = await h.device(a)
    const replies = await errorReplies(client, a)
    await publishAcked(client, topicOf(a, 'status'), json({ state: 'online', ts: '2026-11-20T08:00:00Z', reason: 'lwt' }), { retain: true })
    await eventually(() => replies.length === 1)
    expect(replies[0]).toMatchObject({ code: 'schema_invalid' })
    expect(h.sink.calls).toBe(0)
  })
})

describe('last will', () => {
  it('reaches the sink as status offline when the connection drops, before the presence callback', async () => {
    const client = await h.device(a)
    client.stream.destroy()
    await eventually(() => h.presence.includes('disconnected:reader-a'))
    expect(h.sink.messages).toEqual([{
      buildingId: 'bldg-01', deviceId: 'reader-a', channel: 'status', payload: { state: 'offline', reason: 'lwt' }, receivedAt: h.clock.t,
    }])
    expect(h.sink.events).toEqual(['accepted:reader-a:status', 'disconnected:reader-a'])
    // Aedes stores the retained will after the hook returned.
    let stored: { payload: Buffer } | undefined
    await eventually(() => { void retained(h.aedes(), topicOf(a, 'status')).then((r) => { stored = r }); return stored !== undefined })
    expect(JSON.parse(String(stored?.payload))).toEqual({ state: 'offline', reason: 'lwt' })
    expect(h.broker.stats.device('reader-a')).toMatchObject({ connected: false, lastDisconnectedAt: '2026-11-20T08:00:00.000Z' })
  })

  it('is not published after a clean DISCONNECT [MQTT-3.14.4-3]', async () => {
    const client = await h.device(a)
    await client.endAsync()
    await eventually(() => h.presence.includes('disconnected:reader-a'))
    await sleep(50)
    expect(h.sink.calls).toBe(0)
  })

  it('is published when the platform disconnects the device', async () => {
    const client = await h.device(a)
    expect(h.broker.disconnectDevice('reader-a')).toBe(true)
    await closed(client)
    await h.sink.until(() => h.sink.messages.length === 1)
    expect(h.sink.messages[0]?.payload).toEqual({ state: 'offline', reason: 'lwt' })
    await eventually(() => !h.broker.isConnected('reader-a'))
    expect(h.broker.disconnectDevice('reader-a')).toBe(false)
  })

  it('is replaced by the offline status with the operator\'s reason when the platform disconnects for one', async () => {
    const client = await h.device(a)
    expect(h.broker.disconnectDevice('reader-a', 'disabled')).toBe(true)
    await closed(client)
    await h.sink.until(() => h.sink.messages.length === 1)
    expect(h.sink.messages[0]?.payload).toEqual({ state: 'offline', reason: 'disabled' })
    let stored: { payload: Buffer } | undefined
    await eventually(() => { void retained(h.aedes(), topicOf(a, 'status')).then((r) => { stored = r }); return stored !== undefined })
    expect(JSON.parse(String(stored?.payload))).toEqual({ state: 'offline', reason: 'disabled' })
  })

  it('of a replaced session does not overwrite the retained status of the new one', async () => {
    h.sink.hold()
    await h.device(a)
    await h.device(a)
    h.sink.release()
    await h.sink.until(() => h.sink.messages.length === 1) // the old session's will
    await sleep(20)
    expect(await retained(h.aedes(), topicOf(a, 'status'))).toBeUndefined()
  })
})

describe('MQTT over WebSocket', () => {
  it('authenticates and delivers an event on ws://.../mqtt', async () => {
    const client = await h.device(a, { protocol: 'ws' })
    await publishAcked(client, topicOf(a, 'event/access'), json(sampleUplinks()['event/access']))
    expect(h.sink.messages.map((m) => m.channel)).toEqual(['event/access'])
    expect(h.logs.some((l) => l.msg === 'device authenticated' && l.deviceId === 'reader-a')).toBe(true)
  })
})

describe('decide (the pure policy)', () => {
  const device = { deviceId: 'reader-a', buildingId: 'bldg-01' }
  const deps = { maxPayloadBytes: 1024, now: () => 42 }
  const kind = (topic: string, qos: 0 | 1 | 2 = 1, payload = '{}') => {
    const d = decide(deps, device, { topic, qos, payload: Buffer.from(payload) })
    return d.kind === 'deny' ? `deny:${d.violation.kind}` : d.kind === 'drop' ? `drop:${d.code}` : 'accept'
  }

  it('does not confuse a device with another whose id it prefixes', () => {
    expect(kind('rh/v1/bldg-01/reader-ab/heartbeat')).toBe('deny:foreign_topic')
    expect(kind('rh/v1/bldg-011/reader-a/heartbeat')).toBe('deny:foreign_topic')
    expect(kind('rh/v1/bldg-01/reader-a')).toBe('deny:foreign_topic')
  })

  it('treats anything else under the own tree as an unknown channel', () => {
    expect(kind('rh/v1/bldg-01/reader-a/')).toBe('drop:unknown_channel')
    expect(kind('rh/v1/bldg-01/reader-a/event/access/extra')).toBe('drop:unknown_channel')
    expect(kind('rh/v1/bldg-01/reader-a/commands')).toBe('drop:unknown_channel')
    expect(kind('rh/v1/bldg-01/reader-a/command/anything')).toBe('deny:downlink_channel')
  })

  it('accepts a valid heartbeat at QoS 0 and 1, and stamps the broker clock', () => {
    const hb = JSON.stringify(sampleUplinks().heartbeat)
    expect(kind('rh/v1/bldg-01/reader-a/heartbeat', 0, hb)).toBe('accept')
    const d = decide(deps, device, { topic: 'rh/v1/bldg-01/reader-a/heartbeat', qos: 1, payload: Buffer.from(hb) })
    expect(d).toMatchObject({ kind: 'accept', message: { receivedAt: 42, channel: 'heartbeat', buildingId: 'bldg-01', deviceId: 'reader-a' } })
  })
})

describe('a will replayed from persistence (no client: aedes.js _clearWills)', () => {
  const run = (packet: Record<string, unknown>) => {
    const accepted: unknown[] = []
    const hook = createAuthorizePublish({
      sink: { accept: async (m) => { accepted.push(m) } },
      sessions: new DeviceSessions(),
      stats: new DeviceStats(),
      logger: pino({ level: 'silent' }),
      limitedLog: new RateLimitedLog(pino({ level: 'silent' })),
      brokerId: 'b1',
      maxPayloadBytes: 1024,
      now: () => 7,
      publishErrorReply: () => {},
      liveClient: () => undefined,
    })
    return new Promise<{ err: Error | null | undefined; accepted: unknown[] }>((resolve) => {
      hook(null, { cmd: 'publish', qos: 1, retain: true, dup: false, payload: Buffer.from(LAST_WILL_PAYLOAD), ...packet } as never, (err) => resolve({ err, accepted }))
    })
  }

  it("reaches the sink as its owner's offline status", async () => {
    const r = await run({ topic: 'rh/v1/bldg-01/reader-a/status', clientId: 'reader-a', brokerId: 'dead-node' })
    expect(r.err).toBeNull()
    expect(r.accepted).toEqual([{ buildingId: 'bldg-01', deviceId: 'reader-a', channel: 'status', payload: { state: 'offline', reason: 'lwt' }, receivedAt: 7 }])
  })

  it('is refused unless it is the status topic of the client id persistence stamped on it', async () => {
    expect((await run({ topic: 'rh/v1/bldg-01/reader-b/status', clientId: 'reader-a' })).err).toBeInstanceOf(Error)
    expect((await run({ topic: 'rh/v1/bldg-01/reader-a/event/access', clientId: 'reader-a' })).err).toBeInstanceOf(Error)
    expect((await run({ topic: 'rh/v1/bldg-01/reader-a/status' })).err).toBeInstanceOf(Error)
  })
})
