// Takes new events into the journal (journal.ts) in group commits: whatever
// arrived while the previous write was syncing goes in the next one. Each
// event gets its log position here, in arrival order, and its append resolves
// once its write is durable. The journal runs at most `maxUnindexed` events
// ahead of the database: then appends wait for the indexer.

import type { Logger } from 'pino'
import type { EventIndexer } from './event-indexer.ts'
import type { EventJournal } from './journal.ts'
import type { AppendResult, Journaled, LogFigures, LogLifecycle, LogRow } from './log-row.ts'

interface Pending {
  row: LogRow
  resolve: (r: AppendResult) => void
  reject: (err: unknown) => void
}

export interface GroupCommitDeps {
  journal: EventJournal
  indexer: EventIndexer
  logger: Logger
  counters: LogFigures
  lifecycle: LogLifecycle
  /** Most events in one journal write. */
  maxBatch: number
  /** Appends wait while this many journaled events are not in the database yet. */
  maxUnindexed: number
}

export class JournalGroupCommit {
  private readonly pending: Pending[] = []
  private journaling = false
  /** Events handed to the journal, and those whose journal write has ended (either way). */
  private enqueuedCount = 0
  private writtenCount = 0
  /** Set when a journal write failed: every append is refused from then on. */
  private brokenError: Error | undefined
  private brokenCode: string | null = null

  constructor (private readonly deps: GroupCommitDeps, private last: number) {}

  /** The highest log position given out. */
  get lastN (): number { return this.last }
  get enqueued (): number { return this.enqueuedCount }
  get written (): number { return this.writtenCount }
  /** Why appends are refused after a failed journal write (undefined while none failed). */
  get broken (): Error | undefined { return this.brokenError }
  /** The system's error code of that failure, null while none. */
  get errorCode (): string | null { return this.brokenCode }
  /** Events wait for their write, or one is under way. */
  get busy (): boolean { return this.pending.length > 0 || this.journaling }
  /** So many events wait for the database that the journal waits too. */
  get backlogFull (): boolean { return this.deps.indexer.behind >= this.deps.maxUnindexed }

  /** Queues a new row for the next journal write; resolves once it is durable. */
  enqueue (row: LogRow): Promise<AppendResult> {
    // An older seq decided after a journal failure or after close() began must not be written.
    if (this.brokenError !== undefined) return Promise.reject(this.brokenError)
    if (this.deps.lifecycle.stopped) return Promise.reject(new Error('event log is closed'))
    this.enqueuedCount++
    const result = new Promise<AppendResult>((resolve, reject) => {
      this.pending.push({ row, resolve, reject })
    })
    if (!this.journaling) void this.flush()
    return result
  }

  /** Waits until every queued row is written (or refused). */
  async drain (): Promise<void> {
    while (this.busy) {
      if (!this.journaling) await this.flush()
      else await this.deps.indexer.nextCommit(5)
    }
  }

  private async flush (): Promise<void> {
    const { indexer, lifecycle, counters } = this.deps
    this.journaling = true
    try {
      while (this.pending.length > 0) {
        // Backpressure: the journal runs at most maxUnindexed events ahead of the database.
        while (this.backlogFull && !lifecycle.closed) await indexer.nextCommit(100)
        if (this.brokenError !== undefined || (lifecycle.closed && this.backlogFull)) {
          // Closing while the database is far behind, or after a failed write: these get no PUBACK and are
          // sent again by their devices.
          const refused = this.pending.splice(0)
          this.writtenCount += refused.length
          const err = this.brokenError ?? new Error('event log is closed')
          for (const p of refused) p.reject(err)
          break
        }
        const batch = this.pending.splice(0, this.deps.maxBatch)
        const firstN = this.last + 1
        let text = ''
        const journaled: Journaled[] = []
        const at = Date.now()
        for (const p of batch) {
          const n = ++this.last
          // Statuses have no event id: one per receipt, made unique by its log position.
          if (p.row.s === null) p.row.e = `${p.row.e}#${n}`
          const line = `{"n":${n},${JSON.stringify(p.row).slice(1)}`
          text += line + '\n'
          journaled.push({ n, line, at })
        }
        try {
          await this.deps.journal.append(text, firstN, this.last)
        } catch (err) {
          this.fail(err)
          const refused = [...batch, ...this.pending.splice(0)]
          this.writtenCount += refused.length
          for (const p of refused) p.reject(this.brokenError)
          continue
        }
        this.writtenCount += batch.length
        counters.batches++
        counters.rows += batch.length
        indexer.queue(journaled)
        for (let i = 0; i < batch.length; i++) batch[i]!.resolve({ fresh: true, logSeq: journaled[i]!.n })
        indexer.start()
      }
    } finally {
      this.journaling = false
    }
  }

  private fail (err: unknown): void {
    // After a failed write or sync nobody knows what reached the disk (a failed fsync may not fail
    // again): stop acknowledging until a restart reads the journal back, as PostgreSQL does.
    const reason = err instanceof Error ? err.message : String(err)
    const code = (err as NodeJS.ErrnoException | null)?.code
    this.brokenCode = typeof code === 'string' ? code : 'unknown'
    this.brokenError = Object.assign(
      new Error(`the event journal could not be written (${reason}); no event is acknowledged until the platform restarts`),
      { code: this.brokenCode })
    this.deps.logger.fatal({ err }, 'event log: the journal could not be written; devices get no PUBACK (they keep their events) until the platform is restarted')
  }
}
