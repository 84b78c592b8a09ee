// What the dispatcher picked to see of the queue, remembered in this browser
// (localStorage) so that a reload or the next shift at the same desk finds
// the same view.

import { useState } from 'preact/hooks'
import type { Alert } from '../../../../contract/schemas/alerts.ts'
import type { Area } from '../../../../contract/schemas/registry.ts'
import { ALERT_TYPES, SEVERITIES, severityRank, type Severity } from '../../../../contract/vocabulary.ts'

/** How far back the latest occurrence may lie. */
export const SINCE_CHOICES = ['', '1h', '8h', '24h', '7d'] as const
export type Since = (typeof SINCE_CHOICES)[number]
const SINCE_MS: Record<Exclude<Since, ''>, number> = { '1h': 3_600_000, '8h': 8 * 3_600_000, '24h': 24 * 3_600_000, '7d': 7 * 24 * 3_600_000 }

export interface QueueFilters {
  minSeverity: Severity
  status: '' | 'open' | 'acknowledged'
  type: string
  building: string
  /** An area id of GET /areas: its alerts are those whose areaPath lies under the area's path. */
  area: string
  since: Since
}

export const NO_FILTERS: QueueFilters = { minSeverity: 'info', status: '', type: '', building: '', area: '', since: '' }

function saved (key: string): QueueFilters {
  try {
    const raw = JSON.parse(globalThis.localStorage?.getItem(key) ?? '{}') as Partial<Record<keyof QueueFilters, unknown>>
    const str = (v: unknown): string => (typeof v === 'string' && v.length <= 200 ? v : '')
    return {
      minSeverity: SEVERITIES.includes(raw.minSeverity as Severity) ? raw.minSeverity as Severity : 'info',
      status: raw.status === 'open' || raw.status === 'acknowledged' ? raw.status : '',
      type: (ALERT_TYPES as readonly string[]).includes(str(raw.type)) ? str(raw.type) : '',
      building: str(raw.building),
      area: str(raw.area),
      since: SINCE_CHOICES.includes(raw.since as Since) ? raw.since as Since : '',
    }
  } catch {
    return NO_FILTERS
  }
}

/** The filters and a setter that remembers them; `scope` keeps the dispatch and grid consoles apart. */
export function useQueueFilters (scope: string): [QueueFilters, (change: Partial<QueueFilters>) => void] {
  const key = `rh.queue.filters${scope}`
  const [filters, setFilters] = useState<QueueFilters>(() => saved(key))
  const update = (change: Partial<QueueFilters>): void => {
    setFilters((f) => {
      const next = { ...f, ...change }
      try { globalThis.localStorage?.setItem(key, JSON.stringify(next)) } catch {}
      return next
    })
  }
  return [filters, update]
}

export function isFiltered (f: QueueFilters): boolean {
  return (Object.keys(NO_FILTERS) as Array<keyof QueueFilters>).some((k) => f[k] !== NO_FILTERS[k])
}

/** The alerts the filters let through, the most severe first and the newest first within a severity. */
export function applyFilters (alerts: Iterable<Alert>, f: QueueFilters, areas: ReadonlyMap<string, Area>, now: number): Alert[] {
  const areaPath = f.area === '' ? undefined : areas.get(f.area)?.path
  const since = f.since === '' ? undefined : now - SINCE_MS[f.since]
  return [...alerts]
    .filter((a) => severityRank(a.severity) >= severityRank(f.minSeverity))
    .filter((a) => f.status === '' || a.status === f.status)
    .filter((a) => f.type === '' || a.type === f.type)
    .filter((a) => f.building === '' || a.buildingId === f.building)
    // An area that is gone from the list (moved out of this jurisdiction) filters nothing out.
    .filter((a) => areaPath === undefined || a.areaPath.startsWith(areaPath))
    .filter((a) => since === undefined || Date.parse(a.lastAt) >= since)
    .sort(bySeverityThenNewest)
}

export function bySeverityThenNewest (a: Alert, b: Alert): number {
  return severityRank(b.severity) - severityRank(a.severity) || b.createdAt.localeCompare(a.createdAt)
}
