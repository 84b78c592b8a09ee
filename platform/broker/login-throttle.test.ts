import { describe, expect, it } from 'vitest'
import { LoginThrottle, type LoginThrottleOptions } from './login-throttle.ts'

function setup (options: Partial<LoginThrottleOptions> = {}): { throttle: LoginThrottle; clock: { t: number } } {
  const clock = { t: 1_000_000 }
  const throttle = new LoginThrottle({
    now: () => clock.t,
    maxFailures: 5,
    windowMs: 60_000,
    baseBlockMs: 30_000,
    maxBlockMs: 120_000,
    ...options,
  })
  return { throttle, clock }
}

const K = ['device:d1']

function failTimes (throttle: LoginThrottle, keys: string[], n: number): void {
  for (let i = 0; i < n; i++) throttle.fail(keys)
}

describe('LoginThrottle', () => {
  it('allows until maxFailures failures inside the window, then blocks for baseBlockMs', () => {
    const { throttle, clock } = setup()
    failTimes(throttle, K, 4)
    expect(throttle.check(K)).toEqual({ allowed: true })
    throttle.fail(K)
    expect(throttle.check(K)).toEqual({ allowed: false, retryAfterMs: 30_000 })
    clock.t += 10_000
    expect(throttle.check(K)).toEqual({ allowed: false, retryAfterMs: 20_000 })
    clock.t += 20_000
    expect(throttle.check(K)).toEqual({ allowed: true })
  })

  it('forgets failures older than the window', () => {
    const { throttle, clock } = setup()
    failTimes(throttle, K, 4)
    clock.t += 60_000
    throttle.fail(K)
    expect(throttle.check(K).allowed).toBe(true)
    failTimes(throttle, K, 3)
    expect(throttle.check(K).allowed).toBe(true)
    throttle.fail(K)
    expect(throttle.check(K).allowed).toBe(false)
  })

  it('doubles each further block up to maxBlockMs', () => {
    const { throttle, clock } = setup()
    const blocks: number[] = []
    for (let round = 0; round < 4; round++) {
      failTimes(throttle, K, 5)
      const d = throttle.check(K)
      if (d.allowed) throw new Error('expected a block')
      blocks.push(d.retryAfterMs)
      clock.t += d.retryAfterMs
    }
    expect(blocks).toEqual([30_000, 60_000, 120_000, 120_000])
  })

  it('does not count attempts made while blocked', () => {
    const { throttle, clock } = setup()
    failTimes(throttle, K, 5)
    failTimes(throttle, K, 20) // refused by check() in real use; must not extend or escalate
    expect(throttle.check(K)).toEqual({ allowed: false, retryAfterMs: 30_000 })
    clock.t += 30_000
    expect(throttle.check(K).allowed).toBe(true)
    failTimes(throttle, K, 4)
    expect(throttle.check(K).allowed).toBe(true)
  })

  it('forgets the backoff level after a quiet maxBlockMs following the block', () => {
    const { throttle, clock } = setup()
    failTimes(throttle, K, 5)
    clock.t += 30_000 + 120_000
    failTimes(throttle, K, 5)
    expect(throttle.check(K)).toEqual({ allowed: false, retryAfterMs: 30_000 })
  })

  it('keeps the backoff level when failures resume soon after a block', () => {
    const { throttle, clock } = setup()
    failTimes(throttle, K, 5)
    clock.t += 30_000 + 1_000
    failTimes(throttle, K, 5)
    expect(throttle.check(K)).toEqual({ allowed: false, retryAfterMs: 60_000 })
  })

  it('succeed() forgets failures and backoff of the given keys only', () => {
    const { throttle } = setup()
    failTimes(throttle, ['device:a', 'ip:1'], 4)
    throttle.succeed(['device:a'])
    throttle.fail(['device:a', 'ip:1'])
    expect(throttle.check(['device:a']).allowed).toBe(true)
    expect(throttle.check(['ip:1']).allowed).toBe(false)
    throttle.succeed(['ip:1'])
    expect(throttle.check(['ip:1']).allowed).toBe(true)
  })

  it('is blocked when any key is blocked and reports the longest remaining block', () => {
    const { throttle, clock } = setup()
    failTimes(throttle, ['ip:1'], 5)
    clock.t += 10_000
    failTimes(throttle, ['device:x'], 5)
    expect(throttle.check(['ip:1', 'device:x'])).toEqual({ allowed: false, retryAfterMs: 30_000 })
    expect(throttle.check(['ip:1', 'device:y'])).toEqual({ allowed: false, retryAfterMs: 20_000 })
    expect(throttle.check(['ip:2', 'device:y'])).toEqual({ allowed: true })
  })

  it('stays within maxKeys under a spray of keys, evicting the least recently touched', () => {
    const { throttle } = setup({ maxKeys: 100 })
    failTimes(throttle, ['victim'], 5)
    for (let i = 0; i < 99; i++) throttle.fail([`spray:${i}`])
    expect(throttle.size()).toBe(100)
    expect(throttle.check(['victim']).allowed).toBe(false)
    for (let i = 99; i < 10_000; i++) throttle.fail([`spray:${i}`])
    expect(throttle.size()).toBe(100)
    expect(throttle.check(['victim']).allowed).toBe(true) // evicted: documented trade-off
    expect(throttle.check(['spray:9999']).allowed).toBe(true)
  })

  it('drops expired entries', () => {
    const { throttle, clock } = setup()
    for (let i = 0; i < 50; i++) throttle.fail([`k${i}`])
    expect(throttle.size()).toBe(50)
    clock.t += 60_000
    for (let i = 0; i < 20; i++) throttle.fail(['fresh'])
    expect(throttle.size()).toBeLessThan(50)
    // Reading an expired key forgets it too.
    clock.t += 10 * 60_000
    expect(throttle.check(['k49']).allowed).toBe(true)
  })

  it('rejects nonsensical options', () => {
    const now = (): number => 0
    expect(() => new LoginThrottle({ now, maxFailures: 0 })).toThrow(RangeError)
    expect(() => new LoginThrottle({ now, windowMs: Number.NaN })).toThrow(RangeError)
    expect(() => new LoginThrottle({ now, baseBlockMs: 10, maxBlockMs: 5 })).toThrow(RangeError)
  })
})
