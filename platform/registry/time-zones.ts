// A building's time zone: an IANA name the runtime knows (Intl), stored in its
// canonical spelling ("asia/shanghai" becomes "Asia/Shanghai").

import { DEFAULT_TIME_ZONE } from '../../contract/schemas/registry.ts'
import { Errors } from '../errors.ts'

export { DEFAULT_TIME_ZONE }

/** The canonical IANA name of `name`, or a 400 when the runtime does not know it as a time zone. */
export function checkTimeZone (name: string): string {
  // Offsets ("+08:00") are refused: a building keeps its region's rules, summer time included.
  if (!/^[A-Za-z]/.test(name)) throw new Errors.BadRequest(`time zone ${name} is not an IANA name such as Asia/Shanghai`)
  try {
    return new Intl.DateTimeFormat('en', { timeZone: name }).resolvedOptions().timeZone
  } catch {
    throw new Errors.BadRequest(`time zone ${name} is not an IANA name such as Asia/Shanghai`)
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>()
function formatter (timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone)
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    })
    formatters.set(timeZone, f)
  }
  return f
}

/** The wall-clock fields of an instant in a time zone. */
function wallClock (instant: number, timeZone: string): { y: number; m: number; d: number; h: number; min: number; s: number } {
  const parts = formatter(timeZone).formatToParts(new Date(instant))
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value)
  return { y: get('year'), m: get('month'), d: get('day'), h: get('hour'), min: get('minute'), s: get('second') }
}

/** The calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function localDate (instant: number, timeZone: string): string {
  const w = wallClock(instant, timeZone)
  return `${String(w.y).padStart(4, '0')}-${String(w.m).padStart(2, '0')}-${String(w.d).padStart(2, '0')}`
}

/** How far the time zone's clock is ahead of UTC at an instant, in ms. */
function offsetAt (instant: number, timeZone: string): number {
  const w = wallClock(instant, timeZone)
  return Date.UTC(w.y, w.m - 1, w.d, w.h, w.min, w.s) - Math.floor(instant / 1000) * 1000
}

/** The instant a calendar date (YYYY-MM-DD) begins in a time zone. */
export function startOfLocalDay (date: string, timeZone: string): number {
  const asUtc = Date.parse(`${date}T00:00:00Z`)
  const first = asUtc - offsetAt(asUtc, timeZone)
  return asUtc - offsetAt(first, timeZone)
}

/** Whole days from one calendar date to another (negative when `to` is earlier). */
export function daysBetween (from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000)
}
