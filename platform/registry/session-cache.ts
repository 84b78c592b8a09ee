// Sessions this node validated recently, kept so that token checks survive a
// database outage. The database stays the authority: the cache is read only
// when the session lookup fails, and only for sessions validated within `ttlMs`
// (and never past their own expiry). Logout and disabling an account forget
// their sessions here at once; on other nodes such a change takes effect at
// the next successful lookup, so during an outage it can take up to `ttlMs`.
// Bounded: beyond `maxEntries` the least recently validated session goes.

import type { Actor } from './access.ts'

export interface SessionCacheOptions {
  now: () => number
  /** How long after its last successful validation a session may be served from here; default 10 min. */
  ttlMs?: number
  maxEntries?: number
}

interface Entry {
  actor: Actor
  validatedAt: number
  expiresAt: number
}

export class SessionCache {
  private readonly now: () => number
  private readonly ttlMs: number
  private readonly maxEntries: number
  // Map order is validation order: every put re-inserts its key at the end.
  private readonly entries = new Map<string, Entry>()

  constructor (options: SessionCacheOptions) {
    this.now = options.now
    this.ttlMs = options.ttlMs ?? 10 * 60_000
    this.maxEntries = options.maxEntries ?? 10_000
  }

  /** Records a session the database just confirmed. */
  put (tokenHash: string, actor: Actor, sessionExpiresAt: number): void {
    this.entries.delete(tokenHash)
    this.entries.set(tokenHash, { actor: { ...actor }, validatedAt: this.now(), expiresAt: sessionExpiresAt })
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break
      this.entries.delete(key)
    }
  }

  /** A copy of the actor (callers decorate it per request), or undefined when unknown or too old. */
  get (tokenHash: string): Actor | undefined {
    const e = this.entries.get(tokenHash)
    if (e === undefined) return undefined
    const now = this.now()
    if (now - e.validatedAt >= this.ttlMs || now >= e.expiresAt) {
      this.entries.delete(tokenHash)
      return undefined
    }
    return { ...e.actor }
  }

  forgetToken (tokenHash: string): void {
    this.entries.delete(tokenHash)
  }

  forgetUser (userId: string): void {
    for (const [key, e] of this.entries) if (e.actor.id === userId) this.entries.delete(key)
  }

  get size (): number { return this.entries.size }
}
