// Per-rule scores from a match: precision (alerts that were right), recall
// (expected alerts that came), detection latency in sim seconds (raise time
// minus the moment it became detectable); printed as a table, and as one
// JSON object keyed by rule for machines.

import { RULE_TYPES, type RuleType } from '../world/truth.ts'
import type { ExpectedAlert, MatchResult } from './match.ts'

export interface RuleScore {
  expected: number
  detected: number
  alerts: number
  falsePositives: number
  /** null when the rule raised nothing (nothing to be right or wrong about). */
  precision: number | null
  /** null when nothing was expected of the rule. */
  recall: number | null
  latencyP50S: number | null
  latencyMaxS: number | null
}

export type Scores = Record<RuleType, RuleScore>

const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits

/** Nearest-rank percentile of sorted values. */
export function percentile (sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!
}

export function score (expected: readonly ExpectedAlert[], m: MatchResult): Scores {
  const out = {} as Scores
  for (const type of RULE_TYPES) {
    const exp = expected.filter((e) => e.type === type && e.expected).length
    const hits = m.matched.filter((x) => x.expected.type === type)
    const fp = m.falsePositives.filter((a) => a.alert.type === type).length
    const latencies = hits.map((x) => x.latencyMs / 1000).sort((a, b) => a - b)
    const p50 = percentile(latencies, 0.5)
    const max = percentile(latencies, 1)
    out[type] = {
      expected: exp,
      detected: hits.length,
      alerts: hits.length + fp,
      falsePositives: fp,
      precision: hits.length + fp === 0 ? null : round(hits.length / (hits.length + fp)),
      recall: exp === 0 ? null : round(hits.length / exp),
      latencyP50S: p50 === null ? null : round(p50, 1),
      latencyMaxS: max === null ? null : round(max, 1),
    }
  }
  return out
}

/** Totals over every rule. */
export function overall (s: Scores): { expected: number; detected: number; alerts: number; falsePositives: number; precision: number | null; recall: number | null } {
  const rules = Object.values(s)
  const expected = rules.reduce((n, r) => n + r.expected, 0)
  const detected = rules.reduce((n, r) => n + r.detected, 0)
  const alerts = rules.reduce((n, r) => n + r.alerts, 0)
  const falsePositives = rules.reduce((n, r) => n + r.falsePositives, 0)
  return {
    expected, detected, alerts, falsePositives,
    precision: alerts === 0 ? null : round((alerts - falsePositives) / alerts),
    recall: expected === 0 ? null : round(detected / expected),
  }
}

const fmt = (x: number | null, digits = 2): string => x === null ? '-' : x.toFixed(digits)

/** A fixed-width table, one row per rule, then the totals. */
export function table (s: Scores): string {
  const head = ['rule', 'expected', 'detected', 'alerts', 'false+', 'precision', 'recall', 'p50 s', 'max s']
  const rows = RULE_TYPES.map((t) => {
    const r = s[t]
    return [t, String(r.expected), String(r.detected), String(r.alerts), String(r.falsePositives), fmt(r.precision), fmt(r.recall), fmt(r.latencyP50S, 0), fmt(r.latencyMaxS, 0)]
  })
  const all = overall(s)
  rows.push(['all rules', String(all.expected), String(all.detected), String(all.alerts), String(all.falsePositives), fmt(all.precision), fmt(all.recall), '', ''])
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')
}

/** What went wrong, for people: each miss and false positive with its why. */
export function details (m: MatchResult, simIso: (t: number) => string): string[] {
  const lines: string[] = []
  for (const e of m.missed) lines.push(`missed   ${e.type} ${describe(e.match)} due ${simIso(e.at)} (${e.items[0]!.cause}: ${e.items[0]!.note})`)
  for (const a of m.falsePositives) lines.push(`false+   ${a.alert.type} ${a.alert.dedupKey} raised ${simIso(a.raisedAt)} (count ${a.alert.count})`)
  return lines
}

function describe (m: object): string {
  return Object.entries(m).map(([k, v]) => `${k}=${String(v)}`).join(' ')
}
