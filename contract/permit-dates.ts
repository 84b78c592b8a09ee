// Calendar dates of residence permits, shared by the platform and the
// consoles: how long each type runs, months added to a date.

import type { PermitType } from './schemas/registry.ts'

/** How long a permit of each type runs at most, in months: 临时居住证 six months, 居住证 up to three years. */
export const PERMIT_MAX_MONTHS: Record<PermitType, number> = { temporary: 6, residence: 36 }

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/** A calendar date `months` later, the day clamped to the month's last (08-31 + 6 months = 02-28). */
export function addMonths (date: string, months: number): string {
  const m = DATE.exec(date)
  if (m === null) throw new Error(`not a date: ${date}`)
  const total = Number(m[1]) * 12 + Number(m[2]) - 1 + months
  const y = Math.floor(total / 12)
  const mo = total % 12
  const last = new Date(Date.UTC(y, mo + 1, 0)).getUTCDate()
  const d = Math.min(Number(m[3]), last)
  return `${String(y).padStart(4, '0')}-${String(mo + 1).padStart(2, '0')}-${String(d).padStart(2, '0')}`
}

/** The next calendar date. */
export function nextDay (date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)
}
