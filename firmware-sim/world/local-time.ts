// Local time of the simulated site: Asia/Shanghai, UTC+8 all year (no daylight
// saving), the zone the platform evaluates credential time windows in.
// Everything here is plain arithmetic on milliseconds since the epoch.

/** The zone the platform and the readers evaluate credential windows in. */
export const SITE_TIME_ZONE = 'Asia/Shanghai'

export const SECOND = 1000
export const MINUTE = 60 * SECOND
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR

const OFFSET = 8 * HOUR

/** Local midnight at or before `ms`. */
export function localMidnight (ms: number): number {
  return Math.floor((ms + OFFSET) / DAY) * DAY - OFFSET
}

/** Hours since local midnight, fractional. */
export function localHour (ms: number): number {
  return (ms - localMidnight(ms)) / HOUR
}

/** ISO weekday, 1 = Monday .. 7 = Sunday, in local time. */
export function isoWeekday (ms: number): number {
  const d = new Date(ms + OFFSET).getUTCDay()
  return d === 0 ? 7 : d
}

export function isWeekend (ms: number): boolean {
  return isoWeekday(ms) >= 6
}

/** Local calendar date, YYYY-MM-DD. */
export function localDate (ms: number): string {
  return new Date(ms + OFFSET).toISOString().slice(0, 10)
}

/** The instant `hours` after the local midnight of `dayMs`. */
export function atLocal (dayMs: number, hours: number): number {
  return localMidnight(dayMs) + Math.round(hours * HOUR)
}

/** End of a local date as the platform reads a permit's last day: 23:59:59.999 local. */
export function endOfLocalDate (date: string): number {
  return Date.parse(`${date}T23:59:59.999+08:00`)
}

/** "HH:MM" of a local hour. */
export function hhmm (hours: number): string {
  const m = Math.round(hours * 60) % (24 * 60)
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`
}
