import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASE_KINDS } from '../../test/support/databases.ts'
import { access, FailingInserts, logTestBed, silent } from './event-log.test-kit.ts'
import { EventLog } from './event-log.ts'

describe.each(DATABASE_KINDS)('EventLog on %s', (kind) => {
  const bed = logTestBed(kind)
  let log: EventLog

  beforeAll(async () => {
    log = await EventLog.open(bed.t.db, { logger: silent, dir: join(bed.dir, 'main') })
  })
  afterAll(async () => {
    await log?.close()
  })

  it('logs an event once: a redelivery with the same eventId or seq is a copy', async () => {
    const first = await log.append(access('e-1', 1))
    expect(first.fresh).toBe(true)
    expect(await log.append(access('e-1', 1))).toEqual({ fresh: false, logSeq: null })
    // Same seq, another eventId: not a redelivery but a counter that went back.
    expect(await log.append(access('e-other', 1))).toEqual({ fresh: false, logSeq: null, conflict: 'seq_reused' })
    expect((await log.append(access('e-1', 1, 'dev-2'))).fresh).toBe(true)
    expect(await log.caughtUp()).toBe(true)
    expect(await bed.count(`event_id = 'e-1'`)).toBe(2)
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
    await log.caughtUp()
    const r = await bed.t.db.query<{ log_seq: string | number; event_id: string }>(`select log_seq, event_id from events where event_id like 'burst-%' order by log_seq`)
    expect(r.rows.map((x) => Number(x.log_seq))).toEqual(seqs)
  })

  it('tells copies of older seqs from new events by asking the database', async () => {
    expect((await log.append(access('old-1', 7000, 'dev-3'))).fresh).toBe(true)
    expect((await log.append(access('old-2', 7001, 'dev-3'))).fresh).toBe(true)
    await log.caughtUp()
    const lookups = log.counters.lookups
    // A replay of an event the database holds, a copy with another seq, a counter that went back, and a
    // gap filled late: each older than the device's newest seq, so each is looked up.
    expect(await log.append(access('old-1', 7000, 'dev-3'))).toEqual({ fresh: false, logSeq: null })
    expect(await log.append(access('old-1', 6990, 'dev-3'))).toEqual({ fresh: false, logSeq: null })
    expect(await log.append(access('old-x', 7001, 'dev-3'))).toEqual({ fresh: false, logSeq: null, conflict: 'seq_reused' })
    expect((await log.append(access('late-1', 6500, 'dev-3'))).fresh).toBe(true)
    expect(log.counters.lookups - lookups).toBe(4)
    // Newer than every seq of the device: new without a lookup.
    expect((await log.append(access('old-3', 7002, 'dev-3'))).fresh).toBe(true)
    expect(log.counters.lookups - lookups).toBe(4)
    await log.caughtUp()
    expect(await bed.count(`device_id = 'dev-3'`)).toBe(4)
  })

  it('knows a device’s newest seq after a restart', async () => {
    await log.append(access('before-restart', 8000, 'dev-4'))
    await log.close()
    log = await EventLog.open(bed.t.db, { logger: silent, dir: join(bed.dir, 'main') })
    expect(await log.append(access('before-restart', 8000, 'dev-4'))).toEqual({ fresh: false, logSeq: null })
    expect(await log.append(access('other', 8000, 'dev-4'))).toEqual({ fresh: false, logSeq: null, conflict: 'seq_reused' })
    const next = await log.append(access('after-restart', 8001, 'dev-4'))
    expect(next.fresh).toBe(true)
    expect(next.logSeq).toBeGreaterThan(Number((await bed.t.db.query<{ n: string }>(`select log_seq as n from events where event_id = 'before-restart'`)).rows[0]!.n))
  })

  it('keeps the device time, door and credential for history queries', async () => {
    await log.append(access('hist-1', 9000))
    await log.caughtUp()
    const r = await bed.t.db.query<{ at: Date; door: string; credential_id: string; payload: { direction: string } }>(
      `select at, door, credential_id, payload from events where event_id = 'hist-1'`)
    expect(r.rows[0]).toMatchObject({ at: new Date('2025-03-01T00:15:30.250Z'), door: 'main-gate', credential_id: 'cred-7781', payload: { direction: 'in' } })
  })

  it('gives an empty journal taken over by another database a new identity', async () => {
    const takeDir = join(bed.dir, 'take-over')
    const first = await EventLog.open(bed.t.db, { logger: silent, dir: takeDir })
    await first.close()
    const before = readFileSync(join(takeDir, 'journal-id'), 'utf8')
    for (const f of readdirSync(takeDir).filter((x) => x.endsWith('.jsonl'))) rmSync(join(takeDir, f))
    await bed.t.db.query(`update event_index_progress set journal_id = 'another'`)
    const second = await EventLog.open(bed.t.db, { logger: silent, dir: takeDir })
    await second.close()
    const after = readFileSync(join(takeDir, 'journal-id'), 'utf8')
    expect(after).not.toBe(before)
    expect((await bed.t.db.query<{ journal_id: string }>('select journal_id from event_index_progress')).rows[0]!.journal_id).toBe(after.trim())
  })

  it('refuses to replay a journal into a database it does not belong to', async () => {
    const otherDir = join(bed.dir, 'other')
    const flaky = new FailingInserts(bed.t.db)
    const a = await EventLog.open(flaky, { logger: silent, dir: otherDir })
    flaky.failing = true
    await a.append(access('foreign-1', 1, 'dev-foreign'))
    await a.close(0)
    writeFileSync(join(otherDir, 'journal-id'), 'some-other-database\n')
    await expect(EventLog.open(bed.t.db, { logger: silent, dir: otherDir })).rejects.toThrow(/of another database/)
    expect(await bed.count(`device_id = 'dev-foreign'`)).toBe(0)
  })
})
