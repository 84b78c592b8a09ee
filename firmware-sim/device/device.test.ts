// The simulated firmware on a real broker over a real socket: what it
// publishes and how it answers commands. The protocol mechanics (outage,
// replay, reconnect, a full outbox) are tested with the client:
// protocol/device-client/device-client.test.ts.

import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { allowlistKeyId, decodeUplink, parseAllowlistKey, presentedDigest, type UplinkChannel } from '../../protocol/index.ts'
import { eventually, fastClock, plainBroker, type PlainBroker, type Watcher } from './device.test-kit.ts'
import { createCamera, createReader, type SimDevice } from './index.ts'

const B = 'bldg-sim'
let pb: PlainBroker
let watcher: Watcher
const devices: SimDevice[] = []

beforeEach(async () => {
  pb = await plainBroker()
  watcher = await pb.watch(`rh/v1/${B}/#`)
})

afterEach(async () => {
  for (const d of devices.splice(0)) await d.stop().catch(() => {})
  await pb.close()
})

const clock = fastClock(10)
const KEY = '5a'.repeat(32)
const key = parseAllowlistKey(KEY)
const creds = (deviceId: string) => ({ url: pb.url, buildingId: B, deviceId, door: 'gate', password: 'secret', allowlistKey: KEY })
const base = { clock, heartbeatS: 5, tickMs: 10, backoffMinS: 1 }

function valid (w: Watcher): void {
  for (const m of w.messages) {
    const channel = m.topic.split('/').slice(4).join('/')
    if (channel.startsWith('command/') || channel === 'error') continue
    const d = decodeUplink(channel as UplinkChannel, Buffer.from(JSON.stringify(m.payload)))
    expect(d.ok, `${m.topic} ${JSON.stringify(m.payload)} ${JSON.stringify(d)}`).toBe(true)
  }
}

async function command (deviceId: string, name: string, body: object): Promise<any> {
  const requestId = `req-${Math.random().toString(36).slice(2)}`
  await watcher.client.publishAsync(`rh/v1/${B}/${deviceId}/command/${name}`, JSON.stringify({ requestId, ts: new Date(clock.now()).toISOString(), ...body }), { qos: 1 })
  let reply: any
  await eventually(`a reply to ${name}`, () => (reply = watcher.on('reply').find((r) => r.requestId === requestId)) !== undefined)
  return reply
}

describe('simulated reader', () => {
  it('goes online retained, decides on the synced allow-list, opens and closes its door, heartbeats', async () => {
    const r = createReader(creds('reader-1'), { ...base, seqStart: 1 })
    devices.push(r)
    await r.start()
    await eventually('the online status', () => watcher.on('status').length > 0)
    expect(watcher.on('status')[0]).toMatchObject({ state: 'online', doors: ['gate'], firmware: 'sim-1.0.0' })
    // The retained copy is there for a late subscriber.
    const late = await pb.watch(`rh/v1/${B}/reader-1/status`)
    await eventually('the retained status', () => late.messages.some((m) => m.retain && m.payload.state === 'online'))

    expect(await r.present({ kind: 'card', value: 'abc123' }, 'in')).toBe('denied')
    const keyId = allowlistKeyId(key)
    const full = await command('reader-1', 'allowlist-sync', {
      mode: 'full', version: 7, keyId, remove: [],
      upsert: [
        { credentialId: 'c1', kind: 'card', digest: presentedDigest(key, 'card', 'ABC123') },
        { credentialId: 'c2', kind: 'pin', digest: presentedDigest(key, 'pin', '1234') },
        { credentialId: 'c3', kind: 'qr', digest: presentedDigest(key, 'qr', 'old'), validUntil: '2020-01-01T00:00:00Z' },
      ],
    })
    expect(full).toMatchObject({ status: 'ok', data: { version: 7 } })
    expect(r.allowlistVersion).toBe(7)
    expect(await r.present({ kind: 'card', value: 'abc123' }, 'in')).toBe('granted')
    expect(await r.present({ kind: 'pin', value: '1234' }, 'in')).toBe('granted')
    expect(await r.present({ kind: 'pin', value: '9999' }, 'out')).toBe('denied')
    expect(await r.present({ kind: 'qr', value: 'old' }, 'in')).toBe('denied')
    const gap = await command('reader-1', 'allowlist-sync', { mode: 'delta', version: 9, baseVersion: 8, keyId, upsert: [], remove: [] })
    expect(gap).toMatchObject({ status: 'error', error: { code: 'version_gap' } })
    const foreign = await command('reader-1', 'allowlist-sync', { mode: 'full', version: 9, keyId: allowlistKeyId(parseAllowlistKey('a5'.repeat(32))), upsert: [], remove: [] })
    expect(foreign).toMatchObject({ status: 'error', error: { code: 'wrong_key' } })
    expect(r.allowlistVersion).toBe(7)
    const delta = await command('reader-1', 'allowlist-sync', { mode: 'delta', version: 8, baseVersion: 7, keyId, upsert: [], remove: ['c1'] })
    expect(delta).toMatchObject({ status: 'ok', data: { version: 8 } })
    expect(await r.present({ kind: 'card', value: 'ABC123' }, 'in')).toBe('denied')
    expect(await command('reader-1', 'open-door', { door: 'other' })).toMatchObject({ status: 'error', error: { code: 'unknown_door' } })
    expect(await command('reader-1', 'config', { heartbeatS: 5, timezone: 'Nowhere/Atlantis' })).toMatchObject({ status: 'error', error: { code: 'invalid_command' } })

    // At ten times real speed a heartbeat may come before the delta (on a busy machine): wait for one after it.
    await eventually('door closed and a heartbeat after the delta', () => watcher.on('event/door').some((d) => d.state === 'closed') && watcher.on('heartbeat').some((h) => h.allowlistVersion === 8))
    const access = watcher.on('event/access')
    expect(access.map((a) => [a.result, a.reason ?? null, a.credential.credentialId ?? null])).toEqual([
      ['denied', 'unknown_credential', null], ['granted', null, 'c1'], ['granted', null, 'c2'], ['denied', 'wrong_pin', null],
      ['denied', 'expired', 'c3'], ['denied', 'revoked', null],
    ])
    expect(access[2].credential.value).toBe('entered')
    expect(watcher.on('event/door').map((d) => d.state)).toEqual(['opened', 'closed'])
    expect(watcher.on('heartbeat').at(-1)).toMatchObject({ allowlistVersion: 8, firmware: 'sim-1.0.0' })
    const seqs = [...access, ...watcher.on('event/door')].map((e) => e.seq).sort((a, b) => a - b)
    expect(seqs).toEqual(seqs.map((_, i) => i + 1))
    valid(watcher)
  })
})

describe('simulated camera', () => {
  it('publishes line counts every period (zeros too), detections, and refuses reader commands', async () => {
    const c = createCamera(creds('cam-1'), { ...base, lineCountPeriodS: 2 })
    devices.push(c)
    await c.start()
    c.cross('in', 2)
    c.cross('out')
    await c.detect(3)
    await eventually('three periods', () => watcher.on('event/line').length >= 3)
    const lines = watcher.on('event/line')
    expect(lines[0]).toMatchObject({ in: 2, out: 1, periodS: 2, door: 'gate' })
    expect(lines[1]).toMatchObject({ in: 0, out: 0, periodS: 2 })
    expect(Date.parse(lines[1].ts) - Date.parse(lines[0].ts)).toBe(2000)
    expect(watcher.on('event/person')[0]).toMatchObject({ count: 3, door: 'gate' })
    expect(await command('cam-1', 'open-door', { door: 'gate' })).toMatchObject({ status: 'error', error: { code: 'unsupported' } })
    expect(await command('cam-1', 'config', { lineCountPeriodS: 1 })).toMatchObject({ status: 'ok' })
    await eventually('1 s periods', () => watcher.on('event/line').filter((l) => l.periodS === 1).length >= 2)
    valid(watcher)
  })
})
