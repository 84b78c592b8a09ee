// The report of a run: as data (--json) and as text for a person.

import type { DeviceKind, Mode } from './observation.ts'
import type { RequirementResult } from './requirements.ts'

export interface ConformanceReport {
  protocol: 'rh/v1'
  deviceId: string
  buildingId: string
  kind: DeviceKind
  mode: Mode
  /** Where the kit listened, or the broker it used. */
  endpoint: string
  startedAt: string
  finishedAt: string
  /** True when no requirement failed (not checked ones do not fail a run). */
  passed: boolean
  counts: { pass: number; fail: number; not_checked: number }
  /** Why the run stopped before checking anything, if it did. */
  aborted?: string
  results: RequirementResult[]
}

export function buildReport (head: Omit<ConformanceReport, 'protocol' | 'passed' | 'counts' | 'results'>, results: RequirementResult[]): ConformanceReport {
  const counts = { pass: 0, fail: 0, not_checked: 0 }
  for (const r of results) counts[r.verdict]++
  return { protocol: 'rh/v1', ...head, passed: counts.fail === 0 && head.aborted === undefined, counts, results }
}

const LABEL = { pass: 'PASS', fail: 'FAIL', not_checked: 'N/A ' } as const

function offendingText (offending: unknown): string {
  const s = typeof offending === 'string' ? offending : JSON.stringify(offending, null, 2)
  return s.length > 2000 ? `${s.slice(0, 2000)}…` : s
}

export function formatReport (r: ConformanceReport): string {
  const lines: string[] = []
  lines.push(`rh/v1 conformance: ${r.kind} ${r.deviceId} in building ${r.buildingId}, ${r.mode} mode (${r.endpoint})`)
  lines.push(`run ${r.startedAt} .. ${r.finishedAt}`)
  if (r.aborted !== undefined) lines.push(`STOPPED EARLY: ${r.aborted}`)
  lines.push('')
  const idWidth = Math.max(...r.results.map((x) => x.id.length))
  const secWidth = Math.max(...r.results.map((x) => x.section.length))
  for (const x of r.results) {
    lines.push(`${LABEL[x.verdict]}  ${x.id.padEnd(idWidth)}  ${x.section.padEnd(secWidth)}  ${x.title}`)
    const indent = ' '.repeat(6)
    if (x.reason !== undefined) lines.push(`${indent}${x.verdict === 'fail' ? 'why' : 'note'}: ${x.reason}`)
    if (x.offending !== undefined) {
      lines.push(`${indent}offending:`)
      for (const l of offendingText(x.offending).split('\n')) lines.push(`${indent}  ${l}`)
    }
    for (const n of x.notes ?? []) lines.push(`${indent}· ${n}`)
  }
  lines.push('')
  const c = r.counts
  lines.push(`${r.passed ? 'CONFORMS' : 'DOES NOT CONFORM'}: ${c.pass} passed, ${c.fail} failed, ${c.not_checked} not checked`)
  return lines.join('\n')
}
