// Throttles repeated failed logins per key (e.g. `ip:1.2.3.4`, `device:dev_x`).
//
// A key that collects `maxFailures` failures inside `windowMs` is blocked for
// `baseBlockMs`; each further block of the same key doubles, up to
// `maxBlockMs`. The backoff level is forgotten after a quiet `maxBlockMs`
// following the end of the last block, or on a successful login.
//
// Memory is bounded: entries expire, and beyond `maxKeys` the least recently
// touched key is evicted (so a spray of random user names or addresses cannot
// grow the table; under such a spray the oldest blocks may be forgotten early).

export interface LoginThrottleOptions {
  now: () => number
  maxFailures?: number
  windowMs?: number
  baseBlockMs?: number
  maxBlockMs?: number
  maxKeys?: number
}

export type ThrottleDecision = { allowed: true } | { allowed: false; retryAfterMs: number }

interface Entry {
  failures: number
  windowStart: number
  blockedUntil: number
  /** Blocks imposed so far; sets the next block's length. */
  blocks: number
  expiresAt: number
}

const ALLOWED: ThrottleDecision = { allowed: true }
// Expired entries dropped per fail() from the least recently touched end.
const SWEEP_PER_CALL = 4

export class LoginThrottle {
  private readonly now: () => number
  private readonly maxFailures: number
  private readonly windowMs: number
  private readonly baseBlockMs: number
  private readonly maxBlockMs: number
  private readonly maxKeys: number
  // Map order is touch order: every update re-inserts the key at the end.
  private readonly entries = new Map<string, Entry>()

  constructor (options: LoginThrottleOptions) {
    this.now = options.now
    this.maxFailures = positive('maxFailures', options.maxFailures ?? 5)
    this.windowMs = positive('windowMs', options.windowMs ?? 60_000)
    this.baseBlockMs = positive('baseBlockMs', options.baseBlockMs ?? 30_000)
    this.maxBlockMs = positive('maxBlockMs', options.maxBlockMs ?? 15 * 60_000)
    this.maxKeys = positive('maxKeys', options.maxKeys ?? 100_000)
    if (this.maxBlockMs < this.baseBlockMs) throw new RangeError('maxBlockMs must be >= baseBlockMs')
  }

  /** Blocked if any key is blocked; `retryAfterMs` is the longest remaining block. */
  check (keys: readonly string[]): ThrottleDecision {
    const now = this.now()
    let retryAfterMs = 0
    for (const key of keys) {
      const entry = this.live(key, now)
      if (entry && entry.blockedUntil > now) retryAfterMs = Math.max(retryAfterMs, entry.blockedUntil - now)
    }
    return retryAfterMs > 0 ? { allowed: false, retryAfterMs } : ALLOWED
  }

  fail (keys: readonly string[]): void {
    const now = this.now()
    for (const key of keys) {
      const entry = this.live(key, now) ?? { failures: 0, windowStart: now, blockedUntil: 0, blocks: 0, expiresAt: 0 }
      // Attempts made while blocked are refused before the credentials are checked; they do not count.
      if (entry.blockedUntil <= now) {
        if (now - entry.windowStart >= this.windowMs) {
          entry.failures = 0
          entry.windowStart = now
        }
        entry.failures++
        if (entry.failures >= this.maxFailures) {
          const blockMs = Math.min(this.baseBlockMs * 2 ** entry.blocks, this.maxBlockMs)
          entry.blockedUntil = now + blockMs
          entry.blocks++
          entry.failures = 0
          entry.windowStart = entry.blockedUntil
        }
      }
      entry.expiresAt = entry.blocks > 0
        ? Math.max(entry.blockedUntil + this.maxBlockMs, entry.windowStart + this.windowMs)
        : entry.windowStart + this.windowMs
      this.entries.delete(key)
      this.entries.set(key, entry)
    }
    this.sweep(now)
  }

  /** A successful login forgets the failures and backoff level of these keys. */
  succeed (keys: readonly string[]): void {
    for (const key of keys) this.entries.delete(key)
  }

  /** Number of keys currently tracked. */
  size (): number {
    return this.entries.size
  }

  private live (key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key)
    if (entry && entry.expiresAt <= now) {
      this.entries.delete(key)
      return undefined
    }
    return entry
  }

  private sweep (now: number): void {
    let inspected = 0
    for (const [key, entry] of this.entries) {
      if (this.entries.size > this.maxKeys) {
        this.entries.delete(key)
      } else if (inspected < SWEEP_PER_CALL && entry.expiresAt <= now) {
        this.entries.delete(key)
        inspected++
      } else {
        break
      }
    }
  }
}

function positive (name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number, got ${value}`)
  return value
}
