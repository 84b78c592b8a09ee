// The date maths of residence permits, pure: whether an end date fits the
// permit's type, the instant a permit's last day ends in a building's time
// zone (readers refuse its credentials from then on), which reminders are due,
// and the calendar month a moment falls in (the monthly reconciliation).

import { addMonths, nextDay, PERMIT_MAX_MONTHS } from '../../contract/permit-dates.ts'
import type { PermitType } from '../../contract/schemas/registry.ts'
import { daysBetween, localDate, startOfLocalDay } from '../registry/time-zones.ts'

export { addMonths, nextDay, PERMIT_MAX_MONTHS } from '../../contract/permit-dates.ts'

/** Reminders before a permit's end, in days. */
export const REMINDER_DAYS = [30, 7] as const
export type ReminderDays = (typeof REMINDER_DAYS)[number]

/**
 * Why `end` cannot be the end of a permit of `type` recorded on `today` (the building's date), or null when it
 * fits: a permit runs at most its type's length from today (it was issued today at the latest). `renewal`: the
 * new end must also lie ahead, since a renewal that has already ended renews nothing.
 */
export function permitEndProblem (type: PermitType | null, end: string, today: string, o: { renewal?: boolean } = {}): string | null {
  if (o.renewal === true && end < today) return `a renewed permit ends today or later, not on ${end}`
  const max = addMonths(today, type === null ? PERMIT_MAX_MONTHS.residence : PERMIT_MAX_MONTHS[type])
  if (end > max) {
    return type === 'temporary'
      ? `a temporary permit (临时居住证) runs at most 6 months: it ends on ${max} at the latest, not ${end}`
      : `a residence permit (居住证) runs at most 3 years: it ends on ${max} at the latest, not ${end}`
  }
  return null
}

/** The instant a permit valid until `date` (its last day) stops being valid: the next midnight in `timeZone`. */
export function permitEndsAt (date: string, timeZone: string): number {
  return startOfLocalDay(nextDay(date), timeZone)
}

/** Days from the building's today to the permit's last day (0: it ends tonight; negative: it has ended). */
export function permitDaysLeft (date: string, at: number, timeZone: string): number {
  return daysBetween(localDate(at, timeZone), date)
}

/**
 * The reminder due with `daysLeft` to go, if any: the 30-day one from 30 days out, the 7-day one from 7 days
 * out until the last day. A permit recorded with 5 days left gets only the 7-day one (the 30-day one is moot).
 */
export function reminderDue (daysLeft: number): ReminderDays | null {
  if (daysLeft < 0) return null
  if (daysLeft <= 7) return 7
  if (daysLeft <= 30) return 30
  return null
}

/** The calendar month (YYYY-MM) an instant falls in, in `timeZone`. */
export function monthOf (at: number, timeZone: string): string {
  return localDate(at, timeZone).slice(0, 7)
}

/** The first instant of a month (YYYY-MM) and of the next one, in `timeZone`. */
export function monthBounds (month: string, timeZone: string): { from: number; to: number } {
  const first = `${month}-01`
  return { from: startOfLocalDay(first, timeZone), to: startOfLocalDay(addMonths(first, 1), timeZone) }
}
