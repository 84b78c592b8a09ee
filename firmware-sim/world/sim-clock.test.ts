import { describe, expect, it } from 'vitest'
import { SimClock } from './sim-clock.ts'

describe('simulation clock', () => {
  it('follows real time until sped up, then runs `speed` times faster, and maps both ways', () => {
    let real = 1_000_000
    const clock = new SimClock(() => real)
    real += 500
    expect(clock.now()).toBe(1_000_500)
    const switchedAt = clock.setSpeed(1440)
    expect(switchedAt).toBe(1_000_500)
    real += 1000
    expect(clock.now()).toBe(1_000_500 + 1_440_000)
    expect(clock.simAt(1_000_250)).toBe(1_000_250) // before the switch: real time
    expect(clock.simAt(1_001_000)).toBe(1_000_500 + 720_000)
    expect(clock.realAt(1_000_500 + 1_440_000)).toBe(1_001_500)
    expect(clock.speed).toBe(1440)
  })

  it('can be rebuilt from its history (the truth file keeps it)', () => {
    let real = 0
    const clock = new SimClock(() => real)
    real = 10
    clock.setSpeed(60)
    const copy = new SimClock(() => real, clock.history())
    real = 20
    expect(copy.now()).toBe(clock.now())
    expect(copy.simAt(15)).toBe(10 + 5 * 60)
  })

  it('sleeps until a sim time, in real time divided by the speed', async () => {
    const clock = new SimClock()
    clock.setSpeed(10_000)
    const target = clock.now() + 300_000 // 5 sim minutes: 30 real ms
    const t0 = Date.now()
    await clock.sleepUntil(target)
    expect(clock.now()).toBeGreaterThanOrEqual(target)
    expect(Date.now() - t0).toBeLessThan(1000)
  })

  it('jumps forward (never back) when asked to', () => {
    let real = 1000
    const clock = new SimClock(() => real)
    expect(clock.setSpeed(1, 5000)).toBe(5000)
    real = 1010
    expect(clock.now()).toBe(5010)
    expect(clock.setSpeed(2, 0)).toBe(5010)
  })

  it('refuses a speed that is not positive', () => {
    expect(() => new SimClock().setSpeed(0)).toThrow(/positive/)
  })
})
