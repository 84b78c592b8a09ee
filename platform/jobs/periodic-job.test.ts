import { describe, expect, it } from 'vitest'
import { PeriodicJob } from './periodic-job.ts'
import { VirtualTimers } from './virtual-timers.test-kit.ts'

/** A run that ends when the test says so. */
function gate (): { wait: Promise<void>; open: () => void } {
  let open!: () => void
  const wait = new Promise<void>((resolve) => { open = resolve })
  return { wait, open }
}

const quiet = { error: () => {} }

describe('PeriodicJob', () => {
  it('runs first after its first-run delay, then every interval', async () => {
    const timers = new VirtualTimers()
    const at: number[] = []
    const job = new PeriodicJob({ name: 'j', intervalMs: 100, firstRunDelayMs: 10, logger: quiet, timers, now: () => timers.now, run: async () => { at.push(timers.now) } })
    job.start()
    await timers.advance(350)
    expect(at).toEqual([10, 110, 210, 310])
    expect(job.counters).toEqual({ runs: 4, failures: 0 })
    expect(job.lastRun).toEqual({ at: 310, ms: 0, ok: true })
    await job.stop()
    expect(timers.pending).toBe(0)
  })

  it('waits one interval before the first run unless told otherwise', async () => {
    const timers = new VirtualTimers()
    let runs = 0
    const job = new PeriodicJob({ name: 'j', intervalMs: 100, logger: quiet, timers, run: async () => { runs++ } })
    job.start()
    await timers.advance(99)
    expect(runs).toBe(0)
    await timers.advance(1)
    expect(runs).toBe(1)
    await job.stop()
  })

  it('never overlaps runs: a tick during a long run lets it be, and runOnce joins it', async () => {
    const timers = new VirtualTimers()
    const g = gate()
    let runs = 0
    const job = new PeriodicJob({ name: 'j', intervalMs: 100, logger: quiet, timers, run: async () => { runs++; await g.wait; return runs } })
    job.start()
    await timers.advance(350)
    expect(runs).toBe(1)
    const joined = job.runOnce()
    g.open()
    expect(await joined).toBe(1)
    await timers.advance(100)
    expect(runs).toBe(2)
    await job.stop()
  })

  it('logs and counts a failed run, and the next tick tries again', async () => {
    const timers = new VirtualTimers()
    const logged: Array<[unknown, string]> = []
    let fail = true
    const job = new PeriodicJob({
      name: 'sweep', intervalMs: 100, timers, failedMessage: 'sweep failed badly',
      logger: { error: ((o: unknown, msg: string) => { logged.push([o, msg]) }) as (o: unknown, msg?: string) => void },
      run: async () => { if (fail) throw new Error('no database') },
    })
    job.start()
    await timers.advance(100)
    expect(logged).toEqual([[{ err: new Error('no database') }, 'sweep failed badly']])
    expect(job.counters).toEqual({ runs: 1, failures: 1 })
    expect(job.lastRun?.ok).toBe(false)
    fail = false
    await timers.advance(100)
    expect(job.counters).toEqual({ runs: 2, failures: 1 })
    await expect(job.runOnce()).resolves.toBeUndefined()
    await job.stop()
  })

  it('stops the ticks and waits for the run under way', async () => {
    const timers = new VirtualTimers()
    const g = gate()
    let finished = false
    const job = new PeriodicJob({ name: 'j', intervalMs: 100, logger: quiet, timers, run: async () => { await g.wait; finished = true } })
    job.start()
    await timers.advance(100)
    const stopped = job.stop()
    let done = false
    void stopped.then(() => { done = true })
    await new Promise((resolve) => setImmediate(resolve))
    expect(done).toBe(false)
    g.open()
    await stopped
    expect(finished).toBe(true)
    expect(timers.pending).toBe(0)
    await timers.advance(1000)
    expect(job.counters.runs).toBe(1)
  })

  it('runs on Node timers by default, without keeping the process up', async () => {
    let runs = 0
    const job = new PeriodicJob({ name: 'j', intervalMs: 5, firstRunDelayMs: 0, logger: quiet, run: async () => { runs++ } })
    job.start()
    await expect.poll(() => runs).toBeGreaterThanOrEqual(2)
    await job.stop()
  })
})
