// The durable event log. `append` resolves once the event is durable (or found
// to be a copy of one that is), and the broker awaits it before it acknowledges
// the device. Three parts:
//
// - Admission decides, before anything is written, whether an event is new, a
//   copy, or a reuse of a seq (protocol/README.md, section 10.2). A seq above
//   the device's highest (kept in memory) is new without asking anyone. An
//   older seq (a redelivery, a replay after an outage) is looked up in the
//   database once every event admitted before it is there, one lookup per
//   device and seq (or eventId) at a time, so no copy slips past its original.
// - The journal (journal.ts) takes new events in group commits: whatever
//   arrived while the previous write was syncing goes in the next one. Each
//   event gets its log position here, in arrival order.
// - The indexer copies journaled events into the `events` table in large
//   batches behind the acknowledgements, recording how far it got in the same
//   transaction; a restart replays the rest of the journal first. When it falls
//   more than `maxUnindexed` events behind, appends wait: the sustained rate is
//   the rate the database keeps up with.

import { randomUUID } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { join } from 'node:path'
import type { Logger } from 'pino'
import { isEventChannel } from '../../protocol/index.ts'
import type { AcceptedMessage } from '../broker/ports.ts'
import { isDataError, sqlState, type Database } from '../store/database.ts'
import { appendFully, syncDirectory, writeDurably } from '../store/durable-file.ts'
import { EventJournal } from './journal.ts'

export interface AppendResult {
  /** False when this event (same device and eventId, or same device and seq) was already logged. */
  fresh: boolean
  /** Position in the log (fresh events only). */
  logSeq: number | null
  /**
   * Not fresh because another event (a different eventId) already has this seq: the device's counter went
   * back. Not a redelivery: the device must hear about it.
   */
  conflict?: 'seq_reused'
}

const COPY: AppendResult = Object.freeze({ fresh: false, logSeq: null })
const SEQ_REUSED: AppendResult = Object.freeze({ fresh: false, logSeq: null, conflict: 'seq_reused' })

/** One row as the journal line and the insert's JSON have it (short keys). */
interface LogRow {
  /** device id */ d: string
  /** event id */ e: string
  /** seq */ s: number | null
  /** building id */ b: string
  /** channel */ c: string
  /** door */ o: string | null
  /** credential id */ r: string | null
  /** device time */ a: string
  /** broker time */ t: string
  /** payload */ p: unknown
}

interface Pending {
  row: LogRow
  resolve: (r: AppendResult) => void
  reject: (err: unknown) => void
}

interface Journaled {
  n: number
  line: string
  /** When it was made durable in the journal (wall clock), for the copy's lag. */
  at: number
}

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
  private readonly pending: Pending[] = []
  private journaling = false
  private readonly unindexed: Journaled[] = []
  private indexing = false
  private indexedThrough: number
  private lastN: number
  /** Events set aside (device+seq -> eventId): the database does not have them, yet copies are copies. */
  private readonly setAsideKeys = new Map<string, string>()
  private readonly setAsideMaxSeq = new Map<string, number>()
  /** Lookups of older seqs under way, by device+seq and device+eventId. */
  private readonly checking = new Map<string, Promise<unknown>>()
  /** Events handed to the journal, and those whose journal write has ended (either way). */
  private enqueued = 0
  private written = 0
  private readonly maxSeq = new Map<string, number>()
  private readonly maxSeqLoading = new Map<string, Promise<number>>()
  /** Woken whenever the indexer commits (or gives up a try). */
  private indexWaiters = new Set<() => void>()
  private closed = false
  /** Set when a journal write failed: every append is refused from then on. */
  private broken: Error | undefined
  private brokenCode: string | null = null
  private stopped = false
  private readonly maxBatch: number
  private readonly indexBatch: number
  private readonly maxUnindexed: number
  private readonly olderSeqWaitMs: number
  /** Figures for the benchmark and /broker/stats. */
  readonly counters = { batches: 0, rows: 0, duplicates: 0, seqReused: 0, indexBatches: 0, indexed: 0, indexErrors: 0, unindexable: 0, lookups: 0 }

  private constructor (
    private readonly db: Database,
    private readonly journal: EventJournal,
    private readonly options: EventLogOptions,
    through: number,
    lastN: number,
  ) {
    this.maxBatch = options.maxBatch ?? 2000
    this.indexBatch = options.indexBatch ?? (db.kind === 'pglite' ? 1000 : 5000)
    this.maxUnindexed = options.maxUnindexed ?? 100_000
    this.olderSeqWaitMs = options.olderSeqWaitMs ?? 10_000
    this.indexedThrough = through
    this.lastN = lastN
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
    for (const line of readSetAside(options.dir)) log.rememberSetAside(line)
    const openedAt = Date.now()
    for (const r of behind) log.unindexed.push({ n: r.n, line: r.line, at: openedAt })
    if (behind.length > 0) void log.indexLoop()
    await log.caughtUp()
    log.releaseSegments()
    const logger = options.logger
    if (missing !== undefined) logger.error({ missing }, 'event log: the database is older than the journal (restored from a backup?): these log positions are in neither and are lost')
    if (behind.length > 0) logger.info({ replayed: behind.length }, 'event log: events acknowledged before a crash copied from the journal into the database')
    if (truncatedBytes > 0) logger.warn({ truncatedBytes }, 'event log: cut an incomplete write (never acknowledged) off the journal')
    return log
  }

  /** Logs an accepted message. Events are keyed by device with eventId and seq; statuses are kept one per receipt. */
  append (m: AcceptedMessage): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new Error('event log is closed'))
    if (this.broken !== undefined) return Promise.reject(this.broken)
    const row = toRow(m)
    return row.s === null ? this.enqueue(row) : this.admit(row, row.s)
  }

  /**
   * Resolves once every event appended before the call is in the database (history queries wait for this),
   * or after `timeoutMs` (false then).
   */
  async caughtUp (timeoutMs = Infinity): Promise<boolean> {
    const target = this.lastN
    const deadline = Date.now() + timeoutMs
    while (this.indexedThrough < target && this.hasIndexWork()) {
      if (this.stopped) return false
      const left = deadline - Date.now()
      if (left <= 0) return false
      await this.nextIndexCommit(Number.isFinite(left) ? left : undefined)
    }
    return true
  }

  /** The figures of GET /broker/stats. */
  stats (): EventLogCounters {
    const c = this.counters
    const oldest = this.unindexed[0]
    return {
      journaled: c.rows, inDatabase: c.indexed, behind: this.unindexed.length,
      oldestBehindMs: oldest === undefined ? 0 : Math.max(0, Date.now() - oldest.at),
      backlogFull: this.unindexed.length >= this.maxUnindexed, duplicates: c.duplicates, seqReused: c.seqReused,
      setAside: c.unindexable, databaseErrors: c.indexErrors, journalFailed: this.broken !== undefined, journalError: this.brokenCode,
    }
  }

  /**
   * Refuses new appends, waits for what is queued to be journaled, and gives the indexer up to
   * `indexTimeoutMs` to copy it into the database (what it has not copied is replayed at the next start).
   */
  async close (indexTimeoutMs = 10_000): Promise<void> {
    this.closed = true
    this.wakeIndexWaiters()
    while (this.journaling || this.pending.length > 0) {
      if (!this.journaling) await this.flushJournal()
      else await this.nextIndexCommit(5)
    }
    await this.caughtUp(indexTimeoutMs)
    this.stopped = true
    this.wakeIndexWaiters()
    await this.journal.close()
  }

  // --- admission -------------------------------------------------------------------------------------------

  private admit (row: LogRow, seq: number): Promise<AppendResult> {
    const max = this.maxSeq.get(row.d)
    if (max === undefined) return this.loadMaxSeq(row.d).then(() => this.admit(row, seq))
    if (seq > max) {
      this.maxSeq.set(row.d, seq)
      return this.enqueue(row)
    }
    // An older seq: a copy, a replay after an outage, or a counter that went back.
    const seqKey = `${row.d}\u0000${seq}`
    const eventKey = `${row.d}\u0000e\u0000${row.e}`
    const prior = this.checking.get(seqKey) ?? this.checking.get(eventKey)
    if (prior !== undefined) return prior.then(() => this.admit(row, seq), () => this.admit(row, seq))
    const decided = this.decideOlder(row, seq)
    const done = decided.then(() => undefined, () => undefined)
    this.checking.set(seqKey, done)
    this.checking.set(eventKey, done)
    void done.then(() => {
      if (this.checking.get(seqKey) === done) this.checking.delete(seqKey)
      if (this.checking.get(eventKey) === done) this.checking.delete(eventKey)
    })
    return decided
  }

  /** Decides an older seq against the database, once everything admitted before it is there. */
  private async decideOlder (row: LogRow, seq: number): Promise<AppendResult> {
    const mark = this.enqueued
    const deadline = Date.now() + this.olderSeqWaitMs
    while (this.written < mark && Date.now() < deadline && !this.closed) await this.nextIndexCommit(20)
    if (this.written < mark || !(await this.caughtUp(deadline - Date.now()))) {
      // The database is down or far behind: no answer now. Unacknowledged, the device sends it again.
      throw new Error('the database is behind the event log; an event with an older seq cannot be checked now')
    }
    if (this.closed) throw new Error('event log is closed')
    let found = await this.lookup(row, seq)
    const aside = found === 'new' ? this.setAsideKeys.get(`${row.d}\u0000${seq}`) : undefined
    if (aside !== undefined) found = aside === row.e ? 'copy' : 'seq_reused'
    if (found === 'new') return await this.enqueue(row)
    return this.count(found === 'copy' ? COPY : SEQ_REUSED)
  }

  private async lookup (row: LogRow, seq: number): Promise<'new' | 'copy' | 'seq_reused'> {
    this.counters.lookups++
    const r = await this.db.query<{ event_id: string }>(
      'select event_id from events where device_id = $1 and (seq = $2 or event_id = $3) limit 2', [row.d, seq, row.e])
    if (r.rows.length === 0) return 'new'
    return r.rows.some((x) => x.event_id === row.e) ? 'copy' : 'seq_reused'
  }

  private loadMaxSeq (deviceId: string): Promise<number> {
    let loading = this.maxSeqLoading.get(deviceId)
    if (loading === undefined) {
      loading = this.db.query<{ s: string | number | null }>('select max(seq) as s from events where device_id = $1', [deviceId])
        .then((r) => {
          const s = Math.max(Number(r.rows[0]?.s ?? -1), this.setAsideMaxSeq.get(deviceId) ?? -1)
          // Events admitted while the query ran (none can be: admission waits for this) would be above it anyway.
          this.maxSeq.set(deviceId, Math.max(s, this.maxSeq.get(deviceId) ?? -1))
          return s
        })
        .finally(() => this.maxSeqLoading.delete(deviceId))
      this.maxSeqLoading.set(deviceId, loading)
    }
    return loading
  }

  private count (r: AppendResult): AppendResult {
    if (r.conflict === 'seq_reused') this.counters.seqReused++
    else if (!r.fresh) this.counters.duplicates++
    return r
  }

  // --- journal (group commit) ------------------------------------------------------------------------------

  private enqueue (row: LogRow): Promise<AppendResult> {
    // An older seq decided after a journal failure or after close() began must not be written.
    if (this.broken !== undefined) return Promise.reject(this.broken)
    if (this.stopped) return Promise.reject(new Error('event log is closed'))
    this.enqueued++
    const result = new Promise<AppendResult>((resolve, reject) => {
      this.pending.push({ row, resolve, reject })
    })
    if (!this.journaling) void this.flushJournal()
    return result
  }

  private async flushJournal (): Promise<void> {
    this.journaling = true
    try {
      while (this.pending.length > 0) {
        // Backpressure: the journal runs at most maxUnindexed events ahead of the database.
        while (this.unindexed.length >= this.maxUnindexed && !this.closed) await this.nextIndexCommit(100)
        if (this.broken !== undefined || (this.closed && this.unindexed.length >= this.maxUnindexed)) {
          // Closing while the database is far behind, or after a failed write: these get no PUBACK and are
          // sent again by their devices.
          const refused = this.pending.splice(0)
          this.written += refused.length
          const err = this.broken ?? new Error('event log is closed')
          for (const p of refused) p.reject(err)
          break
        }
        const batch = this.pending.splice(0, this.maxBatch)
        const firstN = this.lastN + 1
        let text = ''
        const journaled: Journaled[] = []
        const at = Date.now()
        for (const p of batch) {
          const n = ++this.lastN
          // Statuses have no event id: one per receipt, made unique by its log position.
          if (p.row.s === null) p.row.e = `${p.row.e}#${n}`
          const line = `{"n":${n},${JSON.stringify(p.row).slice(1)}`
          text += line + '\n'
          journaled.push({ n, line, at })
        }
        try {
          await this.journal.append(text, firstN, this.lastN)
        } catch (err) {
          // After a failed write or sync nobody knows what reached the disk (a failed fsync may not fail
          // again): stop acknowledging until a restart reads the journal back, as PostgreSQL does.
          const reason = err instanceof Error ? err.message : String(err)
          const code = (err as NodeJS.ErrnoException | null)?.code
          this.brokenCode = typeof code === 'string' ? code : 'unknown'
          this.broken = Object.assign(
            new Error(`the event journal could not be written (${reason}); no event is acknowledged until the platform restarts`),
            { code: this.brokenCode })
          this.options.logger.fatal({ err }, 'event log: the journal could not be written; devices get no PUBACK (they keep their events) until the platform is restarted')
          const refused = [...batch, ...this.pending.splice(0)]
          this.written += refused.length
          for (const p of refused) p.reject(this.broken)
          continue
        }
        this.written += batch.length
        this.counters.batches++
        this.counters.rows += batch.length
        for (const j of journaled) this.unindexed.push(j)
        for (let i = 0; i < batch.length; i++) batch[i]!.resolve({ fresh: true, logSeq: journaled[i]!.n })
        if (!this.indexing) void this.indexLoop()
      }
    } finally {
      this.journaling = false
    }
  }

  // --- indexer ----------------------------------------------------------------------------------------------

  private hasIndexWork (): boolean {
    return this.unindexed.length > 0 || this.pending.length > 0 || this.journaling
  }

  private async indexLoop (): Promise<void> {
    this.indexing = true
    let retryMs = 200
    try {
      while (this.unindexed.length > 0 && !this.stopped) {
        const batch = this.unindexed.slice(0, this.indexBatch)
        const through = batch[batch.length - 1]!.n
        try {
          await this.copy(batch, through)
        } catch (err) {
          this.counters.indexErrors++
          this.logIndexError(err, retryMs)
          this.wakeIndexWaiters()
          await new Promise((resolve) => setTimeout(resolve, retryMs))
          retryMs = Math.min(retryMs * 2, 30_000)
          continue
        }
        retryMs = 200
        this.unindexed.splice(0, batch.length)
        this.indexedThrough = through
        this.counters.indexBatches++
        this.counters.indexed += batch.length
        this.releaseSegments()
        this.wakeIndexWaiters()
      }
    } finally {
      this.indexing = false
      this.wakeIndexWaiters()
    }
  }

  /**
   * Inserts a batch. When the database refuses a value in it (an event that passed validation but that the
   * database cannot store), halves the batch until each refused event stands alone, sets those aside in
   * DATA_DIR/journal/unindexable.jsonl and goes on: one such event must not hold up every event behind it.
   */
  private async copy (rows: Journaled[], through: number): Promise<void> {
    try {
      await this.insert(rows, through)
    } catch (err) {
      if (!isDataError(err)) throw err
      if (rows.length > 1) {
        const mid = rows.length >> 1
        await this.copy(rows.slice(0, mid), rows[mid - 1]!.n)
        await this.copy(rows.slice(mid), through)
        return
      }
      await this.setAside(rows[0]!, err)
      await this.db.query('update event_index_progress set through = greatest(through, $1)', [through])
    }
  }

  private async setAside (row: Journaled, err: unknown): Promise<void> {
    const path = join(this.options.dir, 'unindexable.jsonl')
    const created = !existsSync(path)
    const file = await open(path, 'a', 0o600)
    try {
      const reason = err instanceof Error ? err.message : String(err)
      await appendFully(file, Buffer.from(`{"reason":${JSON.stringify(reason)},"code":${JSON.stringify(sqlState(err) ?? null)},"record":${row.line}}\n`))
      await file.datasync()
      // The progress row moves past this event next: the file's name must be durable too.
      if (created) syncDirectory(this.options.dir)
    } finally {
      await file.close()
    }
    this.rememberSetAside(row.line)
    this.counters.unindexable++
    this.options.logger.error({ err, logSeq: row.n }, 'event log: the database refused an event\'s values; it is set aside in DATA_DIR/journal/unindexable.jsonl')
  }

  private rememberSetAside (line: string): void {
    const r = JSON.parse(line) as { d: string; e: string; s: number | null }
    if (r.s === null) return
    this.setAsideKeys.set(`${r.d}\u0000${r.s}`, r.e)
    // Its seq was used, though the table does not show it: a device's highest seq counts it.
    this.setAsideMaxSeq.set(r.d, Math.max(r.s, this.setAsideMaxSeq.get(r.d) ?? -1))
  }

  private async insert (batch: Journaled[], through: number): Promise<void> {
    let json = '['
    for (let i = 0; i < batch.length; i++) json += (i === 0 ? '' : ',') + batch[i]!.line
    json += ']'
    // One statement, one round trip. On the embedded database the commit does not wait for the database's
    // own log to reach the disk (synchronous_commit off, for this statement only): the database and the
    // platform fail together, and the next start replays from the journal what a crash took along with the
    // progress row. A server can crash and come back while the platform runs on, so there each commit is
    // durable before the journal counts it as copied.
    await this.db.query(
      `with durability as (select set_config('synchronous_commit', '${this.db.kind === 'pglite' ? 'off' : 'on'}', true)),
            logged as (
              insert into events (log_seq, device_id, event_id, seq, building_id, channel, door, credential_id, at, received_at, payload)
              select x.n, x.d, x.e, x.s, x.b, x.c, x.o, x.r, x.a, x.t, x.p
                from json_to_recordset($1::json) as x (n bigint, d text, e text, s bigint, b text, c text, o text, r text,
                                                      a timestamptz, t timestamptz, p json)
               order by x.n
              -- A copy already in the table (a replay of the journal) is skipped; any other conflict (a log
              -- position taken, a seq taken by another event) fails the batch and is set aside loudly.
              on conflict (device_id, event_id) do nothing)
       update event_index_progress set through = $2 where exists (select 1 from durability)`,
      [json, through])
  }

  /** Deletes journal segments wholly in the database, after one synchronous commit makes sure they are. */
  private releaseSegments (): void {
    const upTo = this.indexedThrough
    if (this.journal.releasable(upTo) === 0) return
    // A synchronous commit makes every earlier commit durable too; segments beyond `upTo` may not be yet.
    void this.db.query('update event_index_progress set through = greatest(through, $1)', [upTo])
      .then(() => this.journal.release(this.journal.releasable(upTo)))
      .catch((err: unknown) => this.logIndexError(err, 0))
  }

  private logIndexError (err: unknown, retryInMs: number): void {
    this.options.logger.error({ err, retryInMs }, 'event log: the database refused the events; the journal keeps them, retrying')
  }

  private nextIndexCommit (timeoutMs?: number): Promise<void> {
    return new Promise((resolve) => {
      if (timeoutMs === undefined) {
        this.indexWaiters.add(resolve)
        return
      }
      const wake = (): void => {
        clearTimeout(timer)
        this.indexWaiters.delete(wake)
        resolve()
      }
      const timer = setTimeout(wake, Math.max(0, timeoutMs))
      this.indexWaiters.add(wake)
    })
  }

  private wakeIndexWaiters (): void {
    const waiters = this.indexWaiters
    this.indexWaiters = new Set()
    for (const w of waiters) w()
  }
}

/** The records of DATA_DIR/journal/unindexable.jsonl (as journal lines). */
function readSetAside (dir: string): string[] {
  const file = join(dir, 'unindexable.jsonl')
  if (!existsSync(file)) return []
  const out: string[] = []
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line === '') continue
    try {
      out.push(JSON.stringify((JSON.parse(line) as { record: unknown }).record))
    } catch {
      // a torn last line: that event was not acknowledged as set aside
    }
  }
  return out
}

function toRow (m: AcceptedMessage): LogRow {
  const t = new Date(m.receivedAt).toISOString()
  if (isEventChannel(m.channel)) {
    const p = m.payload as { eventId: string; seq: number; ts: string; door?: string; credential?: { credentialId?: string } }
    return { d: m.deviceId, e: p.eventId, s: p.seq, b: m.buildingId, c: m.channel, o: p.door ?? null, r: p.credential?.credentialId ?? null, a: p.ts, t, p: m.payload }
  }
  // Status, heartbeat, reply: no device event id; one row per receipt.
  const ts = (m.payload as { ts?: string }).ts
  return { d: m.deviceId, e: `${m.channel}@${t}`, s: null, b: m.buildingId, c: m.channel, o: null, r: null, a: ts ?? t, t, p: m.payload }
}
