// One helper for the jobs that run every so often in the background: event
// retention, the personal-data erasure and the coming KPI jobs. A run never
// overlaps the one before (a tick that finds one under way lets it be), a
// failed run is logged and counted and the next tick tries again, and stop()
// waits for a run under way. Timers and clock can be injected for tests.

import type { Logger } from 'pino'

/** The timers a job schedules its ticks with (default: Node's, unref'd so they never keep the process up). */
export interface JobTimers {
  set (fn: () => void, ms: number): unknown
  clear (handle: unknown): void
}

const NODE_TIMERS: JobTimers = {
  set: (fn, ms) => setTimeout(fn, ms).unref(),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
}

export interface PeriodicJobOptions<T> {
  /** What the job is called in its log lines. */
  name: string
  /** One pass of the job. */
  run: () => Promise<T>
  /** Time between ticks, from one tick to the next (a long run does not shift them). */
  intervalMs: number
  /** Time from start() to the first tick (default intervalMs). */
  firstRunDelayMs?: number
  logger: Pick<Logger, 'error'>
  /** The message of a failed tick's log line (default `${name} failed`). */
  failedMessage?: string
  timers?: JobTimers
  /** The clock of lastRun (default Date.now). */
  now?: () => number
}

export class PeriodicJob<T = unknown> {
  /** Runs begun and runs that threw (both whether a tick or runOnce began them). */
  readonly counters = { runs: 0, failures: 0 }
  private readonly timers: JobTimers
  private readonly now: () => number
  private handle: unknown
  private started = false
  private running: Promise<T> | undefined
  private last: { at: number; ms: number; ok: boolean } | undefined

  constructor (private readonly o: PeriodicJobOptions<T>) {
    this.timers = o.timers ?? NODE_TIMERS
    this.now = o.now ?? Date.now
  }

  /** When the last run ended (clock ms), how long it took, and whether it went through; undefined before one. */
  get lastRun (): { at: number; ms: number; ok: boolean } | undefined { return this.last }

  /** Schedules the ticks: the first after firstRunDelayMs, then every intervalMs. */
  start (): void {
    if (this.started) return
    this.started = true
    this.schedule(this.o.firstRunDelayMs ?? this.o.intervalMs)
  }

  /** Stops the ticks and waits for a run under way (its failure is not thrown here). */
  async stop (): Promise<void> {
    this.started = false
    if (this.handle !== undefined) this.timers.clear(this.handle)
    this.handle = undefined
    await this.running?.catch(() => undefined)
  }

  /** Runs the job now, or joins the run under way; rejects with its error. */
  runOnce (): Promise<T> {
    this.running ??= this.pass().finally(() => { this.running = undefined })
    return this.running
  }

  private schedule (ms: number): void {
    this.handle = this.timers.set(() => this.tick(), ms)
  }

  private tick (): void {
    if (!this.started) return
    this.schedule(this.o.intervalMs)
    if (this.running !== undefined) return // the run before is still going: let it
    void this.runOnce().catch((err: unknown) => this.o.logger.error({ err }, this.o.failedMessage ?? `${this.o.name} failed`))
  }

  private async pass (): Promise<T> {
    this.counters.runs++
    const began = this.now()
    try {
      const result = await this.o.run()
      this.last = { at: this.now(), ms: this.now() - began, ok: true }
      return result
    } catch (err) {
      this.counters.failures++
      this.last = { at: this.now(), ms: this.now() - began, ok: false }
      throw err
    }
  }
}
