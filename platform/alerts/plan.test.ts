import { describe, expect, it } from 'vitest'
import { candidate } from './alerts.test-kit.ts'
import { plan, tailDistinct } from './plan.ts'

describe('plan', () => {
  it('folds same-key candidates: count, highest severity, first and last time, latest explanation', () => {
    const p = plan([
      candidate('b', { dedupKey: 'k', severity: 'warning', at: 3000, evidence: ['e/1'], explanation: 'one' }),
      candidate('b', { dedupKey: 'k', severity: 'critical', at: 1000, evidence: ['e/2'], explanation: 'two' }),
      candidate('b', { dedupKey: 'k', severity: 'info', at: 2000, evidence: ['e/1', 'e/3'], explanation: 'three' }),
    ], 0)
    expect(p.rounds).toHaveLength(1)
    const m = p.rounds[0]!.raises[0]!
    expect(m).toMatchObject({ dedupKey: 'k', count: 3, severity: 'critical', firstAt: 1000, lastAt: 3000, evidence: ['e/2', 'e/1', 'e/3'] })
    expect(m.latest.explanation).toBe('three')
  })

  it('splits a key at each clear into rounds, keeping order; repeated clears collapse', () => {
    const p = plan([
      candidate('b', { dedupKey: 'a' }), candidate('b', { dedupKey: 'a', clears: true }), candidate('b', { dedupKey: 'a', clears: true }),
      candidate('b', { dedupKey: 'z' }), candidate('b', { dedupKey: 'a' }),
    ], 0)
    expect(p.rounds.map((r) => [r.raises.map((x) => x.dedupKey), r.clears.map((x) => x.dedupKey)])).toEqual([
      [['a', 'z'], []], [[], ['a']], [['a'], []],
    ])
  })

  it('folds a condition\'s updates into the run they follow without counting them; updates alone update', () => {
    const p = plan([
      candidate('b', { dedupKey: 'raised', level: 3 }), candidate('b', { dedupKey: 'raised', level: 4, updates: true, explanation: 'four' }),
      candidate('b', { dedupKey: 'earlier', level: 5, updates: true }), candidate('b', { dedupKey: 'earlier', level: 6, updates: true, explanation: 'six' }),
    ], 0)
    expect(p.rounds).toHaveLength(1)
    const [round] = p.rounds
    expect(round!.raises.map((m) => [m.dedupKey, m.count, m.level, m.latest.explanation])).toEqual([['raised', 1, 4, 'four']])
    expect(round!.updates.map((m) => [m.dedupKey, m.count, m.level, m.latest.explanation])).toEqual([['earlier', 0, 6, 'six']])
  })

  it('rejects malformed candidates and replaces a non-finite time with now', () => {
    const p = plan([
      { ...candidate('b'), type: 'nope' as 'tamper' }, { ...candidate('b'), severity: 'huge' as 'info' },
      candidate('b', { dedupKey: '' }), candidate('b', { dedupKey: 'ok', at: Number.NaN }),
    ], 42)
    expect(p.rejected.map((r) => r.reason)).toEqual(['unknown type nope', 'unknown severity huge', 'empty dedupKey'])
    expect(p.rounds[0]!.raises[0]).toMatchObject({ firstAt: 42, lastAt: 42 })
  })

  it('keeps the last 20 distinct evidence entries, most recent last', () => {
    const items = Array.from({ length: 30 }, (_, i) => `e/${i % 25}`)
    expect(tailDistinct(items)).toEqual([...Array.from({ length: 15 }, (_, i) => `e/${i + 10}`), 'e/0', 'e/1', 'e/2', 'e/3', 'e/4'])
  })
})
