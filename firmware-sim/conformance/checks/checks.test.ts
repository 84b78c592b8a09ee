// The checks on hand-built observations: the ways a device can go wrong that
// the simulator's faults do not cover.

import { describe, expect, it } from 'vitest'
import { newObservation, type ConnectRecord, type Observation } from '../observation.ts'
import type { CheckContext } from '../result.ts'
import { allowlistCommands, KIT_ALLOWLIST_KEY, KIT_CREDENTIALS } from '../commands.ts'
import { checkAllowlistSync, checkCommandReplies } from './command-checks.ts'
import { checkAllowlistDigests } from './decision-checks.ts'
import { checkIdentity, checkLastWill, checkSubscriptions } from './connect-checks.ts'
import { checkEventIds, checkSeq } from './event-checks.ts'
import { checkClock, checkQosRetain, checkSchemas, checkTopics } from './message-checks.ts'
import { checkBackoff, checkReplay } from './reconnect-checks.ts'
import { checkLineCounts } from './timing-checks.ts'

const T0 = Date.parse('2026-11-20T08:00:00Z')
const ctx: CheckContext = { clockToleranceMs: 5000, replyTimeoutMs: 1000, intervals: 2, allowlistKey: KIT_ALLOWLIST_KEY }
const TREE = 'rh/v1/b1/d1/'

function obs (kind: 'reader' | 'camera' = 'reader'): Observation & { pub: (channel: string, payload: object, o?: Partial<{ at: number; qos: number; retain: boolean; connection: number; topic: string }>) => void } {
  const o = newObservation('listen', kind, 'd1', 'b1')
  let n = 0
  return Object.assign(o, {
    pub (channel: string, payload: object, x: Partial<{ at: number; qos: number; retain: boolean; connection: number; topic: string }> = {}) {
      const at = x.at ?? T0 + n * 1000
      o.publishes.push({ connection: x.connection ?? 0, n: n++, at, realAt: at, topic: x.topic ?? `${TREE}${channel}`, payload: Buffer.from(JSON.stringify(payload)), qos: x.qos ?? 1, retain: x.retain ?? false })
    },
  })
}

function connect (o: Observation, x: Partial<ConnectRecord> = {}): void {
  o.connects.push({
    index: o.connects.length, at: T0, clientId: 'd1', username: 'd1', hasPassword: true, protocolId: 'MQTT', protocolVersion: 4, keepalive: 30, clean: true,
    will: { topic: `${TREE}status`, payload: '{"state":"offline","reason":"lwt"}', qos: 1, retain: true }, accepted: true, ...x,
  })
}

const ev = (seq: number, ts = T0, eventId = `e${seq}`) => ({ eventId, seq, ts: new Date(ts).toISOString(), door: 'gate', state: 'tamper' })

describe('connect checks', () => {
  it('identity: a user name other than the device id fails; other clients are named, not judged', () => {
    const o = obs()
    connect(o)
    o.others.push('mosquitto-sub-1')
    expect(checkIdentity(o).notes).toContain('other clients connected and were not judged: mosquitto-sub-1')
    connect(o, { username: 'installer' })
    expect(checkIdentity(o).reason).toMatch(/user name "installer" is not the device id \(connection attempt 1\)/)
  })

  it('last will: wrong topic fails; QoS 0 passes with a note', () => {
    const o = obs()
    connect(o, { will: { topic: 'rh/v1/b1/other/status', payload: '{"state":"offline"}', qos: 1, retain: true } })
    expect(checkLastWill(o)).toMatchObject({ verdict: 'fail', reason: expect.stringContaining('not the device\'s status topic') })
    const q0 = obs()
    connect(q0, { will: { topic: `${TREE}status`, payload: '{ "reason": "lwt", "state": "offline" }', qos: 0, retain: true } })
    const r = checkLastWill(q0)
    expect(r.verdict).toBe('pass')
    expect(r.notes?.join(' ')).toMatch(/QoS 0.*exactly/s)
  })

  it('last will: any payload but the offline status with reason lwt fails, as the broker refuses it', () => {
    for (const payload of ['{"state":"offline"}', '{"state":"offline","reason":"shutdown"}', '{"state":"offline","reason":"lwt","ts":"2026-11-03T22:00:00Z"}']) {
      const o = obs()
      connect(o, { will: { topic: `${TREE}status`, payload, qos: 1, retain: true } })
      expect(checkLastWill(o), payload).toMatchObject({ verdict: 'fail', reason: expect.stringContaining('{"state":"offline","reason":"lwt"}') })
    }
  })

  it('subscriptions: a filter beyond the two, or no error filter, fails', () => {
    const o = obs()
    connect(o)
    o.subscribes.push({ connection: 0, n: 0, at: T0, filter: `${TREE}command/+`, qos: 1 }, { connection: 0, n: 1, at: T0, filter: `${TREE}#`, qos: 1 })
    expect(checkSubscriptions(o).reason).toMatch(/not one of the device's two filters/)
    o.subscribes.pop()
    expect(checkSubscriptions(o).reason).toMatch(/no subscription to .*error/)
  })
})

describe('message checks', () => {
  it('topics: another device, a command topic, QoS 2 fail', () => {
    for (const [topic, qos, why] of [['rh/v1/b1/d2/heartbeat', 1, /outside its own tree/], [`${TREE}command/config`, 1, /only the platform publishes/], [`${TREE}heartbeat`, 2, /QoS 2/], [`${TREE}events/access`, 1, /not one of the seven/]] as const) {
      const o = obs()
      o.pub('', {}, { topic, qos })
      expect(checkTopics(o).reason).toMatch(why)
    }
  })

  it('schemas: a status the device publishes itself with the will\'s reason lwt fails', () => {
    const o = obs()
    o.pub('status', { state: 'offline', reason: 'lwt' }, { retain: true })
    expect(checkSchemas(o)).toMatchObject({ verdict: 'fail', reason: expect.stringContaining('1 of 1') })
  })

  it('QoS and retain per channel', () => {
    const o = obs()
    o.pub('event/door', ev(1), { qos: 0 })
    expect(checkQosRetain(o).reason).toMatch(/event\/door published at QoS 0/)
    const r = obs()
    r.pub('heartbeat', { ts: new Date(T0).toISOString(), uptimeS: 1 }, { qos: 0, retain: true })
    expect(checkQosRetain(r).reason).toMatch(/retain flag/)
  })

  it('clock: a heartbeat 10 s off fails', () => {
    const o = obs()
    o.pub('heartbeat', { ts: new Date(T0 + 10_000).toISOString(), uptimeS: 1 }, { at: T0 })
    expect(checkClock(o, ctx)).toMatchObject({ verdict: 'fail', reason: expect.stringContaining('10.0 s off') })
  })
})

describe('event checks', () => {
  it('a copy (same eventId, seq, ts) is neither a seq nor an eventId violation; a reused seq or id is', () => {
    const o = obs()
    o.pub('event/door', ev(1))
    o.pub('event/door', ev(1))
    o.pub('event/door', ev(2))
    expect(checkSeq(o).verdict).toBe('pass')
    expect(checkEventIds(o).verdict).toBe('pass')
    o.pub('event/door', ev(2, T0, 'e3'))
    expect(checkSeq(o).reason).toMatch(/seq 2 after seq 2/)
    o.pub('event/door', ev(4, T0, 'e1'))
    expect(checkEventIds(o).reason).toMatch(/eventId e1 was used again/)
  })
})

describe('command checks', () => {
  const cmd = (o: Observation, purpose: 'allowlist-full' | 'allowlist-delta' | 'allowlist-gap', requestId: string, version: number) => {
    o.commands.push({ purpose, name: 'allowlist-sync', requestId, at: T0, realAt: T0, payload: { requestId, version, baseVersion: version - 1 } })
  }

  it('two replies, or a late one, fail', () => {
    const o = obs()
    cmd(o, 'allowlist-full', 'r1', 101)
    o.pub('reply', { requestId: 'r1', command: 'allowlist-sync', status: 'ok', data: { version: 101 } }, { at: T0 + 10 })
    o.pub('reply', { requestId: 'r1', command: 'allowlist-sync', status: 'ok', data: { version: 101 } }, { at: T0 + 20 })
    expect(checkCommandReplies(o, ctx).reason).toMatch(/2 replies/)
    const late = obs()
    cmd(late, 'allowlist-full', 'r1', 101)
    late.pub('reply', { requestId: 'r1', command: 'allowlist-sync', status: 'ok', data: { version: 101 } }, { at: T0 + 5000 })
    expect(checkCommandReplies(late, ctx).reason).toMatch(/after 5.0 s/)
  })

  it('allow-list: a wrong version fails; without replies the heartbeat tells', () => {
    const o = obs()
    cmd(o, 'allowlist-full', 'r1', 101)
    o.pub('reply', { requestId: 'r1', command: 'allowlist-sync', status: 'ok', data: { version: 7 } })
    expect(checkAllowlistSync(o).reason).toMatch(/data.version 101/)
    const quiet = obs()
    cmd(quiet, 'allowlist-full', 'r1', 101)
    cmd(quiet, 'allowlist-delta', 'r2', 102)
    cmd(quiet, 'allowlist-gap', 'r3', 104)
    quiet.pub('heartbeat', { ts: new Date(T0).toISOString(), uptimeS: 1, allowlistVersion: 102 }, { at: T0 + 1 })
    expect(checkAllowlistSync(quiet)).toMatchObject({ verdict: 'pass', notes: [expect.stringContaining('heartbeat')] })
    quiet.pub('heartbeat', { ts: new Date(T0).toISOString(), uptimeS: 1, allowlistVersion: 104 }, { at: T0 + 2 })
    expect(checkAllowlistSync(quiet).verdict).toBe('fail')
  })
})

describe('allow-list digest checks', () => {
  const { qr, pin, card } = KIT_CREDENTIALS
  /** The kit's syncs sent, each answered as a conforming reader would (the list under another key refused). */
  function synced (wrongKeyReply: object = { status: 'error', error: { code: 'wrong_key', message: 'not my key' } }) {
    const o = obs()
    for (const c of allowlistCommands(new Date(T0).toISOString(), KIT_ALLOWLIST_KEY)) {
      o.commands.push({ purpose: c.purpose, name: c.name, requestId: c.payload.requestId, at: T0, realAt: T0, payload: c.payload })
      const version = c.payload.version as number
      const body = c.purpose === 'allowlist-wrong-key' ? wrongKeyReply
        : c.purpose === 'allowlist-gap' ? { status: 'error', error: { code: 'version_gap', message: 'gap' } } : { status: 'ok', data: { version } }
      o.pub('reply', { requestId: c.payload.requestId, command: 'allowlist-sync', ...body }, { at: T0 + 1 })
    }
    o.decisionsFrom = T0 + 2
    return o
  }
  const swipe = (o: ReturnType<typeof synced>, n: number, credential: object, result: 'granted' | 'denied') =>
    o.pub('event/access', { eventId: `a${n}`, seq: n, ts: new Date(T0 + 3000 + n).toISOString(), door: 'gate', direction: 'in', credential, result }, { at: T0 + 3000 + n })

  it('passes a reader that decides as the digests of the list it holds say', () => {
    const o = synced()
    swipe(o, 1, { kind: 'qr', value: qr.value, credentialId: qr.credentialId }, 'granted')
    swipe(o, 2, { kind: 'pin', value: 'entered', credentialId: pin.credentialId }, 'granted')
    swipe(o, 3, { kind: 'card', value: card.value.toLowerCase() }, 'denied')
    swipe(o, 4, { kind: 'card', value: '5EEDBEEF' }, 'denied')
    expect(checkAllowlistDigests(o, ctx)).toEqual({ verdict: 'pass', notes: ['4 decision(s) match the digests of the list held'] })
  })

  it('fails a reader that grants a removed card, refuses its own QR code, or grants a PIN as another entry', () => {
    const removed = synced()
    swipe(removed, 1, { kind: 'card', value: card.value, credentialId: card.credentialId }, 'granted')
    expect(checkAllowlistDigests(removed, ctx).reason).toMatch(/card "C0FFEE01" was granted as conformance-card-1; .* must be denied/)
    const refused = synced()
    swipe(refused, 1, { kind: 'qr', value: qr.value }, 'denied')
    expect(checkAllowlistDigests(refused, ctx).reason).toMatch(/must be granted as conformance-qr-1/)
    const pinAsQr = synced()
    swipe(pinAsQr, 1, { kind: 'pin', value: 'entered', credentialId: qr.credentialId }, 'granted')
    expect(checkAllowlistDigests(pinAsQr, ctx).reason).toMatch(/no PIN entry/)
  })

  it('fails a reader that takes a list computed with another key', () => {
    const o = synced({ status: 'ok', data: { version: 102 } })
    expect(checkAllowlistDigests(o, ctx)).toMatchObject({ verdict: 'fail', reason: expect.stringMatching(/wrong_key/) })
  })

  it('judges nothing when no credential was presented after the syncs, or with another key than the reader\'s', () => {
    const o = synced()
    swipe(o, 1, { kind: 'qr', value: qr.value, credentialId: qr.credentialId }, 'granted')
    o.publishes.at(-1)!.at = T0 // before the syncs were in place
    expect(checkAllowlistDigests(o, ctx)).toMatchObject({ verdict: 'not_checked', reason: expect.stringMatching(/no credential was presented/) })
    const other = synced()
    swipe(other, 1, { kind: 'qr', value: qr.value, credentialId: qr.credentialId }, 'granted')
    // Checked against a key the kit did not use, the grant no longer matches.
    expect(checkAllowlistDigests(other, { ...ctx, allowlistKey: 'ab'.repeat(32) }).verdict).toBe('fail')
  })
})

describe('timing and reconnect checks', () => {
  it('line counts: overlapping periods fail', () => {
    const o = obs('camera')
    o.lineWindow = { from: T0 - 1, to: T0 + 60_000, periodS: 2 }
    for (const [i, periodS] of [[0, 2], [1, 2], [2, 2], [3, 4]] as const) {
      o.pub('event/line', { eventId: `l${i}`, seq: i, ts: new Date(T0 + i * 2000).toISOString(), door: 'g', in: 0, out: 0, periodS }, { at: T0 + i * 2000 })
    }
    expect(checkLineCounts(o, ctx).reason).toMatch(/overlaps/)
  })

  it('back-off: a retry 1 s after a refusal fails', () => {
    const o = obs()
    connect(o)
    o.outage = { droppedAt: T0 + 1000, lastConnection: 0 }
    connect(o, { at: T0 + 2000, accepted: false })
    connect(o, { at: T0 + 3000, accepted: false })
    expect(checkBackoff(o).reason).toMatch(/1.0 s after a refused attempt/)
  })

  it('replay: out of order, or a live event among the buffered ones, fails', () => {
    const make = (order: Array<[number, number]>) => {
      const o = obs()
      connect(o)
      connect(o, { at: T0 + 10_000 })
      o.outage = { droppedAt: T0, lastConnection: 0, reconnection: 1 }
      for (const [seq, ts] of order) o.pub('event/door', ev(seq, ts), { connection: 1, at: T0 + 11_000 })
      return checkReplay(o, ctx)
    }
    expect(make([[1, T0 + 1000], [2, T0 + 2000], [3, T0 + 12_000]]).verdict).toBe('pass')
    expect(make([[2, T0 + 2000], [1, T0 + 1000]]).reason).toMatch(/oldest first/)
    expect(make([[1, T0 + 1000], [3, T0 + 12_000], [2, T0 + 2000]]).reason).toMatch(/live event was sent before/)
    expect(make([[3, T0 + 12_000]]).reason).toMatch(/no event with a device time inside the outage/)
  })
})
