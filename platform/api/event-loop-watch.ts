// How late the event loop runs: a timer due every `intervalMs` notes how much
// later than that it fired. `delayMs` is the worst lateness of the last one to
// two windows, or the wait since the last tick when that is longer (a loop
// that is stuck right now, or one that just came back from being stuck, which
// runs its timers before it answers any request). GET /health/live reads it.
// One timer, unref'd: it never keeps the process alive.

export interface EventLoopWatchOptions {
  /** How often the timer is due; default 250 ms. */
  intervalMs?: number
  /** How long a lateness is remembered, at least; default 10 s. */
  windowMs?: number
  now?: () => number
}

export class EventLoopWatch {
  private readonly intervalMs: number
  private readonly windowMs: number
  private readonly now: () => number
  private timer: ReturnType<typeof setInterval> | undefined
  private last: number | undefined
  private windowStart = 0
  private worst = 0
  private previousWorst = 0

  constructor (o: EventLoopWatchOptions = {}) {
    this.intervalMs = o.intervalMs ?? 250
    this.windowMs = o.windowMs ?? 10_000
    this.now = o.now ?? (() => performance.now())
  }

  start (): void {
    if (this.timer !== undefined) return
    this.last = this.now()
    this.windowStart = this.last
    this.timer = setInterval(() => this.tick(), this.intervalMs)
    this.timer.unref()
  }

  stop (): void {
    clearInterval(this.timer)
    this.timer = undefined
  }

  /** What the timer does; called directly by tests on a clock of their own. */
  tick (): void {
    const t = this.now()
    const late = Math.max(0, t - (this.last ?? t) - this.intervalMs)
    this.last = t
    if (t - this.windowStart >= this.windowMs) {
      this.previousWorst = this.worst
      this.worst = 0
      this.windowStart = t
    }
    this.worst = Math.max(this.worst, late)
  }

  /** Worst recent lateness of the event loop, ms; 0 before start. */
  delayMs (): number {
    if (this.last === undefined) return 0
    const waiting = Math.max(0, this.now() - this.last - this.intervalMs)
    return Math.round(Math.max(this.worst, this.previousWorst, waiting))
  }
}
