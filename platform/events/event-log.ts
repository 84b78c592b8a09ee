// The durable event log. `append` resolves once the event is durable (or found
// to be a copy of one that is), and the broker awaits it before it acknowledges
// the device. Its parts, in the order an event meets them:
//
// - event-admission.ts decides, before anything is written, whether an event
//   is new, a copy, or a reuse of a seq.
// - journal-group-commit.ts writes new events to the journal (journal.ts) in
//   group commits and gives each its log position, in arrival order.
// - event-indexer.ts copies journaled events into the `events` table in large
//   batches behind the acknowledgements, recording how far it got in the same
//   transaction; a restart replays the rest of the journal first. When it falls
//   more than `maxUnindexed` events behind, appends wait: the sustained rate is
//   the rate the database keeps up with.
// - set-aside.ts keeps the events whose values the database refuses.

import { randomUUID } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Logger } from 'pino'
import type { AcceptedMessage } from '../broker/ports.ts'
import type { Database } from '../store/database.ts'
import { writeDurably } from '../store/durable-file.ts'
import { EventAdmission } from './event-admission.ts'
import { EventIndexer } from './event-indexer.ts'
import { JournalGroupCommit } from './journal-group-commit.ts'
import { EventJournal } from './journal.ts'
import { newFigures, toRow, type AppendResult, type LogLifecycle } from './log-row.ts'
import { SetAside } from './set-aside.ts'

export type { AppendResult } from './log-row.ts'

/** The event log's figures, for GET /broker/stats. */
export interface EventLogCounters {
  /** Events made durable in the journal (and acknowledged). */
  journaled: number
  /** Events copied into the database since the start, a replayed journal included. */
  inDatabase: number
  /** Journaled events not in the database yet. */
  behind: number
  /** How long the oldest of them has waited for its copy (ms); 0 when none waits. */
  oldestBehindMs: number
  /** So many wait that appends are held until the database catches up: no event is acknowledged meanwhile. */
  backlogFull: boolean
  /** Copies dropped (redeliveries, replays). */
  duplicates: number
  /** Events refused because their seq was used before. */
  seqReused: number
  /** Events whose values the database refused, set aside in DATA_DIR/journal/unindexable.jsonl. */
  setAside: number
  /** Failed attempts to copy into the database (retried). */
  databaseErrors: number
  /** A journal write failed: no event is acknowledged until a restart. */
  journalFailed: boolean
  /** The system's error code of that failure (ENOSPC: the disk is full; EIO: it failed), null while none. */
  journalError: string | null
}

export interface EventLogOptions {
  /** Directory of the journal (DATA_DIR/journal). */
  dir: string
  /** Most events in one journal write (default 2,000). */
  maxBatch?: number
  /**
   * Most events in one insert into the database. Default: 1,000 on the embedded database (about 50 ms of its
   * one thread, so an alert commit never waits long behind it), 5,000 on a server (which runs the pipeline's
   * commits beside it).
   */
  indexBatch?: number
  /** Appends wait while this many journaled events are not in the database yet (default 100,000). */
  maxUnindexed?: number
  /**
   * How long an event with an older seq waits for the database to hold everything before it (default 10 s);
   * then it is refused (no PUBACK) and its device sends it again later.
   */
  olderSeqWaitMs?: number
  /** Journal segment size (default 64 MiB). */
  segmentBytes?: number
  /** Where it tells what opening found, a failed journal write, a refused event or insert (a child, `part: 'event-log'`). */
  logger: Logger
}

export class EventLog {
  /** Figures for the benchmark and /broker/stats. */
  readonly counters = newFigures()
  private readonly lifecycle: LogLifecycle = { closed: false, stopped: false }
  private readonly indexer: EventIndexer
  private readonly groupCommit: JournalGroupCommit
  private readonly admission: EventAdmission

  private constructor (db: Database, private readonly journal: EventJournal, options: EventLogOptions, through: number, lastN: number) {
    const { counters, lifecycle } = this
    const setAside = new SetAside({ dir: options.dir, logger: options.logger, counters })
    this.indexer = new EventIndexer({
      db, journal, setAside, logger: options.logger, counters, lifecycle,
      indexBatch: options.indexBatch ?? (db.kind === 'pglite' ? 1000 : 5000),
    }, through)
    this.groupCommit = new JournalGroupCommit({
      journal, indexer: this.indexer, logger: options.logger, counters, lifecycle,
      maxBatch: options.maxBatch ?? 2000, maxUnindexed: options.maxUnindexed ?? 100_000,
    }, lastN)
    this.admission = new EventAdmission({
      db, groupCommit: this.groupCommit, indexer: this.indexer, setAside, counters, lifecycle,
      caughtUp: (timeoutMs) => this.caughtUp(timeoutMs), olderSeqWaitMs: options.olderSeqWaitMs ?? 10_000,
    })
  }

  /**
   * Opens the journal in `options.dir`, copies into the database whatever it holds that the database does
   * not (after a crash), and resolves once the two agree.
   */
  static async open (db: Database, options: EventLogOptions): Promise<EventLog> {
    const { journal, records, truncatedBytes } = EventJournal.open(options.dir, options)
    const idFile = join(options.dir, 'journal-id')
    const journalId = existsSync(idFile) ? readFileSync(idFile, 'utf8').trim() : undefined
    const progress = await db.query<{ through: string | number; journal_id: string }>('select through, journal_id from event_index_progress')
    const row = progress.rows[0]
    const through = row === undefined ? 0 : Number(row.through)
    const behind = records.filter((r) => r.n > through)
    if (journalId === undefined || row?.journal_id !== journalId) {
      if (records.length > 0) {
        await journal.close()
        throw new Error(`the event journal in ${options.dir} holds events (positions ${records[0]!.n} to ${records[records.length - 1]!.n}) ` +
          'of another database: point the platform at that database, or move the journal directory away')
      }
      // A new journal, or an empty one taken over by this database, gets a new identity, so that a database
      // it served before cannot later be filled from it.
      const id = randomUUID()
      writeDurably(idFile, id + '\n')
      if (row === undefined) await db.query('insert into event_index_progress (through, journal_id) values (0, $1)', [id])
      else await db.query('update event_index_progress set journal_id = $1', [id])
    }
    // A database restored from a backup older than what the journal has already deleted: the events in
    // between are in neither.
    const missing = journal.releasedThrough > through ? { from: through + 1, to: journal.releasedThrough } : undefined
    const maxLogged = await db.query<{ n: string | number | null }>('select max(log_seq) as n from events')
    const lastN = Math.max(through, journal.lastN, Number(maxLogged.rows[0]?.n ?? 0))
    const log = new EventLog(db, journal, options, through, lastN)
    const openedAt = Date.now()
    log.indexer.queue(behind.map((r) => ({ n: r.n, line: r.line, at: openedAt })))
    if (behind.length > 0) log.indexer.start()
    await log.caughtUp()
    log.indexer.releaseSegments()
    const logger = options.logger
    if (missing !== undefined) logger.error({ missing }, 'event log: the database is older than the journal (restored from a backup?): these log positions are in neither and are lost')
    if (behind.length > 0) logger.info({ replayed: behind.length }, 'event log: events acknowledged before a crash copied from the journal into the database')
    if (truncatedBytes > 0) logger.warn({ truncatedBytes }, 'event log: cut an incomplete write (never acknowledged) off the journal')
    return log
  }

  /** Logs an accepted message. Events are keyed by device with eventId and seq; statuses are kept one per receipt. */
  append (m: AcceptedMessage): Promise<AppendResult> {
    if (this.lifecycle.closed) return Promise.reject(new Error('event log is closed'))
    const broken = this.groupCommit.broken
    if (broken !== undefined) return Promise.reject(broken)
    const row = toRow(m)
    return row.s === null ? this.groupCommit.enqueue(row) : this.admission.admit(row, row.s)
  }

  /**
   * Resolves once every event appended before the call is in the database (history queries wait for this),
   * or after `timeoutMs` (false then).
   */
  async caughtUp (timeoutMs = Infinity): Promise<boolean> {
    const target = this.groupCommit.lastN
    const deadline = Date.now() + timeoutMs
    while (this.indexer.indexedThrough < target && (this.indexer.behind > 0 || this.groupCommit.busy)) {
      if (this.lifecycle.stopped) return false
      const left = deadline - Date.now()
      if (left <= 0) return false
      await this.indexer.nextCommit(Number.isFinite(left) ? left : undefined)
    }
    return true
  }

  /**
   * Calls `listener` whenever events have been copied into the database, with the log position it now holds
   * everything up to (log readers wake on it); returns the unsubscribe. A listener must not throw.
   */
  onIndexed (listener: (through: number) => void): () => void {
    return this.indexer.onCommit(listener)
  }

  /** The figures of GET /broker/stats. */
  stats (): EventLogCounters {
    const c = this.counters
    const oldestAt = this.indexer.oldestAt
    return {
      journaled: c.rows, inDatabase: c.indexed, behind: this.indexer.behind,
      oldestBehindMs: oldestAt === undefined ? 0 : Math.max(0, Date.now() - oldestAt),
      backlogFull: this.groupCommit.backlogFull, duplicates: c.duplicates, seqReused: c.seqReused,
      setAside: c.unindexable, databaseErrors: c.indexErrors,
      journalFailed: this.groupCommit.broken !== undefined, journalError: this.groupCommit.errorCode,
    }
  }

  /**
   * Refuses new appends, waits for what is queued to be journaled, and gives the indexer up to
   * `indexTimeoutMs` to copy it into the database (what it has not copied is replayed at the next start).
   */
  async close (indexTimeoutMs = 10_000): Promise<void> {
    this.lifecycle.closed = true
    this.indexer.wake()
    await this.groupCommit.drain()
    await this.caughtUp(indexTimeoutMs)
    this.lifecycle.stopped = true
    this.indexer.wake()
    await this.journal.close()
  }
}
