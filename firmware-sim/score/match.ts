// Matching the platform's alerts to the ground truth. The platform folds an
// incident's repeats into one alert per key (a card, a door) and raises a
// condition once per episode, so the truth is first folded the same way into
// expected alerts: all incidents of one key make one, each condition episode
// makes one. An alert matches an expected alert of its type when it carries
// the same identifying fields and was raised within its window; each alert
// matches at most one expected alert and the other way round. Alerts that
// match nothing are false positives, unless they match an expected alert that
// came due too close to the end of the run to be scored (ignored).

import type { Alert } from '../../contract/schemas/alerts.ts'
import { CONDITION_TYPES, type RuleType, type TruthItem, type TruthMatch } from '../world/truth.ts'

/** The alert fields the scorer reads (GET /alerts returns the platform's Alert as JSON). */
export type PlatformAlert = Pick<Alert, 'id' | 'dedupKey' | 'buildingId' | 'roomId' | 'door' | 'deviceId' | 'credentialId' | 'residentId' | 'count' | 'firstAt' | 'createdAt' | 'status' | 'severity' | 'explanation'> & { type: string }

/** An alert with the sim time it was raised at. */
export interface SeenAlert { alert: PlatformAlert; raisedAt: number }

export interface ExpectedAlert {
  type: RuleType
  match: TruthMatch
  /** Earliest the platform could raise it. */
  at: number
  /** A raise in [from, until] counts. */
  from: number
  until: number
  expected: boolean
  items: TruthItem[]
}

export interface MatchResult {
  matched: Array<{ expected: ExpectedAlert; alert: SeenAlert; latencyMs: number }>
  missed: ExpectedAlert[]
  falsePositives: SeenAlert[]
  /** Alerts of items not scored (due at the very end of the run). */
  ignored: SeenAlert[]
}

const FIELDS = ['buildingId', 'roomId', 'door', 'deviceId', 'credentialId', 'residentId', 'dedupKey'] as const

export function fieldsMatch (alert: PlatformAlert, match: TruthMatch): boolean {
  return FIELDS.every((f) => match[f] === undefined || alert[f] === match[f])
}

const keyOf = (type: string, m: TruthMatch): string => `${type}|${FIELDS.map((f) => m[f] ?? '').join('|')}`

/** Folds the truth into the alerts the platform should raise. `earlyMs`: how early a raise may look (clock mapping, rounding). */
export function expectedAlerts (items: readonly TruthItem[], earlyMs: number): ExpectedAlert[] {
  const out: ExpectedAlert[] = []
  const incidents = new Map<string, ExpectedAlert>()
  const episodes = new Map<string, ExpectedAlert[]>()
  for (const item of [...items].sort((a, b) => a.at - b.at)) {
    const key = keyOf(item.type, item.match)
    if (!CONDITION_TYPES.has(item.type)) {
      const e = incidents.get(key)
      if (e !== undefined) {
        e.items.push(item)
        e.until = Math.max(e.until, item.deadline)
        e.expected ||= item.expected
        continue
      }
    }
    const e: ExpectedAlert = { type: item.type, match: item.match, at: item.at, from: item.at - earlyMs, until: item.deadline, expected: item.expected, items: [item] }
    out.push(e)
    if (CONDITION_TYPES.has(item.type)) {
      const list = episodes.get(key) ?? []
      // An episode's window ends where the next one of the same condition begins.
      const prev = list[list.length - 1]
      if (prev !== undefined) prev.until = Math.min(prev.until, e.from - 1)
      list.push(e)
      episodes.set(key, list)
    } else incidents.set(key, e)
  }
  return out
}

export function matchAlerts (expected: readonly ExpectedAlert[], alerts: readonly SeenAlert[]): MatchResult {
  const result: MatchResult = { matched: [], missed: [], falsePositives: [], ignored: [] }
  const taken = new Set<SeenAlert>()
  for (const e of [...expected].sort((a, b) => a.at - b.at)) {
    let best: SeenAlert | undefined
    for (const a of alerts) {
      if (taken.has(a) || a.alert.type !== e.type || a.raisedAt < e.from || a.raisedAt > e.until || !fieldsMatch(a.alert, e.match)) continue
      if (best === undefined || Math.abs(a.raisedAt - e.at) < Math.abs(best.raisedAt - e.at)) best = a
    }
    if (best === undefined) {
      if (e.expected) result.missed.push(e)
      continue
    }
    taken.add(best)
    if (e.expected) result.matched.push({ expected: e, alert: best, latencyMs: best.raisedAt - e.at })
    else result.ignored.push(best)
  }
  for (const a of alerts) if (!taken.has(a)) result.falsePositives.push(a)
  return result
}
