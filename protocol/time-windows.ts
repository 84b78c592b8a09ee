// Weekly time windows of credentials (allow-list `windows`, spec section 8.1),
// as the platform and a reader both evaluate them: a window covers `from`
// (inclusive) to `to` (exclusive) local time on each of its ISO weekdays;
// when `to` is not after `from` it runs past midnight into the next day
// (Sunday's into Monday), `from` equal to `to` being a whole day.

import type { TimeWindow } from './schemas/allowlist-sync.ts'

const WEEK_MIN = 7 * 1440
const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 }
const FIXED_OFFSET_MIN: Record<string, number> = { 'Asia/Shanghai': 480, 'Asia/Chongqing': 480, 'Asia/Hong_Kong': 480, UTC: 0, 'Etc/UTC': 0 }
const formatters = new Map<string, Intl.DateTimeFormat>()

const hhmm = (s: string): number => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5))

/** True when the runtime knows the IANA zone name. */
export function isKnownTimeZone (timeZone: string): boolean {
  try {
    minuteOfWeek(0, timeZone)
    return true
  } catch {
    return false
  }
}

/** Minutes since Monday 00:00 local time; throws RangeError for an unknown zone. */
export function minuteOfWeek (t: number, timeZone: string): number {
  const fixed = FIXED_OFFSET_MIN[timeZone]
  if (fixed !== undefined) {
    const local = Math.floor(t / 60_000) + fixed
    // 1970-01-01 was a Thursday: minute 0 of the epoch is minute 3 * 1440 of its week.
    return (((local + 3 * 1440) % WEEK_MIN) + WEEK_MIN) % WEEK_MIN
  }
  let f = formatters.get(timeZone)
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    formatters.set(timeZone, f)
  }
  let day = 1
  let hour = 0
  let minute = 0
  for (const part of f.formatToParts(new Date(t))) {
    if (part.type === 'weekday') day = WEEKDAYS[part.value] ?? 1
    else if (part.type === 'hour') hour = Number(part.value)
    else if (part.type === 'minute') minute = Number(part.value)
  }
  return (day - 1) * 1440 + hour * 60 + minute
}

/** True when `t` falls in any of the windows. */
export function inWindows (t: number, windows: readonly TimeWindow[], timeZone: string): boolean {
  const m = minuteOfWeek(t, timeZone)
  for (const w of windows) {
    const from = hhmm(w.from)
    const to = hhmm(w.to)
    for (const d of w.days) {
      const start = (d - 1) * 1440 + from
      const end = (d - 1) * 1440 + (to > from ? to : 1440 + to)
      if ((m >= start && m < end) || (m + WEEK_MIN >= start && m + WEEK_MIN < end)) return true
    }
  }
  return false
}
