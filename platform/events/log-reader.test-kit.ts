// The log-reader port's suite, for each database and for any ReaderProgress
// (like aedes-persistence's abstract.js): readers read the log after their
// position in batches, keep their progress, wake when the event log copies
// new events, resume after a restart, re-read a batch whose progress write was
// lost (at least once), commit in one transaction when asked, and rebuild.

import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatabaseKind } from '../../test/support/databases.ts'
import type { Database, Queryable } from '../store/database.ts'
import { EventLog } from './event-log.ts'
import { access, logTestBed, recording, silent } from './event-log.test-kit.ts'
import { LogReader, type LogReaderOptions, type ReaderProgress } from './log-reader.ts'
import type { LogEntry } from './log-source.ts'

/** The real database, failing the statements that match `failing` (a crash before the progress write). */
class FailingStatements implements Database {
  failing: RegExp | undefined
  constructor (private readonly db: Database) {}
  get kind (): Database['kind'] { return this.db.kind }
  query: Database['query'] = (sql, params) => this.check(sql) ?? this.db.query(sql, params)
  exec (sql: string): Promise<void> { return this.db.exec(sql) }
  transaction<T> (fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => fn({
      query: ((sql: string, params?: readonly unknown[]) => this.check(sql) ?? tx.query(sql, params)) as Queryable['query'],
      exec: (sql: string) => tx.exec(sql),
    }))
  }

  close (): Promise<void> { return Promise.resolve() }
  private check (sql: string): Promise<never> | undefined {
    return this.failing?.test(sql) === true ? Promise.reject(new Error('the process died here')) : undefined
  }
}

/**
 * Runs the suite on `kind`. `progressOf` makes the progress store under test (default: the reader's row in
 * log_reader_progress).
 */
export function logReaderSuite (kind: DatabaseKind, progressOf?: (db: Database, reader: string) => ReaderProgress): void {
  describe(`LogReader on ${kind}`, () => {
    const bed = logTestBed(kind)
    let log: EventLog
    let seq = 0

    beforeAll(async () => {
      log = await EventLog.open(bed.t.db, { logger: silent, dir: join(bed.dir, 'journal') })
    })
    afterAll(async () => { await log?.close() })

    /** Appends `n` events and waits until the database has them; returns their log positions. */
    const appendEvents = async (n: number, device = 'dev-r'): Promise<number[]> => {
      const r = await Promise.all(Array.from({ length: n }, () => { seq++; return log.append(access(`r-${seq}`, seq, device)) }))
      await log.caughtUp()
      return r.map((x) => x.logSeq!)
    }

    const reader = (name: string, o: Partial<LogReaderOptions> & { seen?: LogEntry[][]; db?: Database } = {}): LogReader => {
      const db = o.db ?? bed.t.db
      return new LogReader({
        name, db, logger: silent, pollMs: 60_000, retryMs: 20,
        handle: async (batch) => { o.seen?.push(batch) },
        ...(progressOf === undefined ? {} : { progress: progressOf(db, name) }),
        ...o,
      })
    }

    it('reads the whole log after its position in batches, in log order, and keeps its progress', async () => {
      const positions = await appendEvents(7)
      const seen: LogEntry[][] = []
      const r = reader('whole', { seen, batchSize: 3 })
      await r.start()
      await r.stop()
      const all = seen.flat().map((e) => e.logSeq)
      expect(all.slice(-7)).toEqual(positions)
      expect(seen.every((b) => b.length <= 3)).toBe(true)
      expect(seen.flat().find((e) => e.logSeq === positions[0])).toMatchObject({ deviceId: 'dev-r', channel: 'event/access', buildingId: 'b-1' })
      expect(r.through).toBe(positions[6])
      const again = reader('whole')
      await again.start()
      await again.stop()
      expect(again.through).toBe(positions[6])
    })

    it('starts a new reader at the end of the log when told to', async () => {
      const positions = await appendEvents(2)
      const seen: LogEntry[][] = []
      const r = reader('from-end', { seen, startAt: 'end' })
      await r.start()
      await r.stop()
      expect(seen).toEqual([])
      expect(r.through).toBe(positions[1])
    })

    it('wakes when the event log copies new events into the database', async () => {
      const seen: LogEntry[][] = []
      const r = reader('awake', { seen, startAt: 'end', wakeOn: (wake) => log.onIndexed(wake) })
      await r.start()
      try {
        const positions = await appendEvents(4)
        await expect.poll(() => seen.flat().map((e) => e.logSeq), { timeout: 5_000 }).toEqual(positions)
      } finally {
        await r.stop()
      }
    })

    it('resumes from its progress after a restart: nothing is handled twice or missed', async () => {
      const seen: LogEntry[][] = []
      const first = reader('restart', { seen, startAt: 'end' })
      await first.start()
      const before = await appendEvents(3)
      await first.catchUp()
      await first.stop()
      const during = await appendEvents(2)
      const second = reader('restart', { seen })
      await second.start()
      await second.stop()
      expect(seen.flat().map((e) => e.logSeq)).toEqual([...before, ...during])
    })

    it('reads a batch again when the process dies between the batch and its progress write (at least once)', async () => {
      const flaky = new FailingStatements(bed.t.db)
      const seen: LogEntry[][] = []
      const { logger, lines } = recording()
      const start = reader('crash', { seen, startAt: 'end', db: flaky, logger })
      await start.start()
      await start.stop()
      const positions = await appendEvents(3)
      flaky.failing = /insert into log_reader_progress/
      const dying = reader('crash', { seen, db: flaky, logger })
      await dying.start()
      await dying.stop()
      expect(seen.flat().map((e) => e.logSeq)).toEqual(positions)
      expect(dying.counters.failures).toBe(1)
      expect(lines[0]).toMatchObject({ level: 50, reader: 'crash', msg: expect.stringMatching(/read again/) })
      flaky.failing = undefined
      const restarted = reader('crash', { seen, db: flaky })
      await restarted.start()
      await restarted.stop()
      expect(seen.flat().map((e) => e.logSeq)).toEqual([...positions, ...positions])
      expect(restarted.through).toBe(positions[2])
    })

    it('commits what the handler writes and its progress together when asked (exactly once there)', async () => {
      const flaky = new FailingStatements(bed.t.db)
      // The handler's own table: here another row of log_reader_progress, counting the events it saw.
      const handle = async (batch: LogEntry[], q: Queryable): Promise<void> => {
        await q.query(`insert into log_reader_progress (reader, log_seq) values ('tx-count', $1)
                       on conflict (reader) do update set log_seq = log_reader_progress.log_seq + $1`, [batch.length])
      }
      const counted = async (): Promise<number> =>
        Number((await bed.t.db.query<{ log_seq: number }>(`select log_seq from log_reader_progress where reader = 'tx-count'`)).rows[0]?.log_seq ?? 0)
      const first = reader('tx', { startAt: 'end', db: flaky, sameTransaction: true, handle })
      await first.start()
      await first.stop()
      await appendEvents(5)
      // Only the progress write fails, after the handler's insert in the same transaction.
      flaky.failing = /values \(\$1, \$2, now\(\)\)/
      const dying = reader('tx', { db: flaky, sameTransaction: true, handle })
      await dying.start()
      await dying.stop()
      expect(await counted()).toBe(0)
      flaky.failing = undefined
      const restarted = reader('tx', { db: flaky, sameTransaction: true, handle })
      await restarted.start()
      await restarted.stop()
      expect(await counted()).toBe(5)
    })

    it('rebuilds from the start of the log after a reset', async () => {
      const positions = await appendEvents(2)
      const seen: LogEntry[][] = []
      const r = reader('rebuild', { seen, startAt: 'end' })
      await r.start()
      expect(seen).toEqual([])
      await r.reset()
      await r.stop()
      const all = seen.flat().map((e) => e.logSeq)
      expect(all.slice(-2)).toEqual(positions)
      expect(all).toEqual([...all].sort((a, b) => a - b))
      expect(all[0]).toBeLessThan(positions[0]!)
    })
  })
}
