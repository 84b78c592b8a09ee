import { describe, expect, it } from 'vitest'
import type { Actor } from './access.ts'
import { SessionCache } from './session-cache.ts'

const police: Actor = { id: 'u1', role: 'police', username: 'police-1', areaPath: '/d/s/' }

function setup (ttlMs = 60_000, maxEntries = 3): { cache: SessionCache; clock: { t: number } } {
  const clock = { t: 1_000_000 }
  return { cache: new SessionCache({ now: () => clock.t, ttlMs, maxEntries }), clock }
}

describe('SessionCache', () => {
  it('answers for ttlMs after the last validation, never past the session expiry', () => {
    const { cache, clock } = setup()
    cache.put('h1', police, clock.t + 30_000)
    cache.put('h2', police, clock.t + 600_000)
    clock.t += 29_999
    expect(cache.get('h1')).toEqual(police)
    clock.t += 1
    expect(cache.get('h1')).toBeUndefined()
    expect(cache.get('h2')).toEqual(police)
    clock.t += 30_000
    expect(cache.get('h2')).toBeUndefined()
  })

  it('hands out copies: a request decorating its actor does not change the next one', () => {
    const { cache, clock } = setup()
    const a = { ...police }
    cache.put('h1', a, clock.t + 60_000)
    a.ip = '10.0.0.1'
    const got = cache.get('h1')!
    got.ip = '10.0.0.2'
    expect(cache.get('h1')).toEqual(police)
  })

  it('forgets a token, or every session of an account', () => {
    const { cache, clock } = setup(60_000, 10)
    cache.put('h1', police, clock.t + 60_000)
    cache.put('h2', police, clock.t + 60_000)
    cache.put('h3', { id: 'u2', role: 'admin', username: 'root' }, clock.t + 60_000)
    cache.forgetToken('h1')
    expect(cache.get('h1')).toBeUndefined()
    cache.forgetUser('u1')
    expect(cache.get('h2')).toBeUndefined()
    expect(cache.get('h3')?.username).toBe('root')
  })

  it('keeps at most maxEntries, dropping the least recently validated', () => {
    const { cache, clock } = setup(60_000, 3)
    for (const h of ['h1', 'h2', 'h3']) cache.put(h, police, clock.t + 60_000)
    cache.put('h1', police, clock.t + 60_000) // validated again: now the newest
    cache.put('h4', police, clock.t + 60_000)
    expect(cache.size).toBe(3)
    expect(cache.get('h2')).toBeUndefined()
    expect(cache.get('h1')).toBeDefined()
  })
})
