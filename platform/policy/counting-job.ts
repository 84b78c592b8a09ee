// A periodic policy job that counts what it did (proposed, reminded, lapsed,
// listed ...) and logs a line when a pass did anything.

import type { Logger } from 'pino'
import { PeriodicJob, type JobTimers } from '../jobs/periodic-job.ts'

export interface CountingJobOptions { logger: Pick<Logger, 'error' | 'info'>; intervalMs?: number; firstRunDelayMs?: number; timers?: JobTimers }

export class CountingJob<T extends Record<string, number>> {
  private readonly job: PeriodicJob<T>

  constructor (
    what: { name: string; run: () => Promise<T>; done: string; intervalMs: number; firstRunDelayMs: number },
    o: CountingJobOptions,
  ) {
    this.job = new PeriodicJob({
      name: what.name,
      run: async () => {
        const n = await what.run()
        if (Object.values(n).some((v) => v > 0)) o.logger.info({ ...n } as Record<string, number>, what.done)
        return n
      },
      intervalMs: o.intervalMs ?? what.intervalMs,
      firstRunDelayMs: o.firstRunDelayMs ?? what.firstRunDelayMs,
      logger: o.logger,
      ...(o.timers === undefined ? {} : { timers: o.timers }),
    })
  }

  start (): void { this.job.start() }
  async stop (): Promise<void> { await this.job.stop() }
  runOnce (): Promise<T> { return this.job.runOnce() }
}
