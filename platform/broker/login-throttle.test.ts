import { describe, expect, it } from 'vitest'
import { LoginThrottle, type LoginThrottleOptions } from './login-throttle.ts'

function setup (options: Partial<LoginThrottleOptions> = {}): { throttle: LoginThrottle; clock: { t: number } } {
  const clock = { t: 1_000_000 }
  const throttle = new LoginThrottle({
    now: () => clock.t,
    pair: { maxFailures: 5, windowMs: 60_000, baseBlockMs: 30_000, maxBlockMs: 120_000 },
    address: { maxFailures: 20, windowMs: 60_000, baseBlockMs: 30_000, maxBlockMs: 120_000 },
    identity: { freeFailures: 10, windowMs: 600_000, stepMs: 500, maxDelayMs: 4_000 },
    ...options,
  })
  return { throttle, clock }
}

const A = '10.0.0.1'
const B = '10.0.0.2'
const ID = 'device:d1'
const OPEN = { allowed: true, delayMs: 0 }

function failTimes (throttle: LoginThrottle, address: string, identity: string | undefined, n: number): void {
  for (let i = 0; i < n; i++) throttle.fail(address, identity)
}

describe('LoginThrottle: per address and identity', () => {
  it('refuses the pair after maxFailures failures inside the window, for baseBlockMs', () => {
    const { throttle, clock } = setup()
    failTimes(throttle, A, ID, 4)
    expect(throttle.check(A, ID)).toEqual(OPEN)
    throttle.fail(A, ID)
    expect(throttle.check(A, ID)).toEqual({ allowed: false, retryAfterMs: 30_000, scope: 'pair' })
    clock.t += 10_000
    expect(throttle.check(A, ID)).toEqual({ allowed: false, retryAfterMs: 20_000, scope: 'pair' })
    clock.t += 20_000
    expect(throttle.check(A, ID)).toEqual(OPEN)
  })

  it('never refuses the identity from another address, nor other identities from the guessing one', () => {
    const { throttle } = setup()
    failTimes(throttle, A, ID, 5)
    expect(throttle.check(A, ID).allowed).toBe(false)
    expect(throttle.check(B, ID)).toEqual(OPEN)
    expect(throttle.check(A, 'device:d2')).toEqual(OPEN)
  })

  it('forgets failures older than the window', () => {
    const { throttle, clock } = setup()
    failTimes(throttle, A, ID, 4)
    clock.t += 60_000
    throttle.fail(A, ID)
    expect(throttle.check(A, ID).allowed).toBe(true)
    failTimes(throttle, A, ID, 3)
    expect(throttle.check(A, ID).allowed).toBe(true)
    throttle.fail(A, ID)
    expect(throttle.check(A, ID).allowed).toBe(false)
  })

  it('counts a block\'s window from its first failure: spread-out failures add up, later ones do not move it', () => {
    const { throttle, clock } = setup()
    for (let i = 0; i < 4; i++) {
      throttle.fail(A, ID)
      clock.t += 14_000
    }
    // 56 s after the first failure: still its window.
    throttle.fail(A, ID)
    expect(throttle.check(A, ID)).toMatchObject({ allowed: false, scope: 'pair' })
  })

  it('opens the next window with the first failure after a block, not when the block ends', () => {
    const { throttle, clock } = setup()
    failTimes(throttle, A, ID, 5)
    clock.t += 30_000 // the block ends
    clock.t += 50_000
    failTimes(throttle, A, ID, 4)
    clock.t += 11_000 // 61 s after the block ended, 11 s after this window opened
    throttle.fail(A, ID)
    expect(throttle.check(A, ID)).toMatchObject({ allowed: false, retryAfterMs: 60_000, scope: 'pair' })
  })

  it('doubles each further block up to maxBlockMs', () => {
    const { throttle, clock } = setup()
    const blocks: number[] = []
    for (let round = 0; round < 4; round++) {
      failTimes(throttle, A, ID, 5)
      const d = throttle.check(A, ID)
      if (d.allowed) throw new Error('expected a block')
      blocks.push(d.retryAfterMs)
      clock.t += d.retryAfterMs
    }
    expect(blocks).toEqual([30_000, 60_000, 120_000, 120_000])
  })

  it('does not count attempts made while blocked', () => {
    const { throttle, clock } = setup()
    failTimes(throttle, A, ID, 5)
    failTimes(throttle, A, ID, 20) // refused by check() in real use; must not extend or escalate
    expect(throttle.check(A, ID)).toEqual({ allowed: false, retryAfterMs: 30_000, scope: 'pair' })
    clock.t += 30_000
    expect(throttle.check(A, ID).allowed).toBe(true)
    failTimes(throttle, A, ID, 4)
    expect(throttle.check(A, ID).allowed).toBe(true)
  })

  it('forgets the backoff level after a quiet maxBlockMs following the block, keeps it when failures resume soon', () => {
    const { throttle, clock } = setup()
    failTimes(throttle, A, ID, 5)
    clock.t += 30_000 + 120_000
    failTimes(throttle, A, ID, 5)
    expect(throttle.check(A, ID)).toMatchObject({ retryAfterMs: 30_000 })
    clock.t += 30_000 + 1_000
    failTimes(throttle, A, ID, 5)
    expect(throttle.check(A, ID)).toMatchObject({ retryAfterMs: 60_000 })
  })

  it('a success forgets only that pair\'s failures', () => {
    const { throttle } = setup()
    failTimes(throttle, A, ID, 4)
    failTimes(throttle, B, ID, 4)
    throttle.succeed(A, ID)
    throttle.fail(A, ID)
    throttle.fail(B, ID)
    expect(throttle.check(A, ID).allowed).toBe(true)
    expect(throttle.check(B, ID).allowed).toBe(false)
  })
})

describe('LoginThrottle: per address, across identities', () => {
  it('refuses an address that sprays many identities, whatever succeeds from it meanwhile', () => {
    const { throttle } = setup()
    for (let i = 0; i < 19; i++) {
      throttle.fail(A, `person:victim-${i}`)
      throttle.succeed(A, 'person:sprayer') // the sprayer's own valid account
    }
    expect(throttle.check(A, 'person:sprayer').allowed).toBe(true)
    throttle.fail(A, 'person:victim-19')
    expect(throttle.check(A, 'person:sprayer')).toEqual({ allowed: false, retryAfterMs: 30_000, scope: 'address' })
    expect(throttle.check(A, 'person:anyone')).toMatchObject({ allowed: false, scope: 'address' })
    expect(throttle.check(B, 'person:sprayer')).toEqual(OPEN)
  })

  it('counts a malformed login (no identity) against the address only', () => {
    const { throttle } = setup()
    failTimes(throttle, A, undefined, 20)
    expect(throttle.check(A)).toMatchObject({ allowed: false, scope: 'address' })
    expect(throttle.check(B, ID)).toEqual(OPEN)
    expect(throttle.size()).toEqual({ pairs: 0, addresses: 1, identities: 0 })
  })
})

describe('LoginThrottle: attempts only slowed down (devices behind one NAT address)', () => {
  const DEVICE = { slowOnly: true }

  it('never refuses them, and their failures count neither on the address nor on the pair', () => {
    const { throttle } = setup()
    // One device retrying with an old secret, far beyond every block's limit.
    for (let i = 0; i < 200; i++) {
      const d = throttle.check(A, 'device:broken', DEVICE)
      expect(d.allowed).toBe(true)
      throttle.fail(A, 'device:broken', DEVICE)
    }
    // It waits at most the identity's longest delay, and would get in with its secret.
    expect(throttle.check(A, 'device:broken', DEVICE)).toEqual({ allowed: true, delayMs: 4000 })
    // Every other device of the site, from the same address, still gets in at once.
    for (let i = 0; i < 50; i++) expect(throttle.check(A, `device:d${i}`, DEVICE)).toEqual(OPEN)
    // The address never collected those failures: people from it are judged on their own.
    expect(throttle.check(A, 'person:p1')).toEqual(OPEN)
    expect(throttle.size()).toMatchObject({ pairs: 0, addresses: 0 })
  })

  it('ignores a block the address earned with other logins', () => {
    const { throttle } = setup()
    for (let i = 0; i < 20; i++) throttle.fail(A, `person:victim-${i}`)
    expect(throttle.check(A, 'person:someone')).toMatchObject({ allowed: false, scope: 'address' })
    expect(throttle.check(A, ID, DEVICE)).toEqual(OPEN)
  })

  it('keeps the identity slow-down: a device guessed at from everywhere waits, then gets in', () => {
    const { throttle } = setup()
    for (let i = 0; i < 14; i++) throttle.fail(`10.1.0.${i}`, ID, DEVICE)
    expect(throttle.check(A, ID, DEVICE)).toEqual({ allowed: true, delayMs: 4000 })
  })
})

describe('LoginThrottle: per identity, across addresses', () => {
  it('only slows an identity guessed at from many addresses: a bounded, growing delay, never a refusal', () => {
    const { throttle } = setup()
    const delays: number[] = []
    for (let i = 0; i < 16; i++) {
      const from = `10.1.0.${i}`
      const d = throttle.check(from, ID)
      expect(d.allowed).toBe(true)
      if (d.allowed) delays.push(d.delayMs)
      throttle.fail(from, ID)
    }
    expect(delays).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 500, 1000, 2000, 4000, 4000])
    // The owner, from an address of their own, waits but gets in.
    expect(throttle.check('10.2.0.1', ID)).toEqual({ allowed: true, delayMs: 4000 })
    // A success does not forget the others' failures: the guessing goes on.
    throttle.succeed('10.2.0.1', ID)
    expect(throttle.check('10.2.0.1', ID)).toEqual({ allowed: true, delayMs: 4000 })
  })

  it('forgets an identity\'s failures after its window', () => {
    const { throttle, clock } = setup()
    for (let i = 0; i < 12; i++) throttle.fail(`10.1.0.${i}`, ID)
    expect(throttle.check(B, ID)).toEqual({ allowed: true, delayMs: 1000 })
    clock.t += 600_000
    expect(throttle.check(B, ID)).toEqual(OPEN)
  })
})

describe('LoginThrottle: memory', () => {
  it('stays within maxKeys per table under a spray, evicting the least recently touched', () => {
    const { throttle } = setup({ maxKeys: 100, address: { maxFailures: 1_000_000 } })
    failTimes(throttle, A, 'victim', 5)
    for (let i = 0; i < 99; i++) throttle.fail(`10.3.${i >> 8}.${i & 255}`, `spray-${i}`)
    expect(throttle.size()).toEqual({ pairs: 100, addresses: 100, identities: 100 })
    expect(throttle.check(A, 'victim').allowed).toBe(false)
    for (let i = 99; i < 10_000; i++) throttle.fail(`10.3.${i >> 8}.${i & 255}`, `spray-${i}`)
    expect(throttle.size()).toEqual({ pairs: 100, addresses: 100, identities: 100 })
    expect(throttle.check(A, 'victim').allowed).toBe(true) // evicted: documented trade-off
  })

  it('drops expired entries', () => {
    const { throttle, clock } = setup()
    for (let i = 0; i < 50; i++) throttle.fail(`10.4.0.${i}`, `k${i}`)
    expect(throttle.size().pairs).toBe(50)
    clock.t += 600_000
    for (let i = 0; i < 20; i++) throttle.fail(A, 'fresh')
    expect(throttle.size().pairs).toBeLessThan(50)
    expect(throttle.size().identities).toBeLessThan(50)
  })

  it('rejects nonsensical options', () => {
    const now = (): number => 0
    expect(() => new LoginThrottle({ now, pair: { maxFailures: 0 } })).toThrow(RangeError)
    expect(() => new LoginThrottle({ now, address: { windowMs: Number.NaN } })).toThrow(RangeError)
    expect(() => new LoginThrottle({ now, pair: { baseBlockMs: 10, maxBlockMs: 5 } })).toThrow(RangeError)
    expect(() => new LoginThrottle({ now, identity: { freeFailures: -1 } })).toThrow(RangeError)
    expect(() => new LoginThrottle({ now, identity: { maxDelayMs: 0 } })).toThrow(RangeError)
  })
})
