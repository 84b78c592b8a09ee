import { describe, expect, it } from 'vitest'
import {
  addWorkingDays, aggregate, agreementRate, buildingKpis, DEFAULT_KPI_PARAMS, entryTimeliness, estimateUnregistered, householdConsistency,
  KPI_IDS, KPI_TARGETS, median, reconciledShare, registrationRate, rentalRegistration, timelyDeregistration, unexplainedPeopleByDay,
  type BuildingKpiFacts, type RegistrationFact,
} from './kpis.ts'

const DAY = 86_400_000
// Thursday 2026-03-12, 12:00 in Shanghai.
const AT = Date.parse('2026-03-12T04:00:00Z')

const g = (id: string, o: Partial<RegistrationFact> = {}): RegistrationFact => ({
  id, roomId: 'r1', status: 'active', arrivedAt: AT - 60 * DAY, enteredAt: AT - 60 * DAY,
  departureRecordedAt: null, lastOwnPassageAt: AT - DAY, notSeenAt: null, ...o,
})

const house = (o: Partial<BuildingKpiFacts> = {}): BuildingKpiFacts => ({
  buildingId: 'b1', areaPath: '/d1/s1/c1/g1/', timeZone: 'Asia/Shanghai', rooms: 4, agreementSigned: true,
  registrations: [], unexplainedEntriesByDay: [], observedExcess: null, headcount: null, ...o,
})

describe('registration rate', () => {
  it('is registered over registered plus the unregistered estimated from daily unexplained entries', () => {
    const b = house({ registrations: [g('a'), g('b'), g('c')], unexplainedEntriesByDay: [1, 1, 2, 1, 0, 1, 1] })
    const r = registrationRate(b, AT)
    expect(r).toMatchObject({ numerator: 3, denominator: 4, value: 0.75, target: 0.9, met: false })
    expect(r.cases.find((c) => c.kind === 'building')).toMatchObject({ counted: false, weight: 1, reason: 'unregistered_by_unexplained_entries' })
  })

  it('does not take a one-off tailgater or a party for a resident (the median of the days)', () => {
    expect(estimateUnregistered(house({ unexplainedEntriesByDay: [0, 0, 5, 0, 0, 1, 0] })).estimate).toBe(0)
    expect(registrationRate(house({ registrations: [g('a')], unexplainedEntriesByDay: [0, 6, 0] }), AT)).toMatchObject({ numerator: 1, denominator: 1, met: true })
  })

  it('counts people, not entries: entries over how often a registered resident came in that day', () => {
    // Two residents came in 4 times on Saturday (twice each): the occupant behind them came in twice, one person.
    const b = house({ registrations: [g('a'), g('b')], unexplainedEntriesByDay: [1, 2, 1], grantedEntriesByDay: [2, 4, 2] })
    expect(unexplainedPeopleByDay(b)).toEqual([1, 1, 1])
    expect(estimateUnregistered(b).estimate).toBe(1)
    // A resident who came in less than once a day does not make one entry more than one person.
    expect(unexplainedPeopleByDay(house({ registrations: [g('a'), g('b')], unexplainedEntriesByDay: [1], grantedEntriesByDay: [1] }))).toEqual([1])
    // Without the granted counts, an entry is a person.
    expect(unexplainedPeopleByDay(house({ registrations: [g('a')], unexplainedEntriesByDay: [2, 2] }))).toEqual([2, 2])
  })

  it('takes the largest of the evidence, never the sum: the same person shows in all of it', () => {
    const b = house({
      registrations: [g('a'), g('b')], unexplainedEntriesByDay: [1, 1, 1], observedExcess: 2,
      headcount: { counted: 5, registered: 2, at: AT - DAY },
    })
    expect(estimateUnregistered(b)).toEqual({ estimate: 3, evidence: 'patrol_headcount' })
    expect(registrationRate(b, AT)).toMatchObject({ numerator: 2, denominator: 5 })
    expect(estimateUnregistered(house({ observedExcess: 2, unexplainedEntriesByDay: [1] })).evidence).toBe('observed_presence')
  })

  it('counts only active registrations, and nothing to measure gives no value', () => {
    expect(registrationRate(house({ registrations: [g('a', { status: 'departed', departureRecordedAt: AT - DAY })] }), AT))
      .toMatchObject({ numerator: 0, denominator: 0, value: null, met: null })
  })
})

describe('timely deregistration', () => {
  it('is timely within the deadline after the last passage, late after it', () => {
    const r = timelyDeregistration(house({
      registrations: [
        g('in-time', { status: 'departed', lastOwnPassageAt: AT - 10 * DAY, departureRecordedAt: AT - 8 * DAY }),
        g('late', { status: 'departed', lastOwnPassageAt: AT - 20 * DAY, departureRecordedAt: AT - 10 * DAY }),
        g('active'),
      ],
    }), AT)
    expect(r).toMatchObject({ numerator: 1, denominator: 2, value: 0.5 })
    expect(r.cases.map((c) => [c.id, c.counted, c.reason])).toEqual([['in-time', true, 'recorded_in_time'], ['late', false, 'recorded_late']])
  })

  it('is timely within the deadline after the not-seen suggestion too', () => {
    const r = timelyDeregistration(house({
      registrations: [g('x', { status: 'departed', lastOwnPassageAt: AT - 40 * DAY, notSeenAt: AT - 9 * DAY, departureRecordedAt: AT - 7 * DAY })],
    }), AT)
    expect(r).toMatchObject({ numerator: 1, denominator: 1 })
  })

  it('counts a stay the suggestion says was left and nobody recorded, once its deadline passed', () => {
    const r = timelyDeregistration(house({
      registrations: [g('gone', { lastOwnPassageAt: AT - 40 * DAY, notSeenAt: AT - 4 * DAY }), g('fresh', { notSeenAt: AT - 2 * DAY })],
    }), AT)
    expect(r).toMatchObject({ numerator: 0, denominator: 1 })
    expect(r.cases[0]).toMatchObject({ id: 'gone', reason: 'not_recorded' })
  })

  it('leaves out departures recorded before the period', () => {
    const r = timelyDeregistration(house({ registrations: [g('old', { status: 'departed', departureRecordedAt: AT - 31 * DAY })] }), AT)
    expect(r.denominator).toBe(0)
  })
})

describe('person-household consistency', () => {
  it('is the share of active registrations whose holder used their own credential here in 30 days', () => {
    const r = householdConsistency(house({
      registrations: [g('seen'), g('long-ago', { lastOwnPassageAt: AT - 31 * DAY }), g('never', { lastOwnPassageAt: null }), g('d', { status: 'departed', departureRecordedAt: AT })],
    }), AT)
    expect(r).toMatchObject({ numerator: 1, denominator: 3, target: 0.8 })
    expect(r.cases.filter((c) => !c.counted).map((c) => c.id)).toEqual(['long-ago', 'never'])
  })
})

describe('houses', () => {
  it('rental-house registration: a house with rooms uses the register when it holds an active registration', () => {
    expect(rentalRegistration(house({ registrations: [g('a')] }))).toMatchObject({ numerator: 1, denominator: 1 })
    expect(rentalRegistration(house())).toMatchObject({ numerator: 0, denominator: 1, met: false })
    expect(rentalRegistration(house({ rooms: 0 }))).toMatchObject({ numerator: 0, denominator: 0 })
  })

  it('agreement rate: signed or not', () => {
    expect(agreementRate(house())).toMatchObject({ numerator: 1, denominator: 1, met: true, target: 1 })
    expect(agreementRate(house({ agreementSigned: false })).cases[0]).toMatchObject({ counted: false, reason: 'agreement_unsigned' })
  })
})

describe('entry timeliness', () => {
  it('adds working days over weekends', () => {
    expect(addWorkingDays('2026-03-12', 3)).toBe('2026-03-17') // Thu -> Tue
    expect(addWorkingDays('2026-03-14', 3)).toBe('2026-03-18') // Sat -> Wed
    expect(addWorkingDays('2026-03-09', 3)).toBe('2026-03-12') // Mon -> Thu
  })

  it('is timely when entered by the end of the third working day after the arrival, in the building\'s zone', () => {
    // Arrived Friday 2026-03-06 23:30 in Shanghai (15:30 UTC): due by Wednesday 2026-03-11.
    const arrived = Date.parse('2026-03-06T15:30:00Z')
    const r = entryTimeliness(house({
      registrations: [
        g('wed', { arrivedAt: arrived, enteredAt: Date.parse('2026-03-11T15:00:00Z') }), // 23:00 Wednesday local
        g('thu', { arrivedAt: arrived, enteredAt: Date.parse('2026-03-11T16:30:00Z') }), // 00:30 Thursday local
        g('old', { arrivedAt: AT - 90 * DAY, enteredAt: AT - 40 * DAY }),
      ],
    }), AT)
    expect(r.cases.map((c) => [c.id, c.counted])).toEqual([['wed', true], ['thu', false]])
    expect(r).toMatchObject({ numerator: 1, denominator: 2, target: KPI_TARGETS.entry_timeliness })
  })
})

describe('areas', () => {
  it('add up numerators and denominators of their buildings', () => {
    const a = buildingKpis(house({ registrations: [g('a'), g('b')], unexplainedEntriesByDay: [2, 2] }), AT)
    const b = buildingKpis(house({ buildingId: 'b2', registrations: [g('c')], agreementSigned: false }), AT)
    const sum = aggregate([a, b])
    expect(sum.registration_rate).toMatchObject({ numerator: 3, denominator: 5, value: 0.6 })
    expect(sum.agreement_rate).toMatchObject({ numerator: 1, denominator: 2, value: 0.5, met: false })
    expect(Object.keys(sum)).toEqual([...KPI_IDS])
  })

  it('has the targets of the city plans', () => {
    expect(KPI_TARGETS).toEqual({
      registration_rate: 0.9, timely_deregistration: 0.85, household_consistency: 0.8, rental_registration: 0.95, agreement_rate: 1, entry_timeliness: 0.9,
      reconciled_share: 1,
    })
    expect(DEFAULT_KPI_PARAMS.entryWorkingDays).toBe(3)
    expect(median([3, 1, 2])).toBe(2)
    expect(median([])).toBe(0)
  })
})

describe('share reconciled', () => {
  it('is the items of this month\'s lists signed off, over the items listed; a house with nothing listed is not measured', () => {
    expect(reconciledShare(house({ reconciliation: { listed: 4, signedOff: 3 } }))).toMatchObject({ numerator: 3, denominator: 4, target: 1, met: false })
    expect(reconciledShare(house({ reconciliation: { listed: 2, signedOff: 2 } }))).toMatchObject({ numerator: 2, denominator: 2, met: true })
    expect(reconciledShare(house({ reconciliation: { listed: 0, signedOff: 0 } }))).toMatchObject({ denominator: 0, value: null, met: null, cases: [] })
    expect(reconciledShare(house()).denominator).toBe(0)
  })
})
