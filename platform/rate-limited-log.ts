// Logging for failures that can repeat thousands of times a second (a publish
// refused while the journal is down, a rule that throws on every event): the
// first occurrence of a kind is logged at once, with its details; the ones
// that follow within the interval are only counted, and one line at the end
// of the interval says how many there were. A kind that stops repeating is
// logged at once again the next time.

import type { Logger } from 'pino'

export type LimitedLevel = 'error' | 'warn'

interface Window {
  level: LimitedLevel
  message: string
  fields: Record<string, unknown>
  suppressed: number
  timer: NodeJS.Timeout
}

export class RateLimitedLog {
  private readonly windows = new Map<string, Window>()
  private readonly intervalMs: number

  constructor (private readonly logger: Pick<Logger, LimitedLevel>, o: { intervalMs?: number } = {}) {
    this.intervalMs = o.intervalMs ?? 10_000
  }

  /**
   * Logs `message` for `key` unless it was logged less than an interval ago; then it is counted. `fields`
   * of the first occurrence are logged in full; the summary repeats only those named in `summaryFields`
   * (never an error or an event: they could differ from one occurrence to the next).
   */
  log (level: LimitedLevel, key: string, fields: Record<string, unknown>, message: string, summaryFields: Record<string, unknown> = {}): void {
    const open = this.windows.get(key)
    if (open !== undefined) {
      open.suppressed++
      return
    }
    this.logger[level](fields, message)
    this.windows.set(key, { level, message, fields: summaryFields, suppressed: 0, timer: this.arm(key) })
  }

  /** Logs what is still counted and forgets every window (at shutdown). */
  close (): void {
    for (const [key, w] of this.windows) {
      clearTimeout(w.timer)
      this.summarise(w)
      this.windows.delete(key)
    }
  }

  private arm (key: string): NodeJS.Timeout {
    const timer = setTimeout(() => this.end(key), this.intervalMs)
    timer.unref()
    return timer
  }

  /** End of a window: a summary if anything was counted, and a new window while it goes on. */
  private end (key: string): void {
    const w = this.windows.get(key)
    if (w === undefined) return
    if (w.suppressed === 0) {
      this.windows.delete(key)
      return
    }
    this.summarise(w)
    w.suppressed = 0
    w.timer = this.arm(key)
  }

  private summarise (w: Window): void {
    if (w.suppressed === 0) return
    const seconds = Math.round(this.intervalMs / 1000)
    this.logger[w.level]({ ...w.fields, suppressed: w.suppressed, intervalS: seconds },
      `${w.message} (${w.suppressed} more in the last ${seconds} s)`)
  }
}
