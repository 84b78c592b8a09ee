// When a house is due for its next patrol: the grade sets how often (放心
// every 3 weeks, 一般 every 2, 重点 and 严控 every week), and while a patrol
// finding is open, every 3 days until it is put right. A pure function; the
// intervals are a parameter (per-jurisdiction settings pass their own).

import type { Grade } from '../../contract/vocabulary.ts'

const DAY = 86_400_000

export interface PatrolIntervals {
  /** Days between patrols, by grade. */
  byGrade: Record<Grade, number>
  /** Days between patrols while a finding is open (when shorter than the grade's). */
  openFinding: number
}

export const DEFAULT_PATROL_INTERVALS: PatrolIntervals = {
  byGrade: { trusted: 21, normal: 14, focus: 7, strict: 7 },
  openFinding: 3,
}

export interface PatrolDueInput {
  grade: Grade
  /** The last patrol (ms since the epoch); null: never patrolled. */
  lastPatrolAt: number | null
  /** Since when the house is on the platform: a house never patrolled is due from then. */
  since: number
  /** Whether a finding of a patrol is still open. */
  openFinding: boolean
}

/** The interval that applies to a house now, in days. */
export function patrolIntervalDays (h: Pick<PatrolDueInput, 'grade' | 'openFinding'>, intervals: PatrolIntervals = DEFAULT_PATROL_INTERVALS): number {
  const grade = intervals.byGrade[h.grade]
  return h.openFinding ? Math.min(grade, intervals.openFinding) : grade
}

/** When the next patrol is due (ms since the epoch): a house never patrolled is due at once. */
export function nextPatrolDue (h: PatrolDueInput, intervals: PatrolIntervals = DEFAULT_PATROL_INTERVALS): number {
  if (h.lastPatrolAt === null) return h.since
  return h.lastPatrolAt + patrolIntervalDays(h, intervals) * DAY
}

/** Houses in the order a patroller takes them: the most overdue first, then the soonest due. */
export function byDue<T extends { dueAt: number }> (houses: readonly T[]): T[] {
  return [...houses].sort((a, b) => a.dueAt - b.dueAt)
}
