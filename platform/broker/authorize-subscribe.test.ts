// Downlink policy against a real broker: subscriptions, forwarding, commands.

import type { Client } from 'aedes'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { commandTopic, deviceTopic, errorTopic, LAST_WILL_PAYLOAD, sampleCommands } from '../../protocol/index.ts'
import { createAuthorizeForward } from './authorize-subscribe.ts'
import { eventually, sleep, startHarness, type Harness, type TestDevice } from './broker.test-kit.ts'
import { DeviceSessions } from './device-session.ts'
import { connect, subscribe } from './mqtt-bytes.test-kit.ts'

let h: Harness
let a: TestDevice
let b: TestDevice
beforeEach(async () => {
  h = await startHarness()
  a = h.directory.add('reader-a')
  b = h.directory.add('reader-b')
})
afterEach(async () => {
  await h.stop()
})

describe('authorizeSubscribe', () => {
  it('grants a device its own command and error filters', async () => {
    const client = await h.device(a)
    const granted = await client.subscribeAsync({
      [`rh/v1/bldg-01/reader-a/command/+`]: { qos: 2 },
      [`rh/v1/bldg-01/reader-a/command/open-door`]: { qos: 1 },
      [errorTopic(a.buildingId, a.deviceId)]: { qos: 0 },
    })
    // Aedes 1.2 grants the requested QoS; commands are published at QoS 1, so 2 never happens on the wire.
    expect(granted.map((g) => g.qos)).toEqual([2, 1, 0])
    expect(h.broker.stats.totals().aclViolations).toEqual({})
  })

  it.each([
    ["device B's command topic", 'rh/v1/bldg-01/reader-b/command/+'],
    ['everything', '#'],
    ['$SYS', '$SYS/#'],
    ['its own uplink channels', 'rh/v1/bldg-01/reader-a/event/access'],
    ['a wildcard over devices', 'rh/v1/bldg-01/+/command/+'],
    ['an unknown command name', 'rh/v1/bldg-01/reader-a/command/self-destruct'],
  ])('refuses %s with SUBACK 0x80 and keeps the connection', async (_what, filter) => {
    const client = await h.device(a)
    const err = await client.subscribeAsync(filter, { qos: 1 }).then(() => undefined, (e: unknown) => e as { packet?: { granted: number[] } })
    expect(err?.packet?.granted).toEqual([0x80])
    expect(client.connected).toBe(true)
    expect(h.broker.stats.device('reader-a').aclViolations).toBe(1)
    expect(h.broker.stats.totals().aclViolations).toEqual({ subscribe_denied: 1 })
    expect(h.logs.some((l) => l.msg === 'subscription denied (SUBACK 0x80)' && l.filter === filter)).toBe(true)
  })

  it('answers a mixed SUBSCRIBE with one return code per filter (byte level)', async () => {
    const raw = await h.raw()
    raw.send(connect({
      clientId: a.deviceId, username: a.deviceId, password: a.secret, keepalive: 30,
      will: { topic: deviceTopic(a.buildingId, a.deviceId, 'status'), payload: LAST_WILL_PAYLOAD, qos: 1, retain: true },
    }))
    expect([...await raw.waitBytes(4)]).toEqual([0x20, 0x02, 0x00, 0x00])
    raw.send(subscribe(0x1234, [['rh/v1/bldg-01/reader-a/command/+', 1], ['rh/v1/bldg-01/reader-b/command/+', 1], ['rh/v1/bldg-01/reader-a/error', 0]]))
    expect([...(await raw.waitBytes(4 + 7)).subarray(4)]).toEqual([0x90, 0x05, 0x12, 0x34, 0x01, 0x80, 0x00])
  })
})

describe('publishCommand', () => {
  it('reaches the subscribed device, and only it', async () => {
    const clientA = await h.device(a)
    const clientB = await h.device(b)
    await clientA.subscribeAsync('rh/v1/bldg-01/reader-a/command/+', { qos: 1 })
    await clientB.subscribeAsync('rh/v1/bldg-01/reader-b/command/+', { qos: 1 })
    const gotA: Array<{ topic: string; payload: unknown; qos: number }> = []
    const gotB: string[] = []
    clientA.on('message', (topic, payload, packet) => gotA.push({ topic, payload: JSON.parse(String(payload)), qos: packet.qos }))
    clientB.on('message', (topic) => gotB.push(topic))
    const command = sampleCommands()['open-door']
    await h.broker.publishCommand('bldg-01', 'reader-a', 'open-door', command)
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(gotA).toEqual([{ topic: commandTopic('bldg-01', 'reader-a', 'open-door'), payload: command, qos: 1 }])
    expect(gotB).toEqual([])
  })

  it('throws RangeError for an invalid payload, name or id (platform bugs)', async () => {
    const bad = { ...sampleCommands()['open-door'], durationS: -1 }
    await expect(h.broker.publishCommand('bldg-01', 'reader-a', 'open-door', bad)).rejects.toThrow(RangeError)
    await expect(h.broker.publishCommand('bldg-01', 'reader-a', 'reboot' as 'config', sampleCommands().config)).rejects.toThrow(RangeError)
    await expect(h.broker.publishCommand('bldg 01', 'reader-a', 'config', sampleCommands().config)).rejects.toThrow(RangeError)
  })
})

describe('presence: commandsSubscribed', () => {
  it('fires only when a command filter of the device is granted', async () => {
    const client = await h.device(a)
    await client.subscribeAsync(errorTopic(a.buildingId, a.deviceId), { qos: 0 })
    await client.subscribeAsync('rh/v1/bldg-01/reader-b/command/+', { qos: 1 }).catch(() => {})
    await sleep(30)
    expect(h.presence).toEqual(['connected:reader-a'])
    await client.subscribeAsync('rh/v1/bldg-01/reader-a/command/+', { qos: 1 })
    await eventually(() => h.presence.includes('commands:reader-a'))
    expect(h.presence).toEqual(['connected:reader-a', 'commands:reader-a'])
  })

  it('lets a listener push a command from the callback and have it delivered', async () => {
    await h.stop()
    const box: { send?: () => Promise<void> } = {}
    h = await startHarness({ presence: { commandsSubscribed: () => { void box.send?.() } } })
    a = h.directory.add('reader-a')
    box.send = () => h.broker.publishCommand('bldg-01', 'reader-a', 'config', sampleCommands().config)
    const client = await h.device(a)
    const got: string[] = []
    client.on('message', (topic) => got.push(topic))
    await client.subscribeAsync('rh/v1/bldg-01/reader-a/command/+', { qos: 1 })
    await eventually(() => got.length === 1)
    expect(got).toEqual([commandTopic('bldg-01', 'reader-a', 'config')])
  })

  it('fires at connect for a restored session that holds a command subscription', async () => {
    const first = await h.device(a, { clean: false })
    await first.subscribeAsync('rh/v1/bldg-01/reader-a/command/+', { qos: 1 })
    await first.endAsync()
    await eventually(() => h.presence.includes('disconnected:reader-a'))
    h.presence.length = 0
    await h.device(a, { clean: false })
    await eventually(() => h.presence.length === 2)
    expect(h.presence).toEqual(['connected:reader-a', 'commands:reader-a'])
  })
})

describe('authorizeForward', () => {
  const sessions = new DeviceSessions()
  const client = {} as Client
  sessions.open(client, '127.0.0.1', 'tcp')
  sessions.setDevice(client, { deviceId: 'reader-a', buildingId: 'bldg-01' })
  const forward = createAuthorizeForward({ sessions })
  const packet = (topic: string) => ({ cmd: 'publish' as const, topic, payload: Buffer.from('{}'), qos: 1 as const, retain: false, dup: false, brokerId: 'x', brokerCounter: 1 })

  it("forwards only the device's own command and error topics", () => {
    expect(forward(client, packet('rh/v1/bldg-01/reader-a/command/open-door'))).toBeTruthy()
    expect(forward(client, packet('rh/v1/bldg-01/reader-a/error'))).toBeTruthy()
    expect(forward(client, packet('rh/v1/bldg-01/reader-b/command/open-door'))).toBeNull()
    expect(forward(client, packet('rh/v1/bldg-01/reader-a/event/access'))).toBeNull()
    expect(forward(client, packet('$SYS/broker/new/clients'))).toBeNull()
  })

  it('forwards nothing to a connection without an authenticated device', () => {
    expect(forward({} as Client, packet('rh/v1/bldg-01/reader-a/command/open-door'))).toBeNull()
  })
})
