// Pure planning of a batch of alert candidates into a few set-based database
// rounds. Candidates with the same dedupKey fold into one upsert (count,
// highest severity, evidence, first/last time); a `clears` candidate splits
// the key's history: what comes after it belongs to a new alert. An
// `updates` candidate (a raised condition that changed) folds into the run
// it follows without counting as an occurrence; a run of nothing but
// updates becomes an update of the live alert, which never opens one. Round
// i holds the i-th run of every key, so a batch of thousands usually costs
// one round of three or four statements. Each raise, update and clear
// remembers where in the batch it came from (`order`), so what the batch
// announces (history, webhook deliveries, live changes) follows the events,
// not the key order the statements use.

import type { AlertCandidate } from '../../contract/alert-candidate.ts'
import { ALERT_TYPES, SEVERITIES, type Severity } from '../../contract/vocabulary.ts'
import { severityRank } from './model.ts'

export const EVIDENCE_CAP = 20

/** Several occurrences of one condition, folded. */
export interface MergedRaise {
  dedupKey: string
  /** The latest candidate: its descriptive fields (building, room, door, explanation) win. */
  latest: AlertCandidate
  /** Occurrences: the candidates that are not updates (0: an update only). */
  count: number
  /** The latest candidate's level (null: none). */
  level: number | null
  severity: Severity
  firstAt: number
  lastAt: number
  /** Most recent last, at most EVIDENCE_CAP, no repeats. */
  evidence: string[]
  /** Position in the batch of the first candidate folded in. */
  order: number
}

export interface ClearOp {
  dedupKey: string
  at: number
  /** Position in the batch of the (first) clear. */
  order: number
}

export interface Round {
  raises: MergedRaise[]
  /** Changes of conditions raised in an earlier batch: update the live alert, if there is one. */
  updates: MergedRaise[]
  clears: ClearOp[]
}

export interface Plan {
  rounds: Round[]
  /** Candidates refused before touching the database (unknown type or severity, no key). */
  rejected: Array<{ candidate: AlertCandidate; reason: string }>
}

type Run = { kind: 'raise'; items: AlertCandidate[]; order: number } | { kind: 'clear'; at: number; order: number }

function problem (c: AlertCandidate): string | undefined {
  if (typeof c.dedupKey !== 'string' || c.dedupKey.length === 0) return 'empty dedupKey'
  if (!(ALERT_TYPES as readonly string[]).includes(c.type)) return `unknown type ${String(c.type)}`
  if (c.clears !== true && !(SEVERITIES as readonly string[]).includes(c.severity)) return `unknown severity ${String(c.severity)}`
  if (typeof c.buildingId !== 'string' || c.buildingId.length === 0) return 'no buildingId'
  return undefined
}

/** Keeps the last `cap` distinct entries, most recent last. */
export function tailDistinct (items: readonly string[], cap = EVIDENCE_CAP): string[] {
  const out: string[] = []
  const seen = new Set<string>()
  for (let i = items.length - 1; i >= 0 && out.length < cap; i--) {
    const e = items[i]!
    if (seen.has(e)) continue
    seen.add(e)
    out.push(e)
  }
  return out.reverse()
}

export function merge (items: readonly AlertCandidate[], order = 0): MergedRaise {
  const latest = items[items.length - 1]!
  let severity = items[0]!.severity
  let firstAt = Infinity
  let lastAt = -Infinity
  const evidence: string[] = []
  let count = 0
  for (const c of items) {
    if (c.updates !== true) count++
    if (severityRank(c.severity) > severityRank(severity)) severity = c.severity
    firstAt = Math.min(firstAt, c.at)
    lastAt = Math.max(lastAt, c.at)
    for (const e of c.evidence) evidence.push(e)
  }
  return { dedupKey: latest.dedupKey, latest, count, level: latest.level ?? null, severity, firstAt, lastAt, evidence: tailDistinct(evidence), order }
}

/** `now` replaces event times that are not finite numbers. */
export function plan (candidates: readonly AlertCandidate[], now: number): Plan {
  const rejected: Plan['rejected'] = []
  const runs = new Map<string, Run[]>()
  for (const [order, raw] of candidates.entries()) {
    const reason = problem(raw)
    if (reason !== undefined) {
      rejected.push({ candidate: raw, reason })
      continue
    }
    const c = Number.isFinite(raw.at) ? raw : { ...raw, at: now }
    let list = runs.get(c.dedupKey)
    if (list === undefined) runs.set(c.dedupKey, list = [])
    const last = list[list.length - 1]
    if (c.clears === true) {
      if (last?.kind === 'clear') last.at = Math.max(last.at, c.at)
      else list.push({ kind: 'clear', at: c.at, order })
    } else if (last?.kind === 'raise') {
      last.items.push(c)
    } else {
      list.push({ kind: 'raise', items: [c], order })
    }
  }
  const rounds: Round[] = []
  for (const [dedupKey, list] of runs) {
    list.forEach((run, i) => {
      const round = rounds[i] ?? (rounds[i] = { raises: [], updates: [], clears: [] })
      if (run.kind === 'clear') {
        round.clears.push({ dedupKey, at: run.at, order: run.order })
        return
      }
      const m = merge(run.items, run.order)
      if (m.count === 0) round.updates.push(m)
      else round.raises.push(m)
    })
  }
  // A stable order for row locks: concurrent batches lock keys in the same order (no deadlock cycles).
  const byKey = (a: { dedupKey: string }, b: { dedupKey: string }): number => (a.dedupKey < b.dedupKey ? -1 : a.dedupKey > b.dedupKey ? 1 : 0)
  for (const r of rounds) {
    r.raises.sort(byKey)
    r.updates.sort(byKey)
    r.clears.sort(byKey)
  }
  return { rounds, rejected }
}
