import { Subject } from 'rxjs'
import { describe, expect, it } from 'vitest'
import type { Actor } from '../registry/access.ts'
import { CLOSE_REASONS, LiveStream } from './live-stream.ts'
import type { Alert, AlertChange, AlertChangeKind } from './model.ts'

const landlordA: Actor = { id: 'la', role: 'landlord', username: 'la' }
const landlordB: Actor = { id: 'lb', role: 'landlord', username: 'lb' }
const police: Actor = { id: 'p', role: 'police', username: 'p', areaPath: '/d1/s1/' }
const vendor: Actor = { id: 'v', role: 'vendor', username: 'v' }
const admin: Actor = { id: 'a', role: 'admin', username: 'a' }

function change (id: string, kind: AlertChangeKind, landlordId: string, areaPath: string, count = 1): AlertChange {
  return { kind, alert: { id, count, areaPath } as Alert, scope: { landlordId, areaPath } }
}

const drain = async (s: { buffered: number; next: () => Promise<AlertChange | undefined> }): Promise<AlertChange[]> => {
  const out: AlertChange[] = []
  while (s.buffered > 0) out.push((await s.next())!)
  return out
}

describe('LiveStream', () => {
  it('gives each subscriber only the alerts in its scope', async () => {
    const changes$ = new Subject<AlertChange>()
    const live = new LiveStream({ changes$ })
    live.start()
    const subs = [landlordA, landlordB, police, vendor, admin].map((a) => live.subscribe(a))
    changes$.next(change('x', 'opened', 'la', '/d1/s1/c1/g1/'))
    changes$.next(change('y', 'opened', 'lb', '/d2/s2/c2/g2/'))
    const got = await Promise.all(subs.map(async (s) => (await drain(s)).map((c) => c.alert.id)))
    expect(got).toEqual([['x'], ['y'], ['x'], [], ['x', 'y']])
    live.stop()
  })

  it('folds counter updates of a pending alert into it and keeps transitions', async () => {
    const changes$ = new Subject<AlertChange>()
    const live = new LiveStream({ changes$, maxBuffer: 3 })
    live.start()
    const s = live.subscribe(admin)
    changes$.next(change('x', 'opened', 'la', '/d1/'))
    for (let i = 2; i <= 500; i++) changes$.next(change('x', 'updated', 'la', '/d1/', i))
    changes$.next(change('x', 'acknowledged', 'la', '/d1/', 500))
    changes$.next(change('x', 'updated', 'la', '/d1/', 501))
    expect(s.closeReason).toBeUndefined()
    expect((await drain(s)).map((c) => [c.kind, c.alert.count])).toEqual([['opened', 500], ['acknowledged', 501]])
    expect(s.counters.folded).toBe(500)
    live.stop()
  })

  it('drops a slow consumer with a clear reason instead of growing its buffer', async () => {
    const changes$ = new Subject<AlertChange>()
    const live = new LiveStream({ changes$, maxBuffer: 10 })
    live.start()
    const slow = live.subscribe(admin)
    const fast = live.subscribe(admin)
    const seen: string[] = []
    const reader = (async () => { for await (const c of fast) seen.push(c.alert.id) })()
    for (let i = 0; i < 11; i++) changes$.next(change(`a${i}`, 'opened', 'la', '/d1/'))
    await new Promise((r) => setTimeout(r, 10))
    expect(slow.closeReason).toBe(CLOSE_REASONS.slow)
    expect(await slow.closed).toBe('slow_consumer')
    expect(await slow.next()).toBeUndefined()
    expect(live.counters.dropped).toBe(1)
    expect(fast.closeReason).toBeUndefined()
    expect(live.size).toBe(1)
    changes$.complete()
    await reader
    expect(seen).toHaveLength(11)
    expect(fast.closeReason).toBe(CLOSE_REASONS.shutdown)
    expect(live.subscribe(admin).closeReason).toBeUndefined()
    live.stop()
    expect(live.subscribe(admin).closeReason).toBe(CLOSE_REASONS.shutdown)
  })
})

describe('LiveStream connection limits', () => {
  const at = (a: Actor, ip: string): Actor => ({ ...a, ip })

  it('refuses a subscriber beyond the limit per account, per address or in total, and counts each', () => {
    const live = new LiveStream({ changes$: new Subject<AlertChange>(), limits: { perAccount: 2, perAddress: 2, total: 4 } })
    live.start()
    live.subscribe(at(police, '10.0.0.1'))
    live.subscribe(at(police, '10.0.0.2'))
    expect(() => live.subscribe(at(police, '10.0.0.3'))).toThrow(expect.objectContaining({ statusCode: 429, code: 'RH_TOO_MANY_STREAMS', message: expect.stringMatching(/account/) }))
    live.subscribe(at(admin, '10.0.0.1'))
    expect(() => live.subscribe(at(landlordA, '10.0.0.1'))).toThrow(expect.objectContaining({ code: 'RH_TOO_MANY_STREAMS', message: expect.stringMatching(/address/) }))
    live.subscribe(at(landlordA, '10.0.0.4'))
    expect(() => live.subscribe(at(landlordB, '10.0.0.5'))).toThrow(expect.objectContaining({ code: 'RH_TOO_MANY_STREAMS', message: expect.stringMatching(/platform/) }))
    expect(live.stats()).toEqual({ open: 4, dropped: 0, refused: { account: 1, address: 1, total: 1 }, limits: { perAccount: 2, perAddress: 2, total: 4 } })
    live.stop()
  })

  it('frees the places of closed subscribers', () => {
    const live = new LiveStream({ changes$: new Subject<AlertChange>(), limits: { perAccount: 1, perAddress: 1, total: 1 } })
    live.start()
    const s = live.subscribe(at(police, '10.0.0.1'))
    expect(() => live.subscribe(at(police, '10.0.0.1'))).toThrow()
    s.close()
    s.close() // idempotent: frees one place, once
    live.subscribe(at(police, '10.0.0.1'))
    expect(live.stats().open).toBe(1)
    live.stop()
    expect(live.stats().open).toBe(0)
  })
})
