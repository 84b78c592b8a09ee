// Deletes events older than the retention period (default 180 days, the
// national code's minimum for the central host), in small batches so the
// log stays writable while it runs.

import type { Logger } from 'pino'
import { PeriodicJob, type JobTimers } from '../jobs/periodic-job.ts'
import type { Database } from '../store/database.ts'

export const DEFAULT_RETENTION_DAYS = 180

export class EventRetention {
  private readonly job: PeriodicJob<number>

  constructor (private readonly deps: {
    db: Database
    logger: Logger
    retentionDays?: number
    now?: () => number
    intervalMs?: number
    batch?: number
    timers?: JobTimers
  }) {
    this.job = new PeriodicJob({
      name: 'event retention', run: () => this.sweep(), intervalMs: deps.intervalMs ?? 3_600_000, logger: deps.logger,
      ...(deps.timers === undefined ? {} : { timers: deps.timers }),
    })
  }

  /** Runs every `intervalMs` (default an hour), the first time an interval after the start. */
  start (): void {
    this.job.start()
  }

  async stop (): Promise<void> {
    await this.job.stop()
  }

  /** Deletes everything received before the cut-off; returns how many events went. */
  runOnce (): Promise<number> {
    return this.job.runOnce()
  }

  private async sweep (): Promise<number> {
    const days = this.deps.retentionDays ?? DEFAULT_RETENTION_DAYS
    const cutoff = new Date((this.deps.now?.() ?? Date.now()) - days * 86_400_000)
    const batch = this.deps.batch ?? 5000
    let total = 0
    for (;;) {
      // The oldest events first, by log position (receive time grows with it): the log_seq index serves.
      const r = await this.deps.db.query(
        `delete from events where log_seq in (
           select log_seq from (select log_seq, received_at from events order by log_seq limit $2) oldest where received_at < $1)`,
        [cutoff, batch])
      total += r.rowCount
      if (r.rowCount < batch) break
    }
    if (total > 0) this.deps.logger.info({ deleted: total, cutoff: cutoff.toISOString() }, 'old events deleted')
    return total
  }
}
