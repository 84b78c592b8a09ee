import { describe, expect, it } from 'vitest'
import { byDue, DEFAULT_PATROL_DAYS, nextPatrolDue, patrolIntervalDays } from './patrol-schedule.ts'

const DAY = 86_400_000
const T = Date.UTC(2026, 11, 1)

describe('patrol schedule', () => {
  it('the grade sets the interval: 放心 21 days, 一般 14, 重点 and 严控 7', () => {
    expect(DEFAULT_PATROL_DAYS).toEqual({ trusted: 21, normal: 14, focus: 7, strict: 7, findingOpen: 3 })
    for (const [grade, days] of [['trusted', 21], ['normal', 14], ['focus', 7], ['strict', 7]] as const) {
      expect(nextPatrolDue({ grade, lastPatrolAt: T, since: 0, openFinding: false })).toBe(T + days * DAY)
    }
  })

  it('every 3 days while a finding is open, never longer than the grade says', () => {
    expect(nextPatrolDue({ grade: 'trusted', lastPatrolAt: T, since: 0, openFinding: true })).toBe(T + 3 * DAY)
    const tight = { trusted: 21, normal: 14, focus: 7, strict: 2, findingOpen: 3 }
    expect(patrolIntervalDays({ patrolDays: tight }, 'strict', true)).toBe(2)
  })

  it('a house never patrolled is due from when it came onto the platform', () => {
    expect(nextPatrolDue({ grade: 'normal', lastPatrolAt: null, since: T - 40 * DAY, openFinding: false })).toBe(T - 40 * DAY)
  })

  it('takes the intervals as a parameter', () => {
    const monthly = { trusted: 30, normal: 30, focus: 10, strict: 5, findingOpen: 1 }
    expect(nextPatrolDue({ grade: 'focus', lastPatrolAt: T, since: 0, openFinding: false }, monthly)).toBe(T + 10 * DAY)
    expect(nextPatrolDue({ grade: 'focus', lastPatrolAt: T, since: 0, openFinding: true }, monthly)).toBe(T + DAY)
  })

  it('orders houses most overdue first', () => {
    expect(byDue([{ id: 'b', dueAt: T }, { id: 'a', dueAt: T - DAY }, { id: 'c', dueAt: T + DAY }]).map((h) => h.id)).toEqual(['a', 'b', 'c'])
  })
})
