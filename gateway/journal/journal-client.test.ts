// The device client on the gateway's journal, against a real broker: events
// recorded while the uplink is down are kept on disk, survive the gateway
// process going away, and reach the broker after the next start with the
// seq and eventId they were given; once acknowledged they leave the disk.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { eventually, testBroker, type TestBroker, type Watched } from '../../protocol/device-client/broker.test-kit.ts'
import { DeviceClient, errorBody } from '../../protocol/device-client/index.ts'
import { Journal } from './journal.ts'
import { SourceSequences } from './sequences.ts'

const B = 'bldg-gw'
let broker: TestBroker
let watcher: Watched
let dir: string
const stops: Array<() => Promise<void>> = []

beforeEach(async () => {
  broker = await testBroker()
  watcher = await broker.watch(`rh/v1/${B}/#`)
  dir = mkdtempSync(join(tmpdir(), 'rh-gw-journal-'))
})

afterEach(async () => {
  for (const stop of stops.splice(0)) await stop().catch(() => {})
  await broker.close()
  rmSync(dir, { recursive: true, force: true })
})

async function gatewaySide (): Promise<{ client: DeviceClient; journal: Journal }> {
  const journal = await Journal.open({ dir: join(dir, 'reader-1') })
  const seqs = new SourceSequences(join(dir, 'seq.json'))
  const client = new DeviceClient({
    credentials: { url: broker.url, buildingId: B, deviceId: 'reader-1', password: 'secret' },
    doors: ['gate'], firmware: 'legacy-1', vendor: 'Old Vendor', model: 'W26', heartbeatS: 60,
    execute: (name) => errorBody('unsupported', `no ${name}`),
    buffer: journal,
    nextIds: () => seqs.stamp('reader-1'),
    tickMs: 10, backoffMinS: 1,
  })
  stops.push(async () => { await client.stop(); await journal.close() })
  return { client, journal }
}

describe('device client on the journal', () => {
  it('replays what was kept during an outage after a restart of the gateway, with the same ids, once acknowledged gone', async () => {
    const first = await gatewaySide()
    await first.client.start()
    await first.client.disconnect()
    const kept: Array<{ seq: number; eventId: string }> = []
    for (let i = 0; i < 20; i++) kept.push(await first.client.publishEventKept('event/door', { door: 'gate', state: i % 2 === 0 ? 'held_open' : 'closed' }))
    expect(first.journal.depth).toBe(20)
    // The gateway process goes away with the uplink still down.
    await first.client.stop()
    await first.journal.close()
    expect(watcher.on('event/door')).toEqual([])

    const second = await gatewaySide()
    expect(second.journal.recovery.waiting).toBe(20)
    await second.client.start()
    await eventually('the kept events at the broker', () => watcher.on('event/door').length >= 20)
    const arrived = watcher.on('event/door')
    expect(arrived.map((e: { eventId: string }) => e.eventId)).toEqual(kept.map((k) => k.eventId))
    expect(arrived.map((e: { seq: number }) => e.seq)).toEqual(kept.map((k) => k.seq))
    await eventually('the journal emptied by the PUBACKs', () => second.journal.depth === 0)
    const next = await second.client.publishEventKept('event/door', { door: 'gate', state: 'closed' })
    expect(next.seq).toBeGreaterThan(Math.max(...kept.map((k) => k.seq)))
    await eventually('the new event at the broker', () => watcher.on('event/door').length === 21)
    await eventually('its acknowledgement', () => second.journal.depth === 0)
    await second.client.stop()
    await second.journal.close()
    const third = await Journal.open({ dir: join(dir, 'reader-1') })
    expect(third.recovery.waiting).toBe(0)
    await third.close()
  })
})
