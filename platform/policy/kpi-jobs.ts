// The KPIs' background parts: the log reader that derives door counts and
// own-credential passages from the event log (kpi-log-reader.ts), and the
// daily snapshot job that writes every building's and area's figures and,
// once a month has ended, its report.

import type { Logger } from 'pino'
import type { LogReader } from '../events/log-reader.ts'
import { PeriodicJob, type JobTimers } from '../jobs/periodic-job.ts'
import type { Database } from '../store/database.ts'
import { kpiLogReader } from './kpi-log-reader.ts'
import type { Kpis } from './kpi-service.ts'

export class KpiSnapshotJob {
  private readonly job: PeriodicJob<{ day: string; rows: number; reports: string[] }>

  constructor (kpis: Kpis, o: { logger: Pick<Logger, 'error' | 'info'>; intervalMs?: number; firstRunDelayMs?: number; timers?: JobTimers }) {
    this.job = new PeriodicJob({
      name: 'KPI snapshot',
      run: async () => {
        const snap = await kpis.snapshot()
        const reports = await kpis.monthlyReports()
        o.logger.info({ ...snap, reports }, 'KPI snapshot written')
        return { ...snap, reports }
      },
      intervalMs: o.intervalMs ?? 86_400_000,
      firstRunDelayMs: o.firstRunDelayMs ?? 900_000,
      logger: o.logger,
      ...(o.timers === undefined ? {} : { timers: o.timers }),
    })
  }

  start (): void { this.job.start() }
  async stop (): Promise<void> { await this.job.stop() }
  runOnce (): Promise<{ day: string; rows: number; reports: string[] }> { return this.job.runOnce() }
}

/**
 * The log reader as a component. It catches up with the log in the background, then follows it: a platform
 * upgraded onto a long log starts at once and the KPIs fill in behind.
 */
export class KpiReaderComponent {
  readonly reader: LogReader
  private starting: Promise<void> | undefined
  constructor (private readonly o: { db: Database; logger: Pick<Logger, 'error' | 'info'>; wakeOn?: (wake: () => void) => () => void }) {
    this.reader = kpiLogReader(o)
  }

  start (): void {
    this.starting = this.reader.start().catch((err: unknown) => this.o.logger.error({ err }, 'the KPI log reader did not start'))
  }

  async stop (): Promise<void> {
    await this.starting
    await this.reader.stop()
  }
}
