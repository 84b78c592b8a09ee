import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sampleUplinks } from '../../protocol/index.ts'
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from '../../test/support/databases.ts'
import type { AcceptedMessage } from '../broker/ports.ts'
import { EventLog } from './event-log.ts'

const access = (eventId: string, seq: number, deviceId = 'dev-1'): AcceptedMessage => ({
  buildingId: 'b-1', deviceId, channel: 'event/access', receivedAt: Date.now(),
  payload: { ...sampleUplinks()['event/access'], eventId, seq },
})

describe.each(DATABASE_KINDS)('EventLog on %s', (kind) => {
  let t: TestDatabase
  let log: EventLog
  beforeAll(async () => { t = await openTestDatabase(kind); log = new EventLog(t.db) })
  afterAll(async () => { await log?.close(); await t?.dispose() })

  it('logs an event once: a redelivery with the same eventId or seq is a duplicate', async () => {
    const first = await log.append(access('e-1', 1))
    expect(first.fresh).toBe(true)
    expect(await log.append(access('e-1', 1))).toEqual({ fresh: false, logSeq: null })
    // Same seq, another eventId: not a redelivery but a counter that went back.
    expect(await log.append(access('e-other', 1))).toEqual({ fresh: false, logSeq: null, conflict: 'seq_reused' })
    expect((await log.append(access('e-1', 1, 'dev-2'))).fresh).toBe(true)
    const r = await t.db.query<{ n: number }>(`select count(*)::int as n from events where event_id = 'e-1'`)
    expect(r.rows[0]!.n).toBe(2)
  })

  it('commits concurrent appends in few batches, in order, each answered', async () => {
    const batchesBefore = log.counters.batches
    const results = await Promise.all(Array.from({ length: 500 }, (_, i) => log.append(access(`burst-${i}`, 1000 + i))))
    expect(results.every((r) => r.fresh)).toBe(true)
    const seqs = results.map((r) => r.logSeq!)
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs)
    expect(log.counters.batches - batchesBefore).toBeLessThan(10)
    const dupes = await Promise.all([log.append(access('burst-7', 1007)), log.append(access('new-1', 5000)), log.append(access('new-1', 5000))])
    expect(dupes.map((d) => d.fresh)).toEqual([false, true, false])
    expect(dupes.map((d) => d.conflict)).toEqual([undefined, undefined, undefined])
    const clash = await Promise.all([log.append(access('clash-a', 6000)), log.append(access('clash-b', 6000))])
    expect(clash).toEqual([{ fresh: true, logSeq: expect.any(Number) }, { fresh: false, logSeq: null, conflict: 'seq_reused' }])
  })

  it('keeps the device time, door and credential for history queries', async () => {
    await log.append(access('hist-1', 9000))
    const r = await t.db.query<{ at: Date; door: string; credential_id: string; payload: { direction: string } }>(
      `select at, door, credential_id, payload from events where event_id = 'hist-1'`)
    expect(r.rows[0]).toMatchObject({ at: new Date('2025-03-01T00:15:30.250Z'), door: 'main-gate', credential_id: 'cred-7781', payload: { direction: 'in' } })
  })
})
