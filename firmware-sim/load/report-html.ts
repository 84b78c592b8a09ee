// Pure: a load report as one self-contained HTML page (inline SVG charts, no
// scripts, no network): throughput, latency and platform resources over time,
// and the figures in tables.

import type { LatencySummary } from './histogram.ts'
import { STAGE_LABELS, STAGES, type LoadReport, type SeriesRow, type Stage } from './report.ts'
import { escapeHtml, lineChart, type ChartSeries } from './svg-chart.ts'

const STAGE_COLORS: Record<Stage, string> = { ack: '#7b61ff', decision: '#1f77b4', committed: '#2ca02c', delivered: '#d62728' }

const cell = (v: unknown): string => `<td>${escapeHtml(v === null || v === undefined || Number.isNaN(v) ? '–' : String(v))}</td>`

function table (head: string[], rows: unknown[][]): string {
  return `<table><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>` +
    rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('') + '</table>'
}

function pointsOf (series: SeriesRow[], f: (r: SeriesRow) => number | null | undefined): Array<[number, number]> {
  const out: Array<[number, number]> = []
  for (const r of series) {
    const v = f(r)
    if (v !== null && v !== undefined && Number.isFinite(v)) out.push([r.t, v])
  }
  return out
}

export function renderLoadHtml (r: LoadReport): string {
  const s = r.series
  const throughput: ChartSeries[] = [
    { name: 'sent/s', color: '#999999', points: pointsOf(s, (x) => x.sentPerS), dashed: true },
    { name: 'acknowledged/s', color: '#7b61ff', points: pointsOf(s, (x) => x.ackedPerS) },
    { name: 'processed/s', color: '#1f77b4', points: pointsOf(s, (x) => x.processedPerS) },
    { name: 'alerts delivered/s', color: '#d62728', points: pointsOf(s, (x) => x.alertsPerS) },
  ]
  const latency: ChartSeries[] = []
  for (const stage of STAGES) {
    if (r.latency[stage] === undefined) continue
    latency.push({ name: `${stage} p50`, color: STAGE_COLORS[stage], points: pointsOf(s, (x) => x.p50[stage]) })
    latency.push({ name: `${stage} p99`, color: STAGE_COLORS[stage], points: pointsOf(s, (x) => x.p99[stage]), dashed: true })
  }
  const cpu: ChartSeries[] = [{ name: 'platform CPU, % of one core', color: '#ff7f0e', points: pointsOf(s, (x) => x.cpuPercent) }]
  const mem: ChartSeries[] = [
    { name: 'RSS MiB', color: '#8c564b', points: pointsOf(s, (x) => x.rssMiB) },
    { name: 'V8 heap MiB', color: '#17becf', points: pointsOf(s, (x) => x.heapMiB) },
  ]
  const lat = (stage: Stage, l: LatencySummary): unknown[] => [STAGE_LABELS[stage], l.count, l.p50, l.p90, l.p99, l.max, l.mean]
  const kv = (o: Record<string, unknown>): unknown[][] => Object.entries(o).map(([k, v]) => [k, typeof v === 'object' && v !== null ? JSON.stringify(v) : v])
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Load run ${escapeHtml(r.startedAt)}</title>
<style>
body { font-family: sans-serif; margin: 24px; color: #222; max-width: 940px }
table { border-collapse: collapse; margin: 8px 0 20px } td, th { border: 1px solid #ccc; padding: 3px 8px; text-align: right }
th { background: #f3f3f3 } td:first-child { text-align: left } svg { display: block; margin: 12px 0 }
</style></head><body>
<h1>Load run</h1>
<p>Started ${escapeHtml(r.startedAt)}; publishing window ${r.rates.seconds} s.</p>
${table(['', 'total', 'per second (window)'], [
    ['sent', r.totals.sent, r.rates.sentPerS],
    ['acknowledged', r.totals.acked, r.rates.ackedPerS],
    ['processed', r.totals.processed, r.rates.processedPerS],
    ['alert changes delivered', r.totals.alerts, r.rates.alertsPerS],
    ['unacknowledged on closed connections', r.totals.failed, null],
    ['connections open / failed to open / dropped', `${r.totals.connected} / ${r.totals.connectFailed} / ${r.totals.dropped}`, null],
  ])}
${lineChart({ title: 'Throughput', xLabel: 'seconds', yLabel: 'messages per second', series: throughput })}
<h2>Latency (ms)</h2>
${table(['stage', 'samples', 'p50', 'p90', 'p99', 'max', 'mean'], STAGES.filter((st) => r.latency[st] !== undefined).map((st) => lat(st, r.latency[st]!)))}
${lineChart({ title: 'Latency per second (p50 solid, p99 dashed)', xLabel: 'seconds', yLabel: 'ms (log scale)', series: latency, log: true })}
<h2>Platform resources</h2>
${table(['CPU mean %', 'CPU max %', 'RSS max MiB', 'RSS end MiB', 'heap max MiB'], [[r.resources.cpuPercentMean, r.resources.cpuPercentMax, r.resources.rssMiBMax, r.resources.rssMiBEnd, r.resources.heapMiBMax]])}
${lineChart({ title: 'CPU', xLabel: 'seconds', yLabel: '% of one core', series: cpu, height: 240 })}
${lineChart({ title: 'Memory', xLabel: 'seconds', yLabel: 'MiB', series: mem, height: 240 })}
<h2>Run</h2>
${table(['target', ''], kv(r.target))}
${table(['setting', ''], kv(r.config))}
${table(['machine', ''], kv(r.machine))}
${r.notes.length === 0 ? '' : `<ul>${r.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`}
</body></html>
`
}
