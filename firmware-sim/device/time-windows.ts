// Weekly allow-list windows as a reader evaluates them (protocol §8.1): a
// window starts on each of its ISO weekdays at `from` (inclusive) and lasts
// until `to` (exclusive), running past midnight when `to` is not after `from`
// (`from` equal to `to` is a whole day). Times are local to the device's
// configured IANA time zone.

import type { TimeWindow } from '../../protocol/index.ts'

const MINUTES_PER_DAY = 24 * 60
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
const ISO_DAY: Readonly<Record<string, number>> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 }
const formats = new Map<string, Intl.DateTimeFormat>()

function formatFor (timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone)
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' })
    formats.set(timeZone, f)
  }
  return f
}

/** True when the runtime knows the IANA zone name. */
export function isKnownTimeZone (timeZone: string): boolean {
  try {
    formatFor(timeZone)
    return true
  } catch {
    return false
  }
}

/** Minutes since Monday 00:00 in `timeZone` at instant `t` (ms since the epoch). Throws RangeError for an unknown zone. */
export function weekMinute (t: number, timeZone: string): number {
  const parts = formatFor(timeZone).formatToParts(new Date(t))
  const part = (type: string): string => parts.find((p) => p.type === type)?.value ?? ''
  const day = ISO_DAY[part('weekday')] ?? 1
  return (day - 1) * MINUTES_PER_DAY + Number(part('hour')) * 60 + Number(part('minute'))
}

const clockMinutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))

/** True when `t` lies inside one of `windows`. */
export function insideWindows (t: number, windows: readonly TimeWindow[], timeZone: string): boolean {
  const now = weekMinute(t, timeZone)
  return windows.some((w) => {
    const from = clockMinutes(w.from)
    const to = clockMinutes(w.to)
    const length = to > from ? to - from : MINUTES_PER_DAY - from + to
    return w.days.some((day) => {
      const start = (day - 1) * MINUTES_PER_DAY + from
      const sinceStart = (((now - start) % MINUTES_PER_WEEK) + MINUTES_PER_WEEK) % MINUTES_PER_WEEK
      return sinceStart < length
    })
  })
}
