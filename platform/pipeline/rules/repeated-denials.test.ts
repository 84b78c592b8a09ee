import { describe, expect, it } from 'vitest'
import { detectRepeatedDenials } from './repeated-denials.ts'
import { access, MIN, presentedKeyOf, RuleHarness, S, T0, TestView } from './rules.test-kit.ts'

describe('repeated denials', () => {
  const params = { deniedInARow: 5, deniedRunGapS: 600 }

  it('five denials in a row with one card raise one alert with the whole run as evidence; more count on it', () => {
    // The card is named by its keyed digest in the key and the state, never by its number.
    const view = new TestView()
    const h = new RuleHarness(view, { only: [detectRepeatedDenials], params })
    const swipes = [0, 1, 2, 3].map((i) => access(view, { card: 'BAD00001', at: T0 + i * S }))
    expect(h.feed(...swipes)).toEqual([])
    const [c] = h.feed(access(view, { card: 'BAD00001', at: T0 + 4 * S }))
    expect(c).toMatchObject({ type: 'repeated_denials', severity: 'major', dedupKey: `repeated_denials:cred:b1:${presentedKeyOf('card', 'BAD00001')}` })
    expect(JSON.stringify(c)).not.toContain('BAD00001')
    expect(h.state.serialize()).not.toContain('BAD00001')
    expect(c!.evidence).toHaveLength(5)
    const [more] = h.feed(access(view, { card: 'BAD00001', at: T0 + 5 * S }))
    expect(more!.dedupKey).toBe(c!.dedupKey)
    expect(more!.evidence).toHaveLength(1)
  })

  it('different cards denied in a row at one door raise the door alarm', () => {
    const view = new TestView()
    const h = new RuleHarness(view, { only: [detectRepeatedDenials], params })
    const found = h.feed(...[0, 1, 2, 3, 4].map((i) => access(view, { card: `BAD0000${i}`, at: T0 + i * S })))
    expect(found.map((c) => c.dedupKey)).toEqual(['repeated_denials:door:b1:main'])
  })

  it('a granted passage or a long pause breaks the run', () => {
    const view = new TestView()
    view.addResident('r1', 'room1')
    const h = new RuleHarness(view, { only: [detectRepeatedDenials], params })
    h.feed(...[0, 1, 2, 3].map((i) => access(view, { card: 'BAD00001', at: T0 + i * S })))
    h.feed(access(view, { card: 'C-R1', at: T0 + 5 * S }))
    expect(h.feed(access(view, { card: 'BAD00002', at: T0 + 6 * S }))).toEqual([])
    // The card's own run went on through the door's grant, and ends after a pause.
    expect(h.feed(access(view, { card: 'BAD00001', at: T0 + 20 * MIN }))).toEqual([])
    expect(h.state.denialRuns.get(`cred:b1:${presentedKeyOf('card', 'BAD00001')}`)!.count).toBe(1)
  })
})
