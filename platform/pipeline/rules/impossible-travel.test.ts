import { describe, expect, it } from 'vitest'
import { MAX_SIGHTINGS, PipelineState } from '../state.ts'
import { detectImpossibleTravel, distanceKm } from './impossible-travel.ts'
import { access, H, MIN, presentedKeyOf, RuleHarness, S, T0, TestView, tick } from './rules.test-kit.ts'

/** b1 and b2 are 10 km apart (north-south); b3 has no location. */
function site (): TestView {
  const view = new TestView()
  view.addRoom('room1', { buildingId: 'b1' })
  view.addRoom('room2', { buildingId: 'b2' })
  view.addRoom('room3', { buildingId: 'b3' })
  view.locations.set('b1', { lat: 23, lon: 113.1 })
  view.locations.set('b2', { lat: 23 + 10 / 111.195, lon: 113.1 })
  view.addCredential({ credentialId: 'cred-1', value: 'E0040150AAAA0001', kind: 'card', buildingId: 'b1', roomId: 'room1', residentId: 'r1' })
  return view
}

const CARD = presentedKeyOf('card', 'E0040150AAAA0001')

const at = (view: TestView, buildingId: string, t: number, o: { card?: string; kind?: 'card' | 'pin' | 'face' | 'qr'; result?: 'granted' | 'denied' } = {}) =>
  access(view, { card: o.card ?? 'E0040150AAAA0001', kind: o.kind ?? 'card', at: t, buildingId, deviceId: `${buildingId}-reader`, ...(o.result === undefined ? {} : { result: o.result }) })

describe('impossible travel', () => {
  it('measures the distance between two points', () => {
    expect(distanceKm({ lat: 23, lon: 113.1 }, { lat: 23 + 10 / 111.195, lon: 113.1 })).toBeCloseTo(10, 2)
    expect(distanceKm({ lat: 39.9042, lon: 116.4074 }, { lat: 23.1291, lon: 113.2644 })).toBeCloseTo(1888, -1) // Beijing - Guangzhou
  })

  it('a card used at one building and 3 minutes later at another 10 km away is a copy: each building gets its own side', () => {
    const view = site()
    const h = new RuleHarness(view, { only: [detectImpossibleTravel], params: { travelMaxKmh: 60 } })
    const first = at(view, 'b1', T0)
    expect(h.feed(first)).toEqual([])
    const second = at(view, 'b2', T0 + 3 * MIN, { result: 'denied' })
    const [own, copy, ...rest] = h.feed(second)
    expect(rest).toEqual([])
    // The card's own building: its door, device, event, credential and holder; the card named by its digest.
    expect(own).toEqual({
      type: 'impossible_travel', severity: 'major', dedupKey: `impossible_travel:b1:${CARD}`, buildingId: 'b1',
      credentialId: 'cred-1', residentId: 'r1', door: 'main', deviceId: 'b1-reader', evidence: [first.ref], at: second.at,
      explanation: expect.stringContaining('…0001') as string,
      // What it says, as data: the card masked, the gap in seconds, nothing of the other building.
      reason: { code: 'impossible_travel.here', params: { credential: { kind: 'card', masked: '…0001' }, door: 'main', gapS: 180, order: 'before', holder: 'here' } },
    })
    expect(own!.explanation).toContain('presented here at door main 3 min before it was presented at another building')
    expect(own!.explanation).toContain('registered here')
    // Where the copy was shown: its door, device and event only; the card is another building's.
    expect(copy).toEqual({
      type: 'impossible_travel', severity: 'major', dedupKey: `impossible_travel:b2:${CARD}`, buildingId: 'b2',
      door: 'main', deviceId: 'b2-reader', evidence: [second.ref], at: second.at, explanation: expect.stringContaining('3 min after') as string,
      reason: { code: 'impossible_travel.here', params: { credential: { kind: 'card', masked: '…0001' }, door: 'main', gapS: 180, order: 'after', holder: 'elsewhere' } },
    })
    expect(copy!.explanation).toContain('registered to another building')
    for (const c of [own, copy]) expect(JSON.stringify(c)).not.toContain('E0040150AAAA0001')
    // Neither names the other building, its device, its event, its holder.
    expect(own!.explanation).not.toContain(' km')
    for (const theirs of ['b1', 'b1-reader', first.ref, 'cred-1', 'r1']) expect(copy!.explanation + copy!.evidence.join()).not.toContain(theirs)
    for (const theirs of ['b2', 'b2-reader', second.ref]) expect(own!.explanation + own!.evidence.join()).not.toContain(theirs)
    // Back at b1 two minutes later: impossible again, on the same alerts.
    expect(h.feed(at(view, 'b1', T0 + 5 * MIN)).map((c) => c.dedupKey).sort()).toEqual([own!.dedupKey, copy!.dedupKey])
  })

  it('a card of a third building used at two others: each of those gets its side, the owner an alert naming neither', () => {
    const view = site()
    view.addRoom('room4', { buildingId: 'b4' })
    view.addCredential({ credentialId: 'cred-4', value: 'E0040150BBBB0004', kind: 'card', buildingId: 'b4', roomId: 'room4', residentId: 'r4' })
    const h = new RuleHarness(view, { only: [detectImpossibleTravel], params: { travelMaxKmh: 60 } })
    const card = { card: 'E0040150BBBB0004' }
    h.feed(at(view, 'b1', T0, card))
    const found = h.feed(at(view, 'b2', T0 + MIN, card))
    expect(found.map((c) => [c.buildingId, c.credentialId, c.deviceId])).toEqual([['b1', undefined, 'b1-reader'], ['b2', undefined, 'b2-reader'], ['b4', 'cred-4', undefined]])
    const owner = found[2]!
    expect(owner).toMatchObject({ residentId: 'r4', evidence: [], dedupKey: `impossible_travel:b4:${presentedKeyOf('card', 'E0040150BBBB0004')}` })
    expect(owner.door).toBeUndefined()
    expect(owner.explanation).toContain('registered here, was presented at two other buildings 60 s apart')
    expect(owner.explanation).not.toMatch(/b1|b2|reader/)
  })

  it('a trip that takes long enough, the same building twice, PINs and faces raise nothing', () => {
    const view = site()
    const h = new RuleHarness(view, { only: [detectImpossibleTravel], params: { travelMaxKmh: 60 } })
    expect(h.feed(at(view, 'b1', T0), at(view, 'b1', T0 + 10 * S), at(view, 'b2', T0 + 11 * MIN))).toEqual([])
    expect(h.feed(at(view, 'b1', T0 + H, { kind: 'pin', card: '1234' }), at(view, 'b2', T0 + H + S, { kind: 'pin', card: '1234' }))).toEqual([])
    expect(h.feed(at(view, 'b1', T0 + H, { kind: 'face', card: 'face-1' }), at(view, 'b2', T0 + H + S, { kind: 'face', card: 'face-1' }))).toEqual([])
  })

  it('allows for the clock tolerance of both readers', () => {
    const view = site()
    view.locations.set('b2', { lat: 23 + 1 / 111.195, lon: 113.1 }) // 1 km: at least 60 s at 60 km/h
    const h = new RuleHarness(view, { only: [detectImpossibleTravel], params: { travelMaxKmh: 60, clockDriftMaxS: 5 } })
    expect(h.feed(at(view, 'b1', T0), at(view, 'b2', T0 + 51 * S))).toEqual([])
    expect(h.feed(at(view, 'b1', T0 + 100 * S))).toHaveLength(2) // 49 s: one alert at each building
  })

  it('without a location, two buildings within the minimum gap; a card registered nowhere is reported at both buildings', () => {
    const view = site()
    const h = new RuleHarness(view, { only: [detectImpossibleTravel], params: { travelMinGapS: 30 } })
    expect(h.feed(at(view, 'b1', T0), at(view, 'b3', T0 + 40 * S), at(view, 'b3', T0 + 80 * S))).toEqual([])
    const [, c] = h.feed(at(view, 'b1', T0 + 100 * S))
    expect(c).toMatchObject({ buildingId: 'b1', credentialId: 'cred-1' })
    expect(c!.explanation).toContain('20 s after')
    const stranger = { card: '0BADC0DE0001' }
    h.feed(at(view, 'b1', T0 + H, stranger))
    const seen = h.feed(at(view, 'b3', T0 + H + 10 * S, stranger))
    expect(seen.map((u) => u.dedupKey)).toEqual(['b1', 'b3'].map((b) => `impossible_travel:${b}:${presentedKeyOf('card', '0BADC0DE0001')}`))
    for (const u of seen) {
      expect(u.credentialId).toBeUndefined()
      expect(u.explanation).toContain('registered nowhere')
    }
  })

  it('judges a passage replayed late against the latest one, and keeps the latest', () => {
    const view = site()
    const h = new RuleHarness(view, { only: [detectImpossibleTravel], params: { travelMaxKmh: 60 } })
    h.feed(at(view, 'b2', T0 + 3 * MIN))
    expect(h.feed(at(view, 'b1', T0))).toHaveLength(2)
    expect(h.state.sightings.get(CARD)).toMatchObject({ buildingId: 'b2', at: T0 + 3 * MIN })
  })

  it('keeps its memory bounded and in the checkpoint; an older checkpoint has none', () => {
    const view = site()
    const h = new RuleHarness(view, { only: [detectImpossibleTravel] })
    h.feed(at(view, 'b1', T0), at(view, 'b2', T0 + 2 * H, { card: '0BADC0DE0002' }))
    expect(PipelineState.restore(h.state.serialize()).sightings.get(CARD)).toMatchObject({ buildingId: 'b1', at: T0 })
    expect(h.state.serialize()).not.toContain('0BADC0DE0002')
    h.feed(tick(T0 + 25 * H))
    expect([...h.state.sightings.keys()]).toEqual([presentedKeyOf('card', '0BADC0DE0002')])
    const old = JSON.parse(h.state.serialize()) as Record<string, unknown>
    delete old.sightings
    expect(PipelineState.restore(JSON.stringify(old)).sightings.size).toBe(0)
    // A checkpoint of before keyed digests named cards by their number: those entries are dropped, the rest kept.
    const legacy = JSON.parse(h.state.serialize()) as { sightings: Array<[string, unknown]>; denialRuns: Array<[string, unknown]> }
    legacy.sightings.push(['card:0BADC0DE0003', { buildingId: 'b1', door: 'main', at: T0, ref: 'd/1' }])
    const run = { buildingId: 'b1', count: 2, lastAt: T0, refs: [] }
    legacy.denialRuns.push(['cred:b1:card:0BADC0DE0003', run], ['door:b1:main', run], ['cred:b1:pin:cred-9', run], [`cred:b1:${CARD}`, run])
    const restored = PipelineState.restore(JSON.stringify(legacy))
    expect([...restored.sightings.keys()]).toEqual([presentedKeyOf('card', '0BADC0DE0002')])
    expect([...restored.denialRuns.keys()]).toEqual(['door:b1:main', 'cred:b1:pin:cred-9', `cred:b1:${CARD}`])
    expect(restored.serialize()).not.toContain('0BADC0DE0003')
    const s = new PipelineState()
    for (let i = 0; i < MAX_SIGHTINGS + 5; i++) s.touchSighting(`card:${i}`, { buildingId: 'b1', door: 'main', at: i, ref: `d/${i}` })
    expect(s.sightings.size).toBe(MAX_SIGHTINGS)
    expect(s.sightings.has('card:0')).toBe(false)
  })
})
