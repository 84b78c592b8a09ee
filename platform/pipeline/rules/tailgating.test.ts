import { describe, expect, it } from 'vitest'
import { access, line, RuleHarness, S, T0, TestView, tick } from './rules.test-kit.ts'
import { detectTailgating } from './tailgating.ts'

const only = [detectTailgating]

function world (): { view: TestView; h: RuleHarness } {
  const view = new TestView()
  view.addResident('r1', 'room1')
  view.addResident('r2', 'room1')
  return { view, h: new RuleHarness(view, { only, params: { tailgatingWindowS: 10 } }) }
}

describe('tailgating', () => {
  it('camera entries explained by granted entries raise nothing', () => {
    const { view, h } = world()
    h.feed(access(view, { card: 'C-R1', at: T0 - 3 * S }), access(view, { card: 'C-R2', at: T0 - 2 * S }), line(2, { at: T0 }))
    expect(h.feed(tick(T0 + 11 * S))).toEqual([])
  })

  it('more people in than granted entries is one alert per door, counted per unexplained period', () => {
    const { view, h } = world()
    h.feed(access(view, { card: 'C-R1', at: T0 - 3 * S }), line(3, { at: T0 }))
    const [c] = h.feed(tick(T0 + 11 * S))
    expect(c).toMatchObject({ type: 'tailgating', severity: 'major', dedupKey: 'tailgating:b1:main', door: 'main', deviceId: 'cam-1', at: T0 })
    expect(c!.explanation).toContain('counted 3 people')
    expect(c!.explanation).toContain('2 entered without a credential')
    expect(c!.evidence).toHaveLength(2) // the grant and the camera count
    h.feed(line(1, { at: T0 + 60 * S }))
    const [again] = h.feed(tick(T0 + 71 * S))
    expect(again!.dedupKey).toBe(c!.dedupKey)
  })

  it('waits for the window before judging, so a reader event that arrives late still counts', () => {
    const { view, h } = world()
    h.feed(line(1, { at: T0 }))
    expect(h.feed(tick(T0 + 5 * S))).toEqual([])
    // The swipe happened before the count but reached the platform after it.
    h.feed(access(view, { card: 'C-R1', at: T0 - 4 * S }))
    expect(h.feed(tick(T0 + 11 * S))).toEqual([])
  })

  it('each grant explains one person only once', () => {
    const { view, h } = world()
    h.feed(access(view, { card: 'C-R1', at: T0 - 2 * S }), line(1, { at: T0 }), line(1, { at: T0 + 5 * S, periodS: 5 }))
    const found = h.feed(tick(T0 + 20 * S))
    expect(found).toHaveLength(1)
    expect(found[0]!.explanation).toContain('only 0 granted entries')
  })

  it('grants outside the window and denied or outgoing swipes explain nobody', () => {
    const { view, h } = world()
    h.feed(
      access(view, { card: 'C-R1', at: T0 - 60 * S }),
      access(view, { card: 'FFFF0000', at: T0 - 1 * S }),
      access(view, { card: 'C-R2', at: T0 - 1 * S, direction: 'out' }),
      line(1, { at: T0, periodS: 10 }),
    )
    expect(h.feed(tick(T0 + 11 * S))).toHaveLength(1)
  })

  it('counts with nobody going in, or at another door, do not mix', () => {
    const { view, h } = world()
    h.feed(access(view, { card: 'C-R1', at: T0 - 1 * S, door: 'back' }), line(0, { at: T0, out: 4 }), line(1, { at: T0, door: 'main' }))
    const found = h.feed(tick(T0 + 11 * S))
    expect(found.map((c) => c.door)).toEqual(['main'])
  })

  it('a grant inside a later counting period explains that period, not an earlier one short of grants', () => {
    // A tenant comes in with someone slipping in behind (2 counted, 1 grant); a few seconds later the next
    // tenant comes in alone, in the camera's next period. The second grant lies within the first period's
    // window, but it belongs to the period it falls in: the first period is the one with a person unexplained.
    const { view, h } = world()
    h.feed(
      access(view, { card: 'C-R1', at: T0 - 3 * S }), line(2, { at: T0, periodS: 5 }),
      access(view, { card: 'C-R2', at: T0 + 3 * S }), line(1, { at: T0 + 5 * S, periodS: 5 }),
    )
    const found = [...h.feed(tick(T0 + 11 * S)), ...h.feed(tick(T0 + 16 * S))]
    expect(found).toHaveLength(1)
    expect(found[0]).toMatchObject({ at: T0 })
    expect(found[0]!.explanation).toContain('counted 2 people')
    expect(found[0]!.explanation).toContain('only 1 granted entry explains')
  })

  it('a grant left over by its own period may still explain a neighbour within the window', () => {
    // The reader's clock runs 7 s ahead of the camera's: the grant falls in the next period, which counted nobody.
    const { view, h } = world()
    h.feed(line(1, { at: T0, periodS: 5 }), access(view, { card: 'C-R1', at: T0 + 3 * S }), line(0, { at: T0 + 5 * S, periodS: 5 }))
    expect([...h.feed(tick(T0 + 11 * S)), ...h.feed(tick(T0 + 16 * S))]).toEqual([])
  })
})
