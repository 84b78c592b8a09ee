import { describe, expect, it } from 'vitest'
import { deriveTruth, type FactsOptions } from './facts.ts'
import { DAY, HOUR } from './local-time.ts'
import type { PassAction, Scenario } from './model.ts'
import { ANOMALY_KINDS, buildScenario, type AnomalyKind, type ScenarioOptions } from './scenario.ts'
import type { RuleSettings, RuleType } from './truth.ts'

const RULES: RuleSettings = {
  tailgatingWindowS: 300, deniedInARow: 5, deniedRunGapS: 600, visitorMaxStayH: 6, notSeenDays: 1, vacantDays: 1,
  heartbeatS: 600, missedHeartbeats: 4, clockDriftMaxS: 600, travelMaxKmh: 60, travelMinGapS: 30,
}
const START = Date.parse('2026-03-02T06:37:00Z') // a Monday, 14:37 in Shanghai

const options = (o: Partial<ScenarioOptions> = {}): ScenarioOptions => ({ seed: '7', namespace: 'test', start: START, days: 3, rules: RULES, ...o })
const facts = (s: Scenario): FactsOptions => ({ rules: RULES, timing: { tickS: 36, sweepS: 360, toleranceS: 1800 }, cameraPeriodS: 120, end: s.end })
const passes = (s: Scenario): PassAction[] => s.actions.filter((a): a is PassAction => a.kind === 'pass')

/** The rule each anomaly kind is there to trip (some trip others too). */
const INTENDED: Record<AnomalyKind, RuleType> = {
  'unknown-card': 'unknown_credential',
  'card-run': 'repeated_denials',
  'wrong-pin-run': 'repeated_denials',
  'foreign-card': 'foreign_credential',
  'cloned-card': 'impossible_travel',
  'departed-card': 'expired_credential',
  'expired-permit': 'expired_credential',
  'lost-card': 'expired_credential',
  'expired-pass': 'expired_credential',
  'early-pass': 'expired_credential',
  'cleaner-window': 'outside_window',
  tailgater: 'tailgating',
  occupant: 'tailgating',
  'over-registered': 'overcrowding_registered',
  party: 'overcrowding_observed',
  'overstay-limit': 'visitor_overstay',
  'overstay-pass': 'visitor_overstay',
  leaves: 'resident_not_seen',
  forced: 'door_forced',
  'held-open': 'door_held_open',
  tamper: 'tamper',
  outage: 'device_offline',
  'camera-outage': 'device_offline',
  drift: 'clock_drift',
  'vendor-rekey': 'reader_not_updated',
}

describe('scenario', () => {
  it('is the same for the same seed and start, and another for another seed', () => {
    const a = buildScenario(options())
    expect(JSON.stringify(buildScenario(options()))).toBe(JSON.stringify(a))
    expect(JSON.stringify(buildScenario(options({ seed: '8' })).actions)).not.toBe(JSON.stringify(a.actions))
    expect(deriveTruth(a.site, a.actions, facts(a))).toEqual(deriveTruth(a.site, a.actions, facts(a)))
  })

  it('registers every resident at the start, with a valid ID number and a card, and keeps actions in time order', () => {
    const s = buildScenario(options())
    const setup = s.actions.filter((a) => a.setup === true)
    expect(setup.length).toBeGreaterThan(20)
    expect(setup.every((a) => a.kind === 'register' && a.at < s.start)).toBe(true)
    for (const p of s.site.persons.filter((x) => x.role === 'resident')) expect(p.idNumber).toMatch(/^440604\d{11}[\dX]$/)
    const times = s.actions.filter((a) => a.setup !== true).map((a) => a.at)
    expect(times).toEqual([...times].sort((x, y) => x - y))
    expect(times.every((t) => t >= s.start && t < s.end)).toBe(true)
  })

  it('lets ordinary life trip no rule: every swipe granted, one person per grant, rooms within capacity, nobody unseen a day', () => {
    const s = buildScenario(options({ anomalies: [] }))
    const routine = passes(s).filter((p) => p.tag === 'routine' || p.tag.startsWith('move-'))
    expect(routine.length).toBeGreaterThan(300)
    expect(routine.every((p) => p.expect === 'granted' && p.crossing === 1)).toBe(true)
    // Only rooms left empty on purpose, or emptied by a move-out, come up (vacant).
    const truth = deriveTruth(s.site, s.actions, facts(s))
    expect(truth.map((t) => `${t.type}:${t.cause.split('#')[0]}`).filter((x) => x !== 'room_vacant:vacant-room' && x !== 'room_vacant:move-out')).toEqual([])
  })

  it('has every resident who stays pass a door at least every 21 hours', () => {
    const s = buildScenario(options({ anomalies: [] }))
    const stayers = s.site.persons.filter((p) => p.role === 'resident' && p.story === undefined)
    for (const p of stayers) {
      const times = [s.start, ...passes(s).filter((a) => a.person === p.ref).map((a) => a.at), s.end]
      const gaps = times.slice(1).map((t, i) => t - times[i]!)
      expect(Math.max(...gaps), `longest gap of ${p.ref} (${p.routine})`).toBeLessThan(21 * HOUR)
    }
  })

  it('injects each kind of anomaly, and each trips the rule it is there for', () => {
    const s = buildScenario(options())
    const truth = deriveTruth(s.site, s.actions, facts(s))
    for (const kind of ANOMALY_KINDS) {
      const caused = truth.filter((t) => t.cause.startsWith(`${kind}#`))
      expect(caused.map((t) => t.type), kind).toContain(INTENDED[kind])
    }
    // Nothing comes from ordinary life, and only copied cards travel impossibly.
    expect(truth.filter((t) => t.cause === 'routine')).toEqual([])
    expect(new Set(truth.filter((t) => t.type === 'impossible_travel').map((t) => t.cause.split('#')[0]))).toEqual(new Set(['cloned-card']))
    // Denials of different anomalies never run together by accident: one run per anomaly that makes one.
    expect(truth.filter((t) => t.type === 'repeated_denials').map((t) => t.cause.split('#')[0]).sort()).toEqual(['card-run', 'card-run', 'wrong-pin-run'])
  })

  it('keeps the readers\' decisions as planned: refused swipes are anomalies only', () => {
    const s = buildScenario(options())
    const refused = passes(s).filter((p) => p.expect === 'denied')
    expect(refused.length).toBeGreaterThan(10)
    expect(refused.every((p) => p.tag !== 'routine')).toBe(true)
  })

  it('spreads each kind of anomaly over the buildings', () => {
    const s = buildScenario(options())
    const tamper = s.actions.filter((a) => a.kind === 'door' && a.state === 'tamper')
    expect(new Set(tamper.map((a) => a.kind === 'door' && a.deviceId)).size).toBe(tamper.length)
  })

  it('scales with the run: a shorter run has fewer days of passages and the same site', () => {
    const long = buildScenario(options())
    const short = buildScenario(options({ days: 1 }))
    const rooms = (x: Scenario): string[] => x.site.buildings.flatMap((b) => b.rooms.map((r) => `${r.id}:${r.capacity}`))
    expect(rooms(short)).toEqual(rooms(long))
    expect(passes(short).length).toBeLessThan(passes(long).length / 2)
    expect(short.end - short.start).toBe(DAY)
  })
})
