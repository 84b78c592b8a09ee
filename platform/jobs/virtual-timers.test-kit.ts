// Timers on a virtual clock for the tests of periodic jobs (PeriodicJob's
// `timers`): `advance` fires what falls due, in order, letting each run start.

import type { JobTimers } from './periodic-job.ts'

/** Timers on a virtual clock: `advance` fires what falls due, in order. */
export class VirtualTimers implements JobTimers {
  now = 0
  private next = 1
  private readonly due = new Map<number, { at: number; fn: () => void }>()
  set (fn: () => void, ms: number): unknown {
    const id = this.next++
    this.due.set(id, { at: this.now + ms, fn })
    return id
  }

  clear (handle: unknown): void { this.due.delete(handle as number) }
  get pending (): number { return this.due.size }

  async advance (ms: number): Promise<void> {
    const until = this.now + ms
    for (;;) {
      const [id, t] = [...this.due].sort((a, b) => a[1].at - b[1].at)[0] ?? []
      if (id === undefined || t!.at > until) break
      this.due.delete(id)
      this.now = t!.at
      t!.fn()
      await new Promise((resolve) => setImmediate(resolve))
    }
    this.now = until
  }
}
