// Every time a console shows is formatted here, in the time zone of the
// building it belongs to (Asia/Shanghai where none is known), in the
// current language.

import { language, t } from './i18n/index.ts'

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai'

const formats = new Map<string, Intl.DateTimeFormat>()

function formatter (timeZone: string, kind: 'datetime' | 'date' | 'time'): Intl.DateTimeFormat {
  const key = `${language()}|${timeZone}|${kind}`
  let f = formats.get(key)
  if (f === undefined) {
    const date = { year: 'numeric', month: '2-digit', day: '2-digit' } as const
    const time = { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' } as const
    f = new Intl.DateTimeFormat(language(), { timeZone, ...(kind === 'time' ? {} : date), ...(kind === 'date' ? {} : time) })
    formats.set(key, f)
  }
  return f
}

/** `2026-12-02 18:04:05` (zh-CN) or `12/02/2026, 18:04:05` (en), in the building's zone. */
export function formatDateTime (iso: string | null | undefined, timeZone = DEFAULT_TIME_ZONE): string {
  if (iso === null || iso === undefined) return '—'
  return formatter(timeZone, 'datetime').format(new Date(iso))
}

export function formatDate (isoOrDate: string | null | undefined, timeZone = DEFAULT_TIME_ZONE): string {
  if (isoOrDate === null || isoOrDate === undefined) return '—'
  // A date without a time (a permit's last day) is that day wherever it is read.
  if (/^\d{4}-\d{2}-\d{2}$/.test(isoOrDate)) return formatter('UTC', 'date').format(new Date(`${isoOrDate}T00:00:00Z`))
  return formatter(timeZone, 'date').format(new Date(isoOrDate))
}

export function formatTime (iso: string, timeZone = DEFAULT_TIME_ZONE): string {
  return formatter(timeZone, 'time').format(new Date(iso))
}

/** How long something has been open: `42 s`, `12 min`, `3 h 05 min`, `2 d 4 h`. */
export function formatDuration (ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000))
  if (s < 60) return t('time.seconds', { n: s })
  const m = Math.floor(s / 60)
  if (m < 60) return t('time.minutes', { n: m })
  const h = Math.floor(m / 60)
  if (h < 48) return t('time.hours', { h, m: String(m % 60).padStart(2, '0') })
  return t('time.days', { d: Math.floor(h / 24), h: h % 24 })
}

/** The day an instant falls on in a zone, as YYYY-MM-DD (for date inputs). */
export function dayIn (iso: string | Date, timeZone = DEFAULT_TIME_ZONE): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso))
}

/** Today's date in a zone, as YYYY-MM-DD (for date inputs). */
export function todayIn (timeZone = DEFAULT_TIME_ZONE): string {
  return dayIn(new Date(), timeZone)
}

/** The zone of an area: the one most of its buildings keep (the default when it has none). */
export function zoneOfBuildings (buildings: ReadonlyArray<{ timeZone: string }>): string {
  const counts = new Map<string, number>()
  for (const b of buildings) counts.set(b.timeZone, (counts.get(b.timeZone) ?? 0) + 1)
  let best = DEFAULT_TIME_ZONE
  let most = 0
  for (const [zone, n] of counts) if (n > most) [best, most] = [zone, n]
  return best
}

/** The instant of a wall-clock `date` (YYYY-MM-DD) and `time` (HH:MM) in a zone, as an ISO string. */
export function zonedInstant (date: string, time: string, timeZone = DEFAULT_TIME_ZONE): string {
  const guess = new Date(`${date}T${time}:00Z`)
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(guess).map((p) => [p.type, p.value]))
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second))
  return new Date(guess.getTime() - (wall - guess.getTime())).toISOString()
}
