// CONNECT policy against a real broker on a real socket.

import { connect as netConnect } from 'node:net'
import { MqttClient } from 'mqtt'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { deviceTopic, LAST_WILL_PAYLOAD } from '../../protocol/index.ts'
import { secretMatches } from './authenticate.ts'
import { eventually, startHarness, type Harness, type TestDevice } from './broker.test-kit.ts'

let h: Harness
beforeEach(async () => {
  h = await startHarness({ throttle: { pair: { maxFailures: 5, baseBlockMs: 30_000 } } })
})
afterEach(async () => {
  await h.stop()
})

/**
 * Connects `d` from another loopback address (Linux routes all of 127/8 to
 * lo): the CONNACK return code, 0 when accepted.
 */
function connackFrom (localAddress: string, d: TestDevice, secret = d.secret): Promise<number> {
  const client = new MqttClient(() => netConnect({ port: h.tcpPort, host: '127.0.0.1', localAddress }), {
    protocolVersion: 4, keepalive: 60, reconnectPeriod: 0, connectTimeout: 3000,
    clientId: d.deviceId, username: d.deviceId, password: secret,
    will: statusWill(d.buildingId, d.deviceId),
  })
  return new Promise((resolve, reject) => {
    client.once('connect', () => { client.end(true); resolve(0) })
    client.once('error', (err) => { client.end(true); resolve((err as Error & { code: number }).code) })
    client.once('close', () => setTimeout(() => reject(new Error('closed without CONNACK')), 50))
  })
}

const statusWill = (buildingId: string, deviceId: string, payload = LAST_WILL_PAYLOAD) =>
  ({ topic: deviceTopic(buildingId, deviceId, 'status'), payload: Buffer.from(payload), qos: 1 as const, retain: true })

describe('authenticate', () => {
  it('accepts a provisioned device with its secret and reports it connected', async () => {
    const d = h.directory.add('reader-01')
    const client = await h.device(d)
    expect(client.connected).toBe(true)
    await eventually(() => h.presence.includes('connected:reader-01'))
    expect(h.broker.isConnected('reader-01')).toBe(true)
    const stats = h.broker.stats.device('reader-01')
    expect(stats.connected).toBe(true)
    expect(stats.lastConnectedAt).toBe('2026-11-20T08:00:00.000Z')
    expect(h.logs.some((l) => l.msg === 'device authenticated' && l.deviceId === 'reader-01')).toBe(true)
  })

  it('refuses a wrong secret with 4 and counts it on the device', async () => {
    const d = h.directory.add('reader-01')
    expect(await h.refusal({ ...d, secret: 'wrong' })).toBe(4)
    expect(h.broker.isConnected('reader-01')).toBe(false)
    expect(h.broker.stats.device('reader-01').authFailures).toBe(1)
    expect(h.broker.stats.totals().refusedConnections).toEqual({ bad_secret: 1 })
  })

  it('refuses an unknown device with 4 and keeps it out of the per-device table', async () => {
    expect(await h.refusal({ deviceId: 'ghost-1', buildingId: 'b', secret: 'x' })).toBe(4)
    expect(h.broker.stats.has('ghost-1')).toBe(false)
    expect(h.broker.stats.totals()).toMatchObject({ refusedConnections: { unknown_device: 1 }, trackedDevices: 0 })
  })

  it('refuses a disabled device with 5, but only to a caller holding its secret', async () => {
    const d = h.directory.add('reader-01', { enabled: false })
    expect(await h.refusal(d)).toBe(5)
    expect(await h.refusal({ ...d, secret: 'wrong' })).toBe(4)
    expect(h.broker.stats.totals().refusedConnections).toEqual({ disabled: 1, bad_secret: 1 })
    expect(h.broker.stats.device('reader-01').authFailures).toBe(2)
  })

  it('refuses a user name that is not the client id with 4', async () => {
    const d = h.directory.add('reader-01')
    h.directory.add('reader-02', { secret: d.secret })
    expect(await h.refusal(d, { username: 'reader-02' })).toBe(4)
    expect(await h.refusal(d, { username: undefined, password: undefined })).toBe(4)
    expect(h.broker.stats.totals().refusedConnections).toEqual({ username_mismatch: 2 })
  })

  it('refuses a client id that is not a device id with 2 without asking the directory', async () => {
    const bad = { deviceId: 'has space', buildingId: 'b', secret: 'x' }
    expect(await h.refusal(bad)).toBe(2)
    expect(await h.refusal({ ...bad, deviceId: 'x'.repeat(65) })).toBe(2)
    expect(h.directory.lookups).toBe(0)
  })

  it('requires the last will on the device status topic, retained, with an offline payload', async () => {
    const d = h.directory.add('reader-01')
    // QoS 0 is allowed for the will.
    ;(await h.device(d, { will: { ...statusWill(d.buildingId, d.deviceId), qos: 0 } })).end(true)
    expect(await h.refusal(d, { will: undefined })).toBe(5)
    expect(await h.refusal(d, { will: statusWill('bldg-02', 'reader-01') })).toBe(5)
    expect(await h.refusal(d, { will: { ...statusWill(d.buildingId, d.deviceId), retain: false } })).toBe(5)
    expect(await h.refusal(d, { will: statusWill(d.buildingId, d.deviceId, '{"state":"online"}') })).toBe(5)
    expect(await h.refusal(d, { will: statusWill(d.buildingId, d.deviceId, 'not json') })).toBe(5)
    expect(h.broker.stats.totals().refusedConnections).toEqual({ will_missing: 1, will_invalid: 4 })
    const missing = h.logs.find((l) => l.reason === 'will_missing')
    expect(missing).toMatchObject({ msg: 'mqtt connection refused', returnCode: 5, clientId: 'reader-01' })
    expect(String(missing?.detail)).toContain('last will')
    // Five misconfigured attempts do not keep the device out once it is set up right.
    ;(await h.device(d)).end(true)
    expect(h.broker.stats.totals().refusedConnections.throttled).toBeUndefined()
  })

  it('accepts only the will payload issued at provisioning: offline, reason lwt, nothing else', async () => {
    const d = h.directory.add('reader-01')
    // Key order and JSON whitespace are not part of the contract.
    ;(await h.device(d, { will: statusWill(d.buildingId, d.deviceId, '{ "reason": "lwt", "state": "offline" }') })).end(true)
    const variants = [
      '{"state":"offline","reason":"shutdown"}', // a power cut would read as a planned shutdown
      '{"state":"offline","reason":"reboot"}', // ... or as a reboot, which raises nothing
      '{"state":"offline"}',
      '{"state":"offline","reason":"lwt","ts":"2026-11-03T22:00:00Z"}', // a time fixed at CONNECT is stale when published
      '{"state":"offline","reason":"lwt","firmware":"2.4.1"}',
    ]
    for (const payload of variants) {
      const refused = await h.refusal(d, { will: statusWill(d.buildingId, d.deviceId, payload) })
      expect(refused, payload).toBe(5)
    }
    const invalid = h.logs.filter((l) => l.reason === 'will_invalid')
    expect(invalid).toHaveLength(variants.length)
    expect(String(invalid[0]?.detail)).toContain(LAST_WILL_PAYLOAD)
  })

  it('refuses keep-alive 0 (no offline detection) with 5', async () => {
    const d = h.directory.add('reader-01')
    expect(await h.refusal(d, { keepalive: 0 })).toBe(5)
    expect(h.broker.stats.totals().refusedConnections).toEqual({ keepalive_not_allowed: 1 })
  })

  it('answers 3 (server unavailable) when the directory fails, without throttling the device', async () => {
    const d = h.directory.add('reader-01')
    h.directory.failing = true
    for (let i = 0; i < 6; i++) expect(await h.refusal(d)).toBe(3)
    h.directory.failing = false
    await h.device(d)
    expect(h.logs.some((l) => l.msg === 'device directory lookup failed')).toBe(true)
  })

  it('never refuses a device its right secret, however many wrong ones its address sent: it waits, then gets in', async () => {
    const d = h.directory.add('reader-01')
    // 12 wrong secrets from the device's own address: past the 10 the slow-down lets pass free.
    for (let i = 0; i < 12; i++) expect(await h.refusal({ ...d, secret: `guess-${i}` })).toBe(4)
    const lookups = h.directory.lookups
    const started = Date.now()
    ;(await h.device(d)).end(true)
    // Slowed down (0.5 s doubling from the 11th failure: 1 s), checked, let in.
    expect(Date.now() - started).toBeGreaterThanOrEqual(900)
    expect(h.logs.filter((l) => l.msg === 'device authenticated').map((l) => [l.deviceId, l.heldBackMs])).toEqual([['reader-01', 1000]])
    expect(h.directory.lookups).toBe(lookups + 1)
    expect(h.broker.stats.totals().refusedConnections).toEqual({ bad_secret: 12 })
  })

  it('lets the real device in with its secret from any address while another address guesses at it', async () => {
    const d = h.directory.add('reader-01')
    for (let i = 0; i < 5; i++) expect(await connackFrom('127.0.0.2', d, `guess-${i}`)).toBe(4)
    expect(await connackFrom('127.0.0.2', d)).toBe(0) // a guesser on the device's own network cannot keep it out ...
    expect(await connackFrom('127.0.0.3', d)).toBe(0) // ... nor from elsewhere
    await h.device(d)
    expect(h.broker.stats.totals().refusedConnections).toEqual({ bad_secret: 5 })
  })

  it('keeps the devices of a site in while some of them, behind the same address, retry with an old secret', async () => {
    // All from 127.0.0.1, as a site's devices behind one gateway.
    const site = Array.from({ length: 20 }, (_, i) => h.directory.add(`reader-${String(i).padStart(2, '0')}`))
    // A secret rotation gone wrong: a dozen devices retry with the old secret, 60 failures within a minute,
    // beyond the 50 that block an address for people's logins.
    const broken = Array.from({ length: 12 }, (_, i) => h.directory.add(`broken-${String(i).padStart(2, '0')}`))
    for (const d of broken) {
      const codes: number[] = []
      for (let i = 0; i < 8; i++) codes.push(await h.refusal({ ...d, secret: 'old-secret' }))
      expect(codes).toEqual([4, 4, 4, 4, 4, 4, 4, 4]) // refused for its secret, never blocked
    }
    // Every healthy device from that address still connects, at once: the throttle held none of them back.
    for (const d of site) await h.device(d)
    await eventually(() => h.broker.stats.totals().connectedDevices === 20)
    const heldBack = (ids: string[]) => h.logs.filter((l) => l.msg === 'device authenticated' && ids.includes(l.deviceId as string))
      .map((l) => [l.deviceId, l.heldBackMs])
    expect(heldBack(site.map((d) => d.deviceId))).toEqual(site.map((d) => [d.deviceId, 0]))
    // Unknown device ids and malformed client ids from that address do not block it either.
    for (let i = 0; i < 60; i++) expect(await h.refusal({ deviceId: `ghost-${i}`, buildingId: 'b', secret: 'x' })).toBe(4)
    for (let i = 0; i < 60; i++) expect(await h.refusal({ ...site[0]!, secret: 'x' }, { clientId: `Bad Id ${i}` })).toBe(2)
    const late = h.directory.add('reader-late')
    await h.device(late)
    expect(heldBack(['reader-late'])).toEqual([['reader-late', 0]])
    expect(h.broker.stats.totals().refusedConnections).toEqual({ bad_secret: 96, unknown_device: 60, invalid_client_id: 60 })
  }, 30_000)

  it('still refuses an address that sprays person logins, for people only: its devices keep connecting', async () => {
    const admin = h.people.add('root', 'admin')
    const codes: number[] = []
    for (let i = 0; i < 51; i++) codes.push(await h.personRefusal({ username: `victim-${i}`, token: 'guess' }))
    // 50 failures a minute from one address refuse every person login from it, the right token included.
    expect(codes.filter((c) => c === 4)).toHaveLength(50)
    expect(codes[50]).toBe(5)
    expect(await h.personRefusal(admin)).toBe(5)
    const d = h.directory.add('reader-01')
    await h.device(d)
  }, 30_000)

  it('logs refusals without the password or user name', async () => {
    const d = h.directory.add('reader-01', { secret: 'very-secret-value' })
    expect(await h.refusal({ ...d, secret: 'typo-very-secret-value' })).toBe(4)
    expect(await h.refusal(d, { username: 'very-secret-value' })).toBe(4)
    const text = JSON.stringify(h.logs)
    expect(text).not.toContain('very-secret-value')
    expect(h.logs.filter((l) => l.msg === 'mqtt connection refused')).toHaveLength(2)
  })

  it('takes over the session of a device that connects again [MQTT-3.1.4-2]', async () => {
    const d = h.directory.add('reader-01')
    const first = await h.device(d)
    const closed = new Promise<void>((resolve) => first.once('close', () => resolve()))
    await h.device(d)
    await closed
    await eventually(() => h.presence.length === 3)
    expect(h.presence).toEqual(['connected:reader-01', 'disconnected:reader-01', 'connected:reader-01'])
    expect(h.broker.isConnected('reader-01')).toBe(true)
    expect(h.broker.stats.device('reader-01').connected).toBe(true)
  })
})

describe('secretMatches', () => {
  const hash = 'sha256:' + 'a'.repeat(64)
  it('compares sha256 of the password with the stored hash', () => {
    expect(secretMatches('sha256:2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b', Buffer.from('secret'))).toBe(true)
    expect(secretMatches('SHA256:2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b', Buffer.from('secret'))).toBe(false)
    expect(secretMatches(hash, Buffer.from('secret'))).toBe(false)
  })
  it('is false for a malformed or missing hash, even against the all-zero digest', () => {
    expect(secretMatches(undefined, Buffer.from(''))).toBe(false)
    expect(secretMatches('sha256:abc', Buffer.from('secret'))).toBe(false)
    expect(secretMatches('plain', Buffer.from('plain'))).toBe(false)
  })
})
