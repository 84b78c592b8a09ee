// The outbox (§10.3): order, acknowledgement, requeue after a lost
// connection, dropping the oldest when full.

import { describe, expect, it } from 'vitest'
import { Outbox } from './outbox.ts'

describe('outbox', () => {
  it('sends in order, forgets what was acknowledged, sends the rest again after a lost connection', () => {
    const o = new Outbox(3)
    const e = [1, 2, 3].map((i) => ({ topic: 't', payload: String(i) }))
    for (const x of e) o.push(x)
    expect(o.takeNext()).toBe(e[0])
    expect(o.takeNext()).toBe(e[1])
    expect(o.acknowledge(e[0]!)).toBe(true)
    expect(o.inFlight).toBe(1)
    o.requeue()
    expect(o.takeNext()).toBe(e[1])
    expect(o.takeNext()).toBe(e[2])
    expect(o.takeNext()).toBeUndefined()
  })

  it('drops the oldest when full, and counts it', () => {
    const o = new Outbox(2)
    for (const p of ['a', 'b', 'c']) o.push({ topic: 't', payload: p })
    expect(o.dropped).toBe(1)
    expect(o.takeNext()?.payload).toBe('b')
    expect(o.discard()).toBe(2)
    expect(o.dropped).toBe(3)
  })
})
