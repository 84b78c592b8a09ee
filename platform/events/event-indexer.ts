// Copies journaled events into the `events` table in large batches behind the
// acknowledgements, recording how far it got (event_index_progress) in the same
// transaction, and deletes journal segments the database wholly holds. Whoever
// waits on the copy (close, history queries, backpressure, admission of older
// seqs) waits for `nextCommit`.

import type { Logger } from 'pino'
import { isDataError, type Database } from '../store/database.ts'
import type { EventJournal } from './journal.ts'
import type { Journaled, LogFigures, LogLifecycle } from './log-row.ts'
import type { SetAside } from './set-aside.ts'

export interface EventIndexerDeps {
  db: Database
  journal: EventJournal
  setAside: SetAside
  logger: Logger
  counters: LogFigures
  lifecycle: LogLifecycle
  /** Most events in one insert. */
  indexBatch: number
}

export class EventIndexer {
  /** Journaled events not in the database yet, in log order. */
  private readonly unindexed: Journaled[] = []
  private indexing = false
  /** Woken whenever the indexer commits (or gives up a try). */
  private waiters = new Set<() => void>()
  /** Told of each commit (log readers: new events are in the table). */
  private readonly listeners = new Set<(through: number) => void>()

  constructor (private readonly deps: EventIndexerDeps, private through: number) {}

  /** The log position the database holds everything up to. */
  get indexedThrough (): number { return this.through }

  /** How many journaled events wait for their copy. */
  get behind (): number { return this.unindexed.length }

  /** When the oldest of them was journaled (wall clock), undefined when none waits. */
  get oldestAt (): number | undefined { return this.unindexed[0]?.at }

  /** Calls `listener` after each commit with the position the database now holds; returns the unsubscribe. */
  onCommit (listener: (through: number) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  /** Queues journaled events for the copy; `start` begins it. */
  queue (rows: readonly Journaled[]): void {
    for (const j of rows) this.unindexed.push(j)
  }

  /** Begins copying what is queued, unless a copy runs already. */
  start (): void {
    if (!this.indexing) void this.loop()
  }

  private async loop (): Promise<void> {
    this.indexing = true
    let retryMs = 200
    try {
      while (this.unindexed.length > 0 && !this.deps.lifecycle.stopped) {
        const batch = this.unindexed.slice(0, this.deps.indexBatch)
        const through = batch[batch.length - 1]!.n
        try {
          await this.copy(batch, through)
        } catch (err) {
          this.deps.counters.indexErrors++
          this.logError(err, retryMs)
          this.wake()
          await new Promise((resolve) => setTimeout(resolve, retryMs))
          retryMs = Math.min(retryMs * 2, 30_000)
          continue
        }
        retryMs = 200
        this.unindexed.splice(0, batch.length)
        this.through = through
        this.deps.counters.indexBatches++
        this.deps.counters.indexed += batch.length
        this.releaseSegments()
        this.wake()
        this.tell(through)
      }
    } finally {
      this.indexing = false
      this.wake()
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
      await this.deps.setAside.add(rows[0]!, err)
      await this.deps.db.query('update event_index_progress set through = greatest(through, $1)', [through])
    }
  }

  private async insert (batch: Journaled[], through: number): Promise<void> {
    const db = this.deps.db
    let json = '['
    for (let i = 0; i < batch.length; i++) json += (i === 0 ? '' : ',') + batch[i]!.line
    json += ']'
    // One statement, one round trip. On the embedded database the commit does not wait for the database's
    // own log to reach the disk (synchronous_commit off, for this statement only): the database and the
    // platform fail together, and the next start replays from the journal what a crash took along with the
    // progress row. A server can crash and come back while the platform runs on, so there each commit is
    // durable before the journal counts it as copied.
    await db.query(
      `with durability as (select set_config('synchronous_commit', '${db.kind === 'pglite' ? 'off' : 'on'}', true)),
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
  releaseSegments (): void {
    const { db, journal } = this.deps
    const upTo = this.through
    if (journal.releasable(upTo) === 0) return
    // A synchronous commit makes every earlier commit durable too; segments beyond `upTo` may not be yet.
    void db.query('update event_index_progress set through = greatest(through, $1)', [upTo])
      .then(() => journal.release(journal.releasable(upTo)))
      .catch((err: unknown) => this.logError(err, 0))
  }

  private tell (through: number): void {
    for (const listener of this.listeners) {
      try {
        listener(through)
      } catch (err) {
        // A listener's fault must not stop the copy.
        this.deps.logger.error({ err }, 'event log: a listener of the copy into the database failed')
      }
    }
  }

  private logError (err: unknown, retryInMs: number): void {
    this.deps.logger.error({ err, retryInMs }, 'event log: the database refused the events; the journal keeps them, retrying')
  }

  /** Resolves at the indexer's next commit (or failed try, or `wake`), or after `timeoutMs`. */
  nextCommit (timeoutMs?: number): Promise<void> {
    return new Promise((resolve) => {
      if (timeoutMs === undefined) {
        this.waiters.add(resolve)
        return
      }
      const wake = (): void => {
        clearTimeout(timer)
        this.waiters.delete(wake)
        resolve()
      }
      const timer = setTimeout(wake, Math.max(0, timeoutMs))
      this.waiters.add(wake)
    })
  }

  /** Wakes everyone waiting in `nextCommit` (the log closes, or the indexer committed). */
  wake (): void {
    const waiters = this.waiters
    this.waiters = new Set()
    for (const w of waiters) w()
  }
}
