import { afterEach, describe, expect, it } from 'vitest'
import { EventLoopWatch } from './event-loop-watch.ts'

describe('EventLoopWatch', () => {
  let watch: EventLoopWatch | undefined
  afterEach(() => watch?.stop())

  it('reports how late its timer fired, for one to two windows, and a tick overdue right now', () => {
    const clock = { t: 1000 }
    watch = new EventLoopWatch({ intervalMs: 100, windowMs: 1000, now: () => clock.t })
    expect(watch.delayMs()).toBe(0)
    watch.start()
    watch.stop() // ticks by hand from here
    for (let i = 0; i < 5; i++) { clock.t += 100; watch.tick() }
    expect(watch.delayMs()).toBe(0)
    clock.t += 700 // the loop was stuck for 600 ms past the tick
    watch.tick()
    expect(watch.delayMs()).toBe(600)
    for (let i = 0; i < 10; i++) { clock.t += 100; watch.tick() }
    expect(watch.delayMs()).toBe(600) // still within the remembered windows
    for (let i = 0; i < 20; i++) { clock.t += 100; watch.tick() }
    expect(watch.delayMs()).toBe(0)
    clock.t += 2100 // no tick for 2.1 s: stuck now
    expect(watch.delayMs()).toBe(2000)
  })

  it('measures a real event loop that is blocked', async () => {
    watch = new EventLoopWatch({ intervalMs: 20 })
    watch.start()
    await new Promise((resolve) => setTimeout(resolve, 60))
    const until = Date.now() + 400
    while (Date.now() < until) { /* blocks the loop */ }
    await new Promise((resolve) => setTimeout(resolve, 40))
    expect(watch.delayMs()).toBeGreaterThanOrEqual(300)
  })
})
