import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sampleUplinks } from '../../protocol/index.ts'
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from '../../test/support/databases.ts'
import type { AcceptedMessage } from '../broker/ports.ts'
import { mountTinyDisk, tinyDisksWork } from '../../test/support/tiny-disk.ts'
import type { Database, Queryable } from '../store/database.ts'
import { EventLog } from './event-log.ts'

const access = (eventId: string, seq: number, deviceId = 'dev-1'): AcceptedMessage => ({
  buildingId: 'b-1', deviceId, channel: 'event/access', receivedAt: Date.now(),
  payload: { ...sampleUplinks()['event/access'], eventId, seq },
})

/** The real database, refusing inserts into the event table while `failing` is set (an outage of the indexer's writes). */
class FailingInserts implements Database {
  failing = false
  constructor (private readonly db: Database) {}
  get kind (): Database['kind'] { return this.db.kind }
  query: Database['query'] = (sql, params) =>
    this.failing && /insert into events/.test(sql) ? Promise.reject(new Error('database unavailable')) : this.db.query(sql, params)

  exec (sql: string): Promise<void> { return this.db.exec(sql) }
  transaction<T> (fn: (tx: Queryable) => Promise<T>): Promise<T> { return this.db.transaction(fn) }
  close (): Promise<void> { return Promise.resolve() }
}

const silent = pino({ level: 'silent' })

interface LogLine { level: number; msg: string; err?: { message: string; code?: string }; [key: string]: unknown }

/** A logger that keeps its lines (parsed), for tests that check what the log said. */
function recording (): { logger: pino.Logger; lines: LogLine[] } {
  const lines: LogLine[] = []
  return { logger: pino({ level: 'debug' }, { write: (l: string) => { lines.push(JSON.parse(l) as LogLine) } }), lines }
}

const settle = <T>(p: Promise<T>, ms: number): Promise<T | 'pending'> =>
  Promise.race([p, new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), ms))])

describe.each(DATABASE_KINDS)('EventLog on %s', (kind) => {
  let t: TestDatabase
  let dir: string
  let log: EventLog
  const count = async (where: string): Promise<number> =>
    (await t.db.query<{ n: number }>(`select count(*)::int as n from events where ${where}`)).rows[0]!.n

  beforeAll(async () => {
    t = await openTestDatabase(kind)
    dir = mkdtempSync(join(tmpdir(), 'rh-event-log-'))
    log = await EventLog.open(t.db, { logger: silent, dir: join(dir, 'main') })
  })
  afterAll(async () => {
    await log?.close()
    await t?.dispose()
    rmSync(dir, { recursive: true, force: true })
  })

  it('logs an event once: a redelivery with the same eventId or seq is a copy', async () => {
    const first = await log.append(access('e-1', 1))
    expect(first.fresh).toBe(true)
    expect(await log.append(access('e-1', 1))).toEqual({ fresh: false, logSeq: null })
    // Same seq, another eventId: not a redelivery but a counter that went back.
    expect(await log.append(access('e-other', 1))).toEqual({ fresh: false, logSeq: null, conflict: 'seq_reused' })
    expect((await log.append(access('e-1', 1, 'dev-2'))).fresh).toBe(true)
    expect(await log.caughtUp()).toBe(true)
    expect(await count(`event_id = 'e-1'`)).toBe(2)
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
    const r = await t.db.query<{ log_seq: string | number; event_id: string }>(`select log_seq, event_id from events where event_id like 'burst-%' order by log_seq`)
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
    expect(await count(`device_id = 'dev-3'`)).toBe(4)
  })

  it('knows a device’s newest seq after a restart', async () => {
    await log.append(access('before-restart', 8000, 'dev-4'))
    await log.close()
    log = await EventLog.open(t.db, { logger: silent, dir: join(dir, 'main') })
    expect(await log.append(access('before-restart', 8000, 'dev-4'))).toEqual({ fresh: false, logSeq: null })
    expect(await log.append(access('other', 8000, 'dev-4'))).toEqual({ fresh: false, logSeq: null, conflict: 'seq_reused' })
    const next = await log.append(access('after-restart', 8001, 'dev-4'))
    expect(next.fresh).toBe(true)
    expect(next.logSeq).toBeGreaterThan(Number((await t.db.query<{ n: string }>(`select log_seq as n from events where event_id = 'before-restart'`)).rows[0]!.n))
  })

  it('keeps the device time, door and credential for history queries', async () => {
    await log.append(access('hist-1', 9000))
    await log.caughtUp()
    const r = await t.db.query<{ at: Date; door: string; credential_id: string; payload: { direction: string } }>(
      `select at, door, credential_id, payload from events where event_id = 'hist-1'`)
    expect(r.rows[0]).toMatchObject({ at: new Date('2025-03-01T00:15:30.250Z'), door: 'main-gate', credential_id: 'cred-7781', payload: { direction: 'in' } })
  })

  it('acknowledges from the journal while the database is down, and fills the database from it after a crash', async () => {
    const crashDir = join(dir, 'crash')
    const flaky = new FailingInserts(t.db)
    const { logger, lines: errors } = recording()
    const a = await EventLog.open(flaky, { logger, dir: crashDir, olderSeqWaitMs: 300 })
    flaky.failing = true
    const answered = await Promise.all([1, 2, 3].map((i) => a.append(access(`crash-${i}`, i, 'dev-crash'))))
    expect(answered.every((r) => r.fresh)).toBe(true)
    expect(await a.caughtUp(300)).toBe(false)
    expect(errors.length).toBeGreaterThan(0)
    expect(errors[0]).toMatchObject({ level: 50, retryInMs: 200, err: { message: 'database unavailable' }, msg: expect.stringMatching(/refused the events; the journal keeps them/) })
    expect(await count(`device_id = 'dev-crash'`)).toBe(0)
    // A copy is only told from a new event once the database has the original: until then it gets no
    // answer (no PUBACK; its device sends it again).
    await expect(a.append(access('crash-2', 2, 'dev-crash'))).rejects.toThrow(/database is behind/)
    // The process dies: nothing more reaches the database. A torn write is left at the journal's end.
    await a.close(0)
    const segment = readdirSync(crashDir).find((f) => f.endsWith('.jsonl'))!
    appendFileSync(join(crashDir, segment), '{"n":999999,"d":"dev-crash","e":"torn')

    const opened = recording()
    const b = await EventLog.open(t.db, { logger: opened.logger, dir: crashDir })
    try {
      expect(opened.lines.map((l) => [l.level, l.replayed ?? l.truncatedBytes])).toEqual([[30, 3], [40, '{"n":999999,"d":"dev-crash","e":"torn'.length]])
      const r = await t.db.query<{ event_id: string; log_seq: string | number }>(`select event_id, log_seq from events where device_id = 'dev-crash' order by log_seq`)
      expect(r.rows.map((x) => [x.event_id, Number(x.log_seq)])).toEqual(answered.map((x, i) => [`crash-${i + 1}`, x.logSeq]))
      expect(await b.append(access('crash-3', 3, 'dev-crash'))).toEqual({ fresh: false, logSeq: null })
      const next = await b.append(access('crash-4', 4, 'dev-crash'))
      expect(next.logSeq).toBeGreaterThan(answered[2]!.logSeq!)
    } finally {
      await b.close()
    }
  })

  it('holds acknowledgements once the database is too far behind, and lets them go when it catches up', async () => {
    const flaky = new FailingInserts(t.db)
    const slow = await EventLog.open(flaky, { logger: silent, dir: join(dir, 'behind'), maxUnindexed: 5 })
    try {
      flaky.failing = true
      const first = await Promise.all([1, 2, 3, 4, 5].map((i) => slow.append(access(`behind-${i}`, i, 'dev-behind'))))
      expect(first.every((r) => r.fresh)).toBe(true)
      const sixth = slow.append(access('behind-6', 6, 'dev-behind'))
      expect(await settle(sixth, 400)).toBe('pending')
      flaky.failing = false
      expect((await sixth).fresh).toBe(true)
      await slow.caughtUp()
      expect(await count(`device_id = 'dev-behind'`)).toBe(6)
    } finally {
      await slow.close()
    }
  })

  it('deletes journal segments once the database holds them', async () => {
    const segDir = join(dir, 'segments')
    const small = await EventLog.open(t.db, { logger: silent, dir: segDir, segmentBytes: 2_000, maxBatch: 5 })
    try {
      for (let i = 0; i < 6; i++) await Promise.all(Array.from({ length: 5 }, (_, j) => small.append(access(`seg-${i}-${j}`, i * 5 + j, 'dev-seg'))))
      await small.caughtUp()
      await new Promise((resolve) => setTimeout(resolve, 200))
      const left = readdirSync(segDir).filter((f) => f.endsWith('.jsonl'))
      expect(left.length).toBeLessThanOrEqual(2)
      expect(await count(`device_id = 'dev-seg'`)).toBe(30)
    } finally {
      await small.close()
    }
  })

  it('sets aside an event whose values the database refuses, and goes on with the others', async () => {
    const asideDir = join(dir, 'aside')
    const { logger, lines } = recording()
    const l = await EventLog.open(t.db, { logger, dir: asideDir })
    try {
      // Past validation (which refuses it) a year 0000 would stop the database's copy of the log.
      const bad = access('aside-bad', 2, 'dev-aside')
      ;(bad.payload as { ts: string }).ts = '0000-01-01T00:00:00Z'
      const answers = await Promise.all([access('aside-1', 1, 'dev-aside'), bad, access('aside-3', 3, 'dev-aside')].map((m) => l.append(m)))
      expect(answers.every((r) => r.fresh)).toBe(true)
      expect(await l.caughtUp(5_000)).toBe(true)
      expect(lines.map((x) => [x.level, x.logSeq])).toEqual([[50, answers[1]!.logSeq]])
      expect(lines[0]!.msg).toMatch(/set aside in DATA_DIR\/journal\/unindexable.jsonl/)
      expect(l.counters.unindexable).toBe(1)
      const r = await t.db.query<{ event_id: string }>(`select event_id from events where device_id = 'dev-aside' order by log_seq`)
      expect(r.rows.map((x) => x.event_id)).toEqual(['aside-1', 'aside-3'])
      const aside = readFileSync(join(asideDir, 'unindexable.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { code: string; record: { e: string; n: number } })
      expect(aside).toEqual([expect.objectContaining({ code: expect.stringMatching(/^22/), record: expect.objectContaining({ e: 'aside-bad', n: answers[1]!.logSeq }) })])
      expect((await l.append(access('aside-4', 4, 'dev-aside'))).fresh).toBe(true)
    } finally {
      await l.close()
    }
  })

  it('stops acknowledging after a failed journal write, with the reason', async () => {
    const brokenDir = join(dir, 'broken')
    const { logger, lines: failures } = recording()
    const l = await EventLog.open(t.db, { logger, dir: brokenDir, segmentBytes: 1 })
    try {
      const first = await l.append(access('broken-1', 1, 'dev-broken'))
      // The next segment's file name is taken by a directory: the write fails.
      mkdirSync(join(brokenDir, `events-${String(first.logSeq! + 1).padStart(20, '0')}.jsonl`))
      await expect(l.append(access('broken-2', 2, 'dev-broken'))).rejects.toThrow(/journal could not be written.*restarts/)
      await expect(l.append(access('broken-3', 3, 'dev-broken'))).rejects.toThrow(/journal could not be written/)
      expect(failures).toEqual([expect.objectContaining({ level: 60, err: expect.objectContaining({ code: 'EISDIR' }) })])
      expect(l.stats()).toMatchObject({ journalFailed: true, journalError: 'EISDIR' })
    } finally {
      await l.close()
    }
  })

  // Needs root to mount a tmpfs (skipped otherwise).
  it.skipIf(!tinyDisksWork)('says the disk is full when it is (ENOSPC), in the error, the log hook and the stats', async () => {
    const disk = mountTinyDisk(16 * 1024)
    const { logger, lines: failures } = recording()
    const l = await EventLog.open(t.db, { logger, dir: disk.dir })
    try {
      let refused: Error | undefined
      for (let i = 1; i <= 1000 && refused === undefined; i++) {
        await l.append(access(`full-${i}`, i, 'dev-full')).catch((err: Error) => { refused = err })
      }
      expect(refused?.message).toMatch(/journal could not be written \(ENOSPC: no space left on device/)
      expect(failures.map((f) => f.err?.code)).toEqual(['ENOSPC'])
      expect(l.stats()).toMatchObject({ journalFailed: true, journalError: 'ENOSPC' })
    } finally {
      await l.close()
      disk.remove()
    }
  })

  it('recognises copies of an event it set aside, also after a restart', async () => {
    // This database is the one the journal in `aside` serves (other tests here took the progress row over).
    await t.db.query('update event_index_progress set journal_id = $1', [readFileSync(join(dir, 'aside', 'journal-id'), 'utf8').trim()])
    const l = await EventLog.open(t.db, { logger: silent, dir: join(dir, 'aside') })
    try {
      const bad = access('aside-bad', 2, 'dev-aside')
      ;(bad.payload as { ts: string }).ts = '0000-01-01T00:00:00Z'
      expect(await l.append(bad)).toEqual({ fresh: false, logSeq: null })
      expect(await l.append(access('aside-other', 2, 'dev-aside'))).toEqual({ fresh: false, logSeq: null, conflict: 'seq_reused' })
      expect(l.counters.unindexable).toBe(0)
    } finally {
      await l.close()
    }
  })

  it('counts a set-aside event in its device’s highest seq after a restart', async () => {
    const topDir = join(dir, 'aside-top')
    const bad = access('top-bad', 5, 'dev-aside-top')
    ;(bad.payload as { ts: string }).ts = '0000-01-01T00:00:00Z'
    const first = await EventLog.open(t.db, { logger: silent, dir: topDir })
    expect((await first.append(bad)).fresh).toBe(true)
    await first.caughtUp()
    await first.close()
    const second = await EventLog.open(t.db, { logger: silent, dir: topDir })
    try {
      expect(await second.append(bad)).toEqual({ fresh: false, logSeq: null })
      expect(second.counters.unindexable).toBe(0)
    } finally {
      await second.close()
    }
  })

  it('keeps every status, even two of a device in the same millisecond', async () => {
    const status = (): AcceptedMessage => ({ buildingId: 'b-1', deviceId: 'dev-status', channel: 'status', receivedAt: 1_760_000_000_000, payload: sampleUplinks().status })
    const l = await EventLog.open(t.db, { logger: silent, dir: join(dir, 'status') })
    try {
      const [a, b] = await Promise.all([l.append(status()), l.append(status())])
      expect(a!.fresh && b!.fresh).toBe(true)
      await l.caughtUp()
      expect(await count(`device_id = 'dev-status'`)).toBe(2)
    } finally {
      await l.close()
    }
  })

  it('closes within its time even while the database is down and appends wait for it', async () => {
    const flaky = new FailingInserts(t.db)
    const l = await EventLog.open(flaky, { logger: silent, dir: join(dir, 'close-down'), maxUnindexed: 2 })
    flaky.failing = true
    await Promise.all([1, 2].map((i) => l.append(access(`down-${i}`, i, 'dev-down'))))
    const waiting = l.append(access('down-3', 3, 'dev-down'))
    expect(await settle(waiting, 200)).toBe('pending')
    const started = Date.now()
    await l.close(300)
    expect(Date.now() - started).toBeLessThan(3_000)
    await expect(waiting).rejects.toThrow(/closed/)
  })

  it('gives an empty journal taken over by another database a new identity', async () => {
    const takeDir = join(dir, 'take-over')
    const first = await EventLog.open(t.db, { logger: silent, dir: takeDir })
    await first.close()
    const before = readFileSync(join(takeDir, 'journal-id'), 'utf8')
    for (const f of readdirSync(takeDir).filter((x) => x.endsWith('.jsonl'))) rmSync(join(takeDir, f))
    await t.db.query(`update event_index_progress set journal_id = 'another'`)
    const second = await EventLog.open(t.db, { logger: silent, dir: takeDir })
    await second.close()
    const after = readFileSync(join(takeDir, 'journal-id'), 'utf8')
    expect(after).not.toBe(before)
    expect((await t.db.query<{ journal_id: string }>('select journal_id from event_index_progress')).rows[0]!.journal_id).toBe(after.trim())
  })

  it('refuses to replay a journal into a database it does not belong to', async () => {
    const otherDir = join(dir, 'other')
    const flaky = new FailingInserts(t.db)
    const a = await EventLog.open(flaky, { logger: silent, dir: otherDir })
    flaky.failing = true
    await a.append(access('foreign-1', 1, 'dev-foreign'))
    await a.close(0)
    writeFileSync(join(otherDir, 'journal-id'), 'some-other-database\n')
    await expect(EventLog.open(t.db, { logger: silent, dir: otherDir })).rejects.toThrow(/of another database/)
    expect(await count(`device_id = 'dev-foreign'`)).toBe(0)
  })
})
