// When a house is due for its next patrol: the grade sets how often (放心
// every 3 weeks, 一般 every 2, 重点 and 严控 every week), and while a patrol
// finding is open, every 3 days until it is put right. A pure function; the
// intervals are a parameter: an area's settings (area-policy.ts) give their own.

import type { Grade } from '../../contract/vocabulary.ts'

const DAY = 86_400_000

/** Days between patrols, by grade, and while a finding is open (when shorter than the grade's). An area's settings hold their own. */
export type PatrolDays = Record<Grade, number> & { findingOpen: number }

export const DEFAULT_PATROL_DAYS: PatrolDays = { trusted: 21, normal: 14, focus: 7, strict: 7, findingOpen: 3 }

export interface PatrolDueInput {
  grade: Grade
  /** The last patrol (ms since the epoch); null: never patrolled. */
  lastPatrolAt: number | null
  /** Since when the house is on the platform: a house never patrolled is due from then. */
  since: number
  /** Whether a finding of a patrol is still open. */
  openFinding: boolean
}

/**
 * Days between patrols of a house of `grade`; while a patrol finding of the house is open, the finding's
 * interval, or the grade's where that is shorter still.
 */
export function patrolIntervalDays (settings: { patrolDays: PatrolDays }, grade: Grade, findingOpen: boolean): number {
  const d = settings.patrolDays
  return findingOpen ? Math.min(d.findingOpen, d[grade]) : d[grade]
}

/** When the next patrol is due (ms since the epoch): a house never patrolled is due at once. */
export function nextPatrolDue (h: PatrolDueInput, days: PatrolDays = DEFAULT_PATROL_DAYS): number {
  if (h.lastPatrolAt === null) return h.since
  return h.lastPatrolAt + patrolIntervalDays({ patrolDays: days }, h.grade, h.openFinding) * DAY
}

/** Houses in the order a patroller takes them: the most overdue first, then the soonest due. */
export function byDue<T extends { dueAt: number }> (houses: readonly T[]): T[] {
  return [...houses].sort((a, b) => a.dueAt - b.dueAt)
}
