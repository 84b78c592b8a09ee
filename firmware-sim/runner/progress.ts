// Lines for people while a run goes on, and the files it leaves behind.

import { writeFileSync } from 'node:fs'
import { hhmm, localDate, localHour } from '../world/local-time.ts'
import type { Progress, RunOutcome } from './run-scenario.ts'

/** Sim time as the site's local time, e.g. `2026-03-03 14:20+08`. */
export function localStamp (t: number): string {
  return `${localDate(t)} ${hhmm(localHour(t))}+08`
}

export function progressLine (p: Progress): string {
  const day = Math.min(p.end, p.sim) - p.start
  const days = (p.end - p.start) / 86_400_000
  return `sim ${localStamp(p.sim)}  day ${(day / 86_400_000).toFixed(1)}/${days.toFixed(1)}  actions ${p.done}/${p.total}  ` +
    `swipes ${p.stats.passes} (${p.stats.denied} refused)  alerts ${p.alerts ?? '?'}  lag ${Math.round(p.stats.maxLagMs / 1000)} s`
}

/** A progress printer that stays quiet while nothing changes (at most a line every `quietMs` then). */
export function progressPrinter (print: (line: string) => void, quietMs = 30_000): (p: Progress) => void {
  let last = ''
  let lastAt = 0
  return (p) => {
    const state = `${p.done}/${p.stats.passes}/${p.alerts ?? ''}`
    if (state === last && Date.now() - lastAt < quietMs) return
    last = state
    lastAt = Date.now()
    print(progressLine(p))
  }
}

/** What happened, in a few lines. */
export function summary (r: RunOutcome): string[] {
  const s = r.stats
  const lines = [
    `done: ${s.actions} actions, ${s.passes} swipes (${s.denied} refused), ${r.alerts.length} alerts ` +
      `(${r.match.ignored.length} of things not scored: due at the very end, or over before the platform could look); ` +
      `most an action ran late: ${Math.round(s.maxLagMs / 1000)} sim s`,
  ]
  if (s.deviations.length > 0) lines.push(`${s.deviations.length} swipes decided otherwise than expected:`, ...s.deviations.slice(0, 10).map((d) => `  ${d}`))
  if (s.failures.length > 0) lines.push(`${s.failures.length} actions failed:`, ...s.failures.slice(0, 10).map((d) => `  ${d}`))
  return lines
}

export function writeOutputs (r: RunOutcome, files: { truthFile?: string; alertsFile?: string }): void {
  if (files.truthFile !== undefined) writeFileSync(files.truthFile, `${JSON.stringify(r.truth, null, 2)}\n`)
  if (files.alertsFile !== undefined) writeFileSync(files.alertsFile, `${JSON.stringify(r.alerts, null, 2)}\n`)
}
