// A reader of the event log: the time-series sink and the KPI jobs are such
// readers, instead of listeners on an in-memory stream that loses what a crash
// interrupts. A reader handles the log after its position in batches and then
// records the batch's last position in its row of log_reader_progress
// (migration 021); a restart resumes from the row. It is woken when the event
// log copies new events into the database (EventLog.onIndexed), and polls as
// well, in case a wake-up is missed.
//
// Delivery is at least once: a crash between a batch and its progress write
// hands that batch over again after the restart. A handler that writes to the
// same database can ask for its writes and the progress in one transaction
// (`sameTransaction`), and then each event counts exactly once there.
//
// A reader is rebuilt by `reset`: its row goes back to 0 and it reads the
// whole log again (what the log still holds: retention deletes old events).
//
// The pipeline reads the log through batchesAfter (log-source.ts) but keeps
// its position in pipeline_progress, written in the transaction of its alerts.

import type { Logger } from 'pino'
import type { Database, Queryable } from '../store/database.ts'
import { batchesAfter, SqlLogSource, type LogEntry, type LogSource } from './log-source.ts'

/** Where a reader's position is kept. */
export interface ReaderProgress {
  /** The position the reader has handled everything up to; undefined when it has none yet. */
  load (): Promise<number | undefined>
  /** Records `logSeq` as handled (through `q`, the handler's transaction when it has one). */
  save (logSeq: number, q?: Queryable): Promise<void>
}

/** A reader's row in log_reader_progress. */
export class SqlReaderProgress implements ReaderProgress {
  constructor (private readonly db: Queryable, private readonly reader: string) {}

  async load (): Promise<number | undefined> {
    const r = await this.db.query<{ log_seq: string | number }>('select log_seq from log_reader_progress where reader = $1', [this.reader])
    const row = r.rows[0]
    return row === undefined ? undefined : Number(row.log_seq)
  }

  async save (logSeq: number, q: Queryable = this.db): Promise<void> {
    await q.query(
      `insert into log_reader_progress (reader, log_seq, updated_at) values ($1, $2, now())
       on conflict (reader) do update set log_seq = excluded.log_seq, updated_at = excluded.updated_at`, [this.reader, logSeq])
  }
}

export interface LogReaderOptions {
  /** The reader's name: its row in log_reader_progress. */
  name: string
  db: Database
  /**
   * Handles one batch, in log order. `q` is the transaction that also records the progress when
   * `sameTransaction` is set, the database otherwise. A throw leaves the position where it was: the batch
   * comes again after `retryMs`.
   */
  handle: (batch: LogEntry[], q: Queryable) => Promise<void>
  logger: Pick<Logger, 'error' | 'info'>
  /** The handler's writes through `q` and the progress commit together (default false: at least once). */
  sameTransaction?: boolean
  /** Where a reader without a row begins: the whole log ('start', the default) or what is logged from now ('end'). */
  startAt?: 'start' | 'end'
  /** Most events per batch (default 1,000). */
  batchSize?: number
  /** Reads again this often even when nobody wakes it (default 5 s). */
  pollMs?: number
  /** Waits this long after a failed batch (default 1 s). */
  retryMs?: number
  /** Subscribes to "new events are in the database" (EventLog.onIndexed); returns the unsubscribe. */
  wakeOn?: (wake: () => void) => () => void
  /** Where the events come from (default the events table). */
  source?: LogSource
  /** Where the position is kept (default the reader's row in log_reader_progress). */
  progress?: ReaderProgress
}

export class LogReader {
  /** Batches handled, events handled, failed batches (each retried). */
  readonly counters = { batches: 0, events: 0, failures: 0 }
  private readonly source: LogSource
  private readonly progress: ReaderProgress
  private position: number | undefined
  private running: Promise<void> | undefined
  /** A wake-up came while a pass ran: run another one after it. */
  private again = false
  private timer: NodeJS.Timeout | undefined
  private unsubscribe: (() => void) | undefined
  private stopped = true

  constructor (private readonly o: LogReaderOptions) {
    this.source = o.source ?? new SqlLogSource(o.db)
    this.progress = o.progress ?? new SqlReaderProgress(o.db, o.name)
  }

  /** The position everything is handled up to (undefined before the first start). */
  get through (): number | undefined { return this.position }

  /** Loads the position, catches up with the log, and from then on follows it. */
  async start (): Promise<void> {
    this.stopped = false
    await this.loadPosition()
    this.unsubscribe = this.o.wakeOn?.(() => this.wake())
    await this.catchUp()
  }

  /** Stops following the log; waits for a batch under way (its progress is written). */
  async stop (): Promise<void> {
    this.stopped = true
    this.unsubscribe?.()
    this.unsubscribe = undefined
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    await this.running
  }

  /** New events are in the database: read them (now, or after the pass under way). */
  wake (): void {
    if (this.stopped) return
    if (this.running !== undefined) {
      this.again = true
      return
    }
    void this.catchUp()
  }

  /** Reads until the end of the log; resolves when done (or when the pass failed: it is retried later). */
  catchUp (): Promise<void> {
    this.running ??= this.pass().finally(() => { this.running = undefined })
    return this.running
  }

  /** Sets the position back to `logSeq` (default 0: the whole log is read again) and reads from there. */
  async reset (logSeq = 0): Promise<void> {
    await this.running
    await this.progress.save(logSeq)
    this.position = logSeq
    if (!this.stopped) await this.catchUp()
  }

  private async loadPosition (): Promise<void> {
    const saved = await this.progress.load()
    if (saved !== undefined) {
      this.position = saved
      return
    }
    let start = 0
    if (this.o.startAt === 'end') {
      const r = await this.o.db.query<{ n: string | number | null }>('select max(log_seq) as n from events')
      start = Number(r.rows[0]?.n ?? 0)
    }
    await this.progress.save(start)
    this.position = start
  }

  private async pass (): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    let delay = this.o.pollMs ?? 5_000
    try {
      do {
        this.again = false
        for await (const batch of batchesAfter(this.source, this.position!, this.o.batchSize ?? 1_000)) {
          await this.handle(batch)
          if (this.stopped) return
        }
      } while (this.again && !this.stopped)
    } catch (err) {
      this.counters.failures++
      delay = this.o.retryMs ?? 1_000
      this.o.logger.error({ err, reader: this.o.name, after: this.position }, 'log reader: a batch failed; it is read again')
    } finally {
      if (!this.stopped) {
        this.timer = setTimeout(() => this.wake(), delay)
        this.timer.unref()
      }
    }
  }

  /** One batch, then its progress: the position moves only once the progress is written. */
  private async handle (batch: LogEntry[]): Promise<void> {
    const last = batch[batch.length - 1]!.logSeq
    if (this.o.sameTransaction === true) {
      await this.o.db.transaction(async (tx) => {
        await this.o.handle(batch, tx)
        await this.progress.save(last, tx)
      })
    } else {
      await this.o.handle(batch, this.o.db)
      await this.progress.save(last)
    }
    this.position = last
    this.counters.batches++
    this.counters.events += batch.length
  }
}
