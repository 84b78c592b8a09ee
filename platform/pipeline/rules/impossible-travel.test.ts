import { describe, expect, it } from 'vitest'
import { MAX_SIGHTINGS, PipelineState } from '../state.ts'
import { detectImpossibleTravel, distanceKm } from './impossible-travel.ts'
import { access, H, MIN, RuleHarness, S, T0, TestView, tick } from './rules.test-kit.ts'

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

const at = (view: TestView, buildingId: string, t: number, o: { card?: string; kind?: 'card' | 'pin' | 'face' | 'qr'; result?: 'granted' | 'denied' } = {}) =>
  access(view, { card: o.card ?? 'E0040150AAAA0001', kind: o.kind ?? 'card', at: t, buildingId, deviceId: `${buildingId}-reader`, ...(o.result === undefined ? {} : { result: o.result }) })

describe('impossible travel', () => {
  it('measures the distance between two points', () => {
    expect(distanceKm({ lat: 23, lon: 113.1 }, { lat: 23 + 10 / 111.195, lon: 113.1 })).toBeCloseTo(10, 2)
    expect(distanceKm({ lat: 39.9042, lon: 116.4074 }, { lat: 23.1291, lon: 113.2644 })).toBeCloseTo(1888, -1) // Beijing - Guangzhou
  })

  it('a card used at one building and 3 minutes later at another 10 km away is a copy: one alert at its own building', () => {
    const view = site()
    const h = new RuleHarness(view, { only: [detectImpossibleTravel], params: { travelMaxKmh: 60 } })
    const first = at(view, 'b1', T0)
    expect(h.feed(first)).toEqual([])
    const second = at(view, 'b2', T0 + 3 * MIN, { result: 'denied' })
    const [c] = h.feed(second)
    expect(c).toMatchObject({
      type: 'impossible_travel', severity: 'major', dedupKey: 'impossible_travel:b1:card:E0040150AAAA0001', buildingId: 'b1',
      credentialId: 'cred-1', residentId: 'r1', door: 'main', deviceId: 'b2-reader', evidence: [first.ref, second.ref],
    })
    expect(c!.explanation).toContain('…0001')
    expect(c!.explanation).toContain('10.0 km')
    expect(c!.explanation).not.toContain('E0040150AAAA0001')
    // Back at b1 two minutes later: impossible again, on the same alert.
    expect(h.feed(at(view, 'b1', T0 + 5 * MIN))).toMatchObject([{ dedupKey: c!.dedupKey }])
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
    expect(h.feed(at(view, 'b1', T0 + 100 * S))).toHaveLength(1) // 49 s
  })

  it('without a location, two buildings within the minimum gap; a card registered nowhere is reported where it was seen last', () => {
    const view = site()
    const h = new RuleHarness(view, { only: [detectImpossibleTravel], params: { travelMinGapS: 30 } })
    expect(h.feed(at(view, 'b1', T0), at(view, 'b3', T0 + 40 * S), at(view, 'b3', T0 + 80 * S))).toEqual([])
    const [c] = h.feed(at(view, 'b1', T0 + 100 * S))
    expect(c).toMatchObject({ buildingId: 'b1', credentialId: 'cred-1' })
    expect(c!.explanation).toContain('20 s')
    const stranger = { card: '0BADC0DE0001' }
    h.feed(at(view, 'b1', T0 + H, stranger))
    const [u] = h.feed(at(view, 'b3', T0 + H + 10 * S, stranger))
    expect(u).toMatchObject({ type: 'impossible_travel', buildingId: 'b3', dedupKey: 'impossible_travel:b3:card:0BADC0DE0001' })
    expect(u!.credentialId).toBeUndefined()
  })

  it('judges a passage replayed late against the latest one, and keeps the latest', () => {
    const view = site()
    const h = new RuleHarness(view, { only: [detectImpossibleTravel], params: { travelMaxKmh: 60 } })
    h.feed(at(view, 'b2', T0 + 3 * MIN))
    expect(h.feed(at(view, 'b1', T0))).toHaveLength(1)
    expect(h.state.sightings.get('card:E0040150AAAA0001')).toMatchObject({ buildingId: 'b2', at: T0 + 3 * MIN })
  })

  it('keeps its memory bounded and in the checkpoint; an older checkpoint has none', () => {
    const view = site()
    const h = new RuleHarness(view, { only: [detectImpossibleTravel] })
    h.feed(at(view, 'b1', T0), at(view, 'b2', T0 + 2 * H, { card: '0BADC0DE0002' }))
    expect(PipelineState.restore(h.state.serialize()).sightings.get('card:E0040150AAAA0001')).toMatchObject({ buildingId: 'b1', at: T0 })
    h.feed(tick(T0 + 25 * H))
    expect([...h.state.sightings.keys()]).toEqual(['card:0BADC0DE0002'])
    const old = JSON.parse(h.state.serialize()) as Record<string, unknown>
    delete old.sightings
    expect(PipelineState.restore(JSON.stringify(old)).sightings.size).toBe(0)
    const s = new PipelineState()
    for (let i = 0; i < MAX_SIGHTINGS + 5; i++) s.touchSighting(`card:${i}`, { buildingId: 'b1', door: 'main', at: i, ref: `d/${i}` })
    expect(s.sightings.size).toBe(MAX_SIGHTINGS)
    expect(s.sightings.has('card:0')).toBe(false)
  })
})
