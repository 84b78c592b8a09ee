// Throttles failed logins so that a guesser is slowed down and refused, and
// the owner of the identity is not. Every attempt is judged on three counters,
// each in a table of its own:
//
//   pair      (address, identity). `maxFailures` failures inside `windowMs`
//             refuse that pair for `baseBlockMs`, doubling with each further
//             block up to `maxBlockMs`. A success forgets this pair's failures:
//             the only thing a success ever forgets.
//   address   all identities tried from one address (spraying one password
//             over many accounts). The same kind of block; successes never
//             reset it, so one valid account does not hide the failures on
//             the others.
//   identity  one identity tried from every address. Never a refusal: beyond
//             `freeFailures` failures inside `windowMs` each attempt waits
//             `stepMs`, doubling with every further failure up to
//             `maxDelayMs`, and the right secret still gets in after the wait.
//             A guesser cannot lock the owner out from somewhere else.
//
// People's logins are judged on all three. Device logins only on the last
// (`AttemptScope.slowOnly`): a device with the right secret always gets in,
// after at most `maxDelayMs`.
//
// A block's counting window opens with the first failure after a quiet window
// or after the block ended, and is fixed: later failures do not move it, and
// failures made while blocked do not open one.
//
// A block's back-off level is forgotten after a quiet `maxBlockMs` following
// its end. Attempts refused by a block are not checked and do not count.
//
// Memory is bounded: entries expire, and beyond `maxKeys` a table evicts its
// least recently touched key (a spray of random names or addresses cannot grow
// it; under such a spray the oldest counters may be forgotten early).

export interface BlockLimits {
  maxFailures: number
  windowMs: number
  baseBlockMs: number
  maxBlockMs: number
}

export interface SlowLimits {
  freeFailures: number
  windowMs: number
  stepMs: number
  maxDelayMs: number
}

export interface LoginThrottleOptions {
  now: () => number
  pair?: Partial<BlockLimits>
  address?: Partial<BlockLimits>
  identity?: Partial<SlowLimits>
  /** Keys per table. */
  maxKeys?: number
}

export type ThrottleDecision =
  | { allowed: true; delayMs: number }
  | { allowed: false; retryAfterMs: number; scope: 'pair' | 'address' }

/** How one attempt is judged. */
export interface AttemptScope {
  /**
   * Judged per identity only: slowed down, never refused, and counted neither
   * per address nor per (address, identity). For device logins: the devices of
   * a site usually share one gateway or NAT address, where a block would let
   * one device retrying with an old secret, or anyone on that network failing
   * five times under a device's id, keep devices with the right secret (and
   * the revocations they receive) off the broker. A device secret is 192
   * random bits, so a block would protect nothing; the slow-down still bounds
   * how often one device's secret is tried. Off (the default) for people.
   */
  slowOnly?: boolean
}

const DEFAULT_BLOCK: BlockLimits = { maxFailures: 5, windowMs: 60_000, baseBlockMs: 30_000, maxBlockMs: 15 * 60_000 }
const DEFAULT_SLOW: SlowLimits = { freeFailures: 10, windowMs: 15 * 60_000, stepMs: 500, maxDelayMs: 5_000 }

export class LoginThrottle {
  private readonly now: () => number
  private readonly pairs: BlockTable
  private readonly addresses: BlockTable
  private readonly identities: SlowTable

  constructor (options: LoginThrottleOptions) {
    this.now = options.now
    const maxKeys = positive('maxKeys', options.maxKeys ?? 100_000)
    this.pairs = new BlockTable(blockLimits('pair', { ...DEFAULT_BLOCK, ...options.pair }), maxKeys)
    this.addresses = new BlockTable(blockLimits('address', { ...DEFAULT_BLOCK, ...options.address }), maxKeys)
    this.identities = new SlowTable(slowLimits({ ...DEFAULT_SLOW, ...options.identity }), maxKeys)
  }

  /**
   * Refused while the pair or (when judged by address) the address is blocked
   * (`retryAfterMs` is the longer remaining block); otherwise allowed after
   * `delayMs`.
   */
  check (address: string, identity?: string, scope: AttemptScope = {}): ThrottleDecision {
    const now = this.now()
    if (scope.slowOnly === true) return { allowed: true, delayMs: identity === undefined ? 0 : this.identities.delayFor(identity, now) }
    const pair = identity === undefined ? 0 : this.pairs.blockedFor(pairKey(address, identity), now)
    const wide = this.addresses.blockedFor(address, now)
    if (pair > 0 || wide > 0) return { allowed: false, retryAfterMs: Math.max(pair, wide), scope: pair >= wide ? 'pair' : 'address' }
    return { allowed: true, delayMs: identity === undefined ? 0 : this.identities.delayFor(identity, now) }
  }

  /** A failed attempt; without an identity (a malformed login) it counts against the address only. */
  fail (address: string, identity?: string, scope: AttemptScope = {}): void {
    const now = this.now()
    if (scope.slowOnly === true) {
      if (identity !== undefined) this.identities.fail(identity, now)
      return
    }
    this.addresses.fail(address, now)
    if (identity === undefined) return
    this.pairs.fail(pairKey(address, identity), now)
    this.identities.fail(identity, now)
  }

  /** A successful login forgets this identity's failures from this address, and nothing else. */
  succeed (address: string, identity: string): void {
    this.pairs.forget(pairKey(address, identity))
  }

  /** Keys tracked, per table. */
  size (): { pairs: number; addresses: number; identities: number } {
    return { pairs: this.pairs.size, addresses: this.addresses.size, identities: this.identities.size }
  }
}

// A NUL cannot occur in an address or an identity the callers pass.
const pairKey = (address: string, identity: string): string => `${address}\u0000${identity}`

interface Expiring { expiresAt: number }

/** A map in touch order (every update re-inserts its key at the end), with expiry and a size cap. */
class BoundedTable<E extends Expiring> {
  private readonly entries = new Map<string, E>()
  constructor (private readonly maxKeys: number) {}

  get size (): number { return this.entries.size }

  live (key: string, now: number): E | undefined {
    const entry = this.entries.get(key)
    if (entry !== undefined && entry.expiresAt <= now) {
      this.entries.delete(key)
      return undefined
    }
    return entry
  }

  put (key: string, entry: E, now: number): void {
    this.entries.delete(key)
    this.entries.set(key, entry)
    // Evict beyond the cap, and drop a few expired entries from the least recently touched end.
    let swept = 0
    for (const [k, e] of this.entries) {
      if (this.entries.size > this.maxKeys) this.entries.delete(k)
      else if (swept < SWEEP_PER_CALL && e.expiresAt <= now) { this.entries.delete(k); swept++ } else break
    }
  }

  forget (key: string): void {
    this.entries.delete(key)
  }
}

const SWEEP_PER_CALL = 4

interface BlockEntry extends Expiring {
  failures: number
  windowStart: number
  blockedUntil: number
  /** Blocks imposed so far; sets the next block's length. */
  blocks: number
}

class BlockTable extends BoundedTable<BlockEntry> {
  constructor (private readonly limits: BlockLimits, maxKeys: number) { super(maxKeys) }

  blockedFor (key: string, now: number): number {
    const entry = this.live(key, now)
    return entry !== undefined && entry.blockedUntil > now ? entry.blockedUntil - now : 0
  }

  fail (key: string, now: number): void {
    const { maxFailures, windowMs, baseBlockMs, maxBlockMs } = this.limits
    const entry = this.live(key, now) ?? { failures: 0, windowStart: now, blockedUntil: 0, blocks: 0, expiresAt: 0 }
    // Attempts made while blocked are refused before the credentials are checked; they do not count.
    if (entry.blockedUntil <= now) {
      // The window opens with its first failure and stays put.
      if (entry.failures === 0 || now - entry.windowStart >= windowMs) {
        entry.failures = 0
        entry.windowStart = now
      }
      entry.failures++
      if (entry.failures >= maxFailures) {
        entry.blockedUntil = now + Math.min(baseBlockMs * 2 ** entry.blocks, maxBlockMs)
        entry.blocks++
        // The next window opens with the first failure after the block.
        entry.failures = 0
      }
    }
    entry.expiresAt = entry.blocks > 0
      ? Math.max(entry.blockedUntil + maxBlockMs, entry.windowStart + windowMs)
      : entry.windowStart + windowMs
    this.put(key, entry, now)
  }
}

interface SlowEntry extends Expiring {
  failures: number
  windowStart: number
}

class SlowTable extends BoundedTable<SlowEntry> {
  constructor (private readonly limits: SlowLimits, maxKeys: number) { super(maxKeys) }

  delayFor (key: string, now: number): number {
    const { freeFailures, stepMs, maxDelayMs } = this.limits
    const excess = (this.live(key, now)?.failures ?? 0) - freeFailures
    // Capped exponent: 2^30 steps is far beyond any maxDelayMs.
    return excess <= 0 ? 0 : Math.min(stepMs * 2 ** Math.min(excess - 1, 30), maxDelayMs)
  }

  fail (key: string, now: number): void {
    const entry = this.live(key, now) ?? { failures: 0, windowStart: now, expiresAt: 0 }
    if (now - entry.windowStart >= this.limits.windowMs) {
      entry.failures = 0
      entry.windowStart = now
    }
    entry.failures++
    entry.expiresAt = entry.windowStart + this.limits.windowMs
    this.put(key, entry, now)
  }
}

function blockLimits (name: string, l: BlockLimits): BlockLimits {
  for (const [k, v] of Object.entries(l)) positive(`${name}.${k}`, v)
  if (l.maxBlockMs < l.baseBlockMs) throw new RangeError(`${name}.maxBlockMs must be >= ${name}.baseBlockMs`)
  return l
}

function slowLimits (l: SlowLimits): SlowLimits {
  positive('identity.windowMs', l.windowMs)
  positive('identity.stepMs', l.stepMs)
  positive('identity.maxDelayMs', l.maxDelayMs)
  if (!Number.isInteger(l.freeFailures) || l.freeFailures < 0) throw new RangeError(`identity.freeFailures must be a whole number >= 0, got ${l.freeFailures}`)
  return l
}

function positive (name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number, got ${value}`)
  return value
}
