// Shared by the event log's tests: messages, a database whose inserts can be
// made to fail (an outage of the indexer's writes), a logger that keeps its
// lines, and a test bed (a fresh database and journal directory per suite).

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterAll, beforeAll } from 'vitest'
import { sampleUplinks } from '../../protocol/index.ts'
import { openTestDatabase, type DatabaseKind, type TestDatabase } from '../../test/support/databases.ts'
import type { AcceptedMessage } from '../broker/ports.ts'
import type { Database, Queryable } from '../store/database.ts'

export const access = (eventId: string, seq: number, deviceId = 'dev-1'): AcceptedMessage => ({
  buildingId: 'b-1', deviceId, channel: 'event/access', receivedAt: Date.now(),
  payload: { ...sampleUplinks()['event/access'], eventId, seq },
})

/** The real database, refusing inserts into the event table while `failing` is set (an outage of the indexer's writes). */
export class FailingInserts implements Database {
  failing = false
  constructor (private readonly db: Database) {}
  get kind (): Database['kind'] { return this.db.kind }
  query: Database['query'] = (sql, params) =>
    this.failing && /insert into events/.test(sql) ? Promise.reject(new Error('database unavailable')) : this.db.query(sql, params)

  exec (sql: string): Promise<void> { return this.db.exec(sql) }
  transaction<T> (fn: (tx: Queryable) => Promise<T>): Promise<T> { return this.db.transaction(fn) }
  close (): Promise<void> { return Promise.resolve() }
}

export const silent = pino({ level: 'silent' })

export interface LogLine { level: number; msg: string; err?: { message: string; code?: string }; [key: string]: unknown }

/** A logger that keeps its lines (parsed), for tests that check what the log said. */
export function recording (): { logger: pino.Logger; lines: LogLine[] } {
  const lines: LogLine[] = []
  return { logger: pino({ level: 'debug' }, { write: (l: string) => { lines.push(JSON.parse(l) as LogLine) } }), lines }
}

export const settle = <T>(p: Promise<T>, ms: number): Promise<T | 'pending'> =>
  Promise.race([p, new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), ms))])

export interface LogTestBed {
  t: TestDatabase
  /** A fresh directory for this suite's journals. */
  dir: string
  /** How many events match the SQL condition. */
  count (where: string): Promise<number>
}

/** Opens a fresh database of `kind` and a journal directory before the suite's tests, and removes both after. */
export function logTestBed (kind: DatabaseKind): LogTestBed {
  const bed = {
    t: undefined as unknown as TestDatabase,
    dir: '',
    count: async (where: string): Promise<number> =>
      (await bed.t.db.query<{ n: number }>(`select count(*)::int as n from events where ${where}`)).rows[0]!.n,
  }
  beforeAll(async () => {
    bed.t = await openTestDatabase(kind)
    bed.dir = mkdtempSync(join(tmpdir(), 'rh-event-log-'))
  })
  afterAll(async () => {
    await bed.t?.dispose()
    rmSync(bed.dir, { recursive: true, force: true })
  })
  return bed
}
