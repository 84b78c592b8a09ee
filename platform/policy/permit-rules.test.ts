// The pure date maths of permits, vacancy and the monthly lists: in the
// building's time zone, across month ends, leap days and a zone with summer time.

import { describe, expect, it } from 'vitest'
import { addMonths, monthBounds, monthOf, permitDaysLeft, permitEndProblem, permitEndsAt, reminderDue } from './permit-rules.ts'
import { reconciledShare } from './reconciliation.ts'
import { emptySince, VACANT_DAYS, vacancyTargets, type RoomFacts } from './vacancy.ts'

const DAY = 86_400_000

describe('permit dates', () => {
  it('adds months with the day clamped to the month\'s last', () => {
    expect(addMonths('2026-08-31', 6)).toBe('2027-02-28')
    expect(addMonths('2027-08-31', 6)).toBe('2028-02-29')
    expect(addMonths('2026-12-15', 1)).toBe('2027-01-15')
    expect(addMonths('2026-03-31', 36)).toBe('2029-03-31')
    expect(addMonths('2028-02-29', 12)).toBe('2029-02-28')
  })

  it('a temporary permit runs at most 6 months, a residence permit at most 3 years, from the building\'s today', () => {
    expect(permitEndProblem('temporary', '2027-06-03', '2026-12-03')).toBeNull()
    expect(permitEndProblem('temporary', '2027-06-04', '2026-12-03')).toMatch(/6 months.*2027-06-03/)
    expect(permitEndProblem('residence', '2029-12-03', '2026-12-03')).toBeNull()
    expect(permitEndProblem('residence', '2029-12-04', '2026-12-03')).toMatch(/3 years/)
    // Without a type, the longest a permit runs.
    expect(permitEndProblem(null, '2029-12-03', '2026-12-03')).toBeNull()
    expect(permitEndProblem(null, '2030-01-01', '2026-12-03')).not.toBeNull()
    // Recorded at arrival, a permit may already have ended (the watch lapses it); a renewal must lie ahead.
    expect(permitEndProblem('temporary', '2026-11-30', '2026-12-03')).toBeNull()
    expect(permitEndProblem('temporary', '2026-11-30', '2026-12-03', { renewal: true })).toMatch(/today or later/)
    expect(permitEndProblem('temporary', '2026-12-03', '2026-12-03', { renewal: true })).toBeNull()
  })

  it('a permit ends at the midnight after its last day in the building\'s zone', () => {
    expect(new Date(permitEndsAt('2026-12-03', 'Asia/Shanghai')).toISOString()).toBe('2026-12-03T16:00:00.000Z')
    expect(new Date(permitEndsAt('2026-12-31', 'Asia/Shanghai')).toISOString()).toBe('2026-12-31T16:00:00.000Z')
    // Summer time: Berlin is UTC+2 on 2026-07-01, UTC+1 on 2026-12-01.
    expect(new Date(permitEndsAt('2026-06-30', 'Europe/Berlin')).toISOString()).toBe('2026-06-30T22:00:00.000Z')
    expect(new Date(permitEndsAt('2026-11-30', 'Europe/Berlin')).toISOString()).toBe('2026-11-30T23:00:00.000Z')
  })

  it('counts the days left in the building\'s zone, not UTC', () => {
    // 2026-12-03 17:00 UTC is already 2026-12-04 01:00 in Shanghai.
    const at = Date.parse('2026-12-03T17:00:00Z')
    expect(permitDaysLeft('2026-12-04', at, 'Asia/Shanghai')).toBe(0)
    expect(permitDaysLeft('2026-12-04', at, 'UTC')).toBe(1)
    expect(permitDaysLeft('2026-12-03', at, 'Asia/Shanghai')).toBe(-1)
  })

  it('reminds 30 days before and 7 days before, and not once the permit has ended', () => {
    expect(reminderDue(31)).toBeNull()
    expect(reminderDue(30)).toBe(30)
    expect(reminderDue(8)).toBe(30)
    expect(reminderDue(7)).toBe(7)
    expect(reminderDue(0)).toBe(7)
    expect(reminderDue(-1)).toBeNull()
  })

  it('finds the month of an instant in the building\'s zone, and the month\'s bounds', () => {
    // New Year's Eve 16:30 UTC is already January in Shanghai.
    expect(monthOf(Date.parse('2026-12-31T16:30:00Z'), 'Asia/Shanghai')).toBe('2027-01')
    expect(monthOf(Date.parse('2026-12-31T16:30:00Z'), 'UTC')).toBe('2026-12')
    const feb = monthBounds('2028-02', 'Asia/Shanghai')
    expect(new Date(feb.from).toISOString()).toBe('2028-01-31T16:00:00.000Z')
    expect(new Date(feb.to).toISOString()).toBe('2028-02-29T16:00:00.000Z')
    const dec = monthBounds('2026-12', 'Asia/Shanghai')
    expect(new Date(dec.to).toISOString()).toBe('2026-12-31T16:00:00.000Z')
  })
})

describe('vacancy', () => {
  const at = Date.parse('2026-12-03T00:00:00Z')
  const room = (o: Partial<RoomFacts> & { roomId: string }): RoomFacts => ({
    createdAt: at - 400 * DAY, occupied: false, withdrawn: false, lastDepartedAt: null, lastSeenAt: null, ...o,
  })

  it('a room stands empty since the latest of its creation, its last departure and its last passage', () => {
    expect(emptySince(room({ roomId: 'r1', lastDepartedAt: at - 100 * DAY, lastSeenAt: at - 95 * DAY }))).toBe(at - 95 * DAY)
    expect(emptySince(room({ roomId: 'r1', occupied: true }))).toBeNull()
  })

  it('proposes rooms empty for 90 days; the whole house when every room on the register is', () => {
    const empty = room({ roomId: 'r1', lastDepartedAt: at - 90 * DAY })
    const young = room({ roomId: 'r2', lastSeenAt: at - 89 * DAY })
    expect(vacancyTargets([empty, young], at)).toEqual([{ roomId: 'r1', vacantSince: at - 90 * DAY, lastSeenAt: null }])
    const seen = room({ roomId: 'r2', lastSeenAt: at - 120 * DAY })
    expect(vacancyTargets([empty, seen], at)).toEqual([{ roomId: null, vacantSince: at - 90 * DAY, lastSeenAt: at - 120 * DAY }])
    // A withdrawn room is off the register: it neither counts nor is proposed again.
    expect(vacancyTargets([empty, room({ roomId: 'r2', withdrawn: true, occupied: false, lastSeenAt: at })], at)).toEqual([{ roomId: null, vacantSince: at - 90 * DAY, lastSeenAt: null }])
    expect(vacancyTargets([room({ roomId: 'r1', withdrawn: true })], at)).toEqual([])
    expect(vacancyTargets([room({ roomId: 'r2', occupied: true }), empty], at)).toEqual([{ roomId: 'r1', vacantSince: at - 90 * DAY, lastSeenAt: null }])
  })

  it('a person the door cameras saw holds the house, not a room: the rooms are proposed one by one until 90 days after', () => {
    const r1 = room({ roomId: 'r1', lastDepartedAt: at - 200 * DAY })
    const r2 = room({ roomId: 'r2', lastSeenAt: at - 150 * DAY })
    const rooms = vacancyTargets([r1, r2], at, VACANT_DAYS, at - 10 * DAY)
    expect(rooms).toEqual([
      { roomId: 'r1', vacantSince: at - 200 * DAY, lastSeenAt: null },
      { roomId: 'r2', vacantSince: at - 150 * DAY, lastSeenAt: at - 150 * DAY },
    ])
    // Seen 95 days ago: the house is empty since then, and that is its last sighting.
    expect(vacancyTargets([r1, r2], at, VACANT_DAYS, at - 95 * DAY)).toEqual([{ roomId: null, vacantSince: at - 95 * DAY, lastSeenAt: at - 95 * DAY }])
    expect(vacancyTargets([r1, r2], at, VACANT_DAYS, null)).toEqual([{ roomId: null, vacantSince: at - 150 * DAY, lastSeenAt: at - 150 * DAY }])
  })
})

describe('the share reconciled', () => {
  it('is the items on signed-off lists over the items listed, or null with nothing listed', () => {
    expect(reconciledShare({ listed: 8, signedOff: 6 })).toBe(0.75)
    expect(reconciledShare({ listed: 0, signedOff: 0 })).toBeNull()
  })
})
