// Pure: turns the per-second samples of a load run into its report: totals,
// rates over the publishing window, latency percentiles per stage, the
// resources the platform used, and one row per second for the chart.

import { LatencyHistogram, type HistogramData, type LatencySummary } from './histogram.ts'

/** Where a message's latency is measured, from the device timestamp (ack: from the PUBLISH). */
export const STAGES = ['ack', 'decision', 'committed', 'delivered'] as const
export type Stage = (typeof STAGES)[number]

export const STAGE_LABELS: Record<Stage, string> = {
  ack: 'publish → PUBACK',
  decision: 'device timestamp → pipeline decision',
  committed: 'device timestamp → alert committed',
  delivered: 'device timestamp → alert delivered (live stream)',
}

/** Cumulative counters at one moment, with the latencies recorded since the previous sample. */
export interface Sample {
  /** ms since publishing started */
  t: number
  sent: number
  acked: number
  failed: number
  /** Events through the pipeline (in-process) or accepted by the broker (remote, from the API). */
  processed: number
  /** Alert changes delivered to the live stream. */
  alerts: number
  connected: number
  cpuMs?: number
  rssBytes?: number
  heapBytes?: number
  latency: Partial<Record<Stage, HistogramData>>
}

export interface SeriesRow {
  /** seconds since publishing started (end of the interval) */
  t: number
  sentPerS: number
  ackedPerS: number
  processedPerS: number
  alertsPerS: number
  connected: number
  cpuPercent: number | null
  rssMiB: number | null
  heapMiB: number | null
  p50: Partial<Record<Stage, number>>
  p99: Partial<Record<Stage, number>>
}

export interface LoadReport {
  kind: 'load'
  startedAt: string
  target: Record<string, unknown>
  config: Record<string, unknown>
  machine: Record<string, unknown>
  totals: { sent: number; acked: number; failed: number; processed: number; alerts: number; connected: number; connectFailed: number; dropped: number }
  /** Over the publishing window, from the start until the last acknowledgement. */
  rates: { seconds: number; sentPerS: number; ackedPerS: number; processedPerS: number; alertsPerS: number }
  latency: Partial<Record<Stage, LatencySummary>>
  resources: { cpuPercentMean: number | null; cpuPercentMax: number | null; rssMiBMax: number | null; rssMiBEnd: number | null; heapMiBMax: number | null }
  notes: string[]
  series: SeriesRow[]
}

const MiB = 2 ** 20
const round1 = (v: number): number => Math.round(v * 10) / 10

/** One row per interval between consecutive samples (the first sample is the baseline). */
export function buildSeries (samples: Sample[]): SeriesRow[] {
  const rows: SeriesRow[] = []
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!
    const b = samples[i]!
    const dt = (b.t - a.t) / 1000
    if (dt <= 0) continue
    const per = (x: number, y: number): number => Math.round((y - x) / dt)
    const p50: Partial<Record<Stage, number>> = {}
    const p99: Partial<Record<Stage, number>> = {}
    for (const s of STAGES) {
      const h = b.latency[s]
      if (h === undefined || h.count === 0) continue
      const hist = LatencyHistogram.from(h)
      p50[s] = round1(hist.percentile(50))
      p99[s] = round1(hist.percentile(99))
    }
    rows.push({
      t: round1(b.t / 1000),
      sentPerS: per(a.sent, b.sent),
      ackedPerS: per(a.acked, b.acked),
      processedPerS: per(a.processed, b.processed),
      alertsPerS: per(a.alerts, b.alerts),
      connected: b.connected,
      cpuPercent: a.cpuMs === undefined || b.cpuMs === undefined ? null : round1(((b.cpuMs - a.cpuMs) / (b.t - a.t)) * 100),
      rssMiB: b.rssBytes === undefined ? null : Math.round(b.rssBytes / MiB),
      heapMiB: b.heapBytes === undefined ? null : Math.round(b.heapBytes / MiB),
      p50,
      p99,
    })
  }
  return rows
}

export interface ReportInput {
  startedAt: Date
  target: Record<string, unknown>
  config: Record<string, unknown>
  machine: Record<string, unknown>
  /** Samples from the start (t = 0, the baseline) until after the run settled. */
  samples: Sample[]
  /** ms since the start when the last acknowledgement arrived. */
  windowMs: number
  connectFailed: number
  dropped: number
  notes?: string[]
}

export function buildReport (i: ReportInput): LoadReport {
  const samples = [...i.samples].sort((a, b) => a.t - b.t)
  const first = samples[0]
  const last = samples.at(-1)
  if (first === undefined || last === undefined) throw new Error('a report needs at least one sample')
  // Counters at the end of the window: the first sample at or after it (the publishers' final counts).
  const atWindow = samples.find((s) => s.t >= i.windowMs) ?? last
  const seconds = Math.max(0.001, i.windowMs / 1000)
  const rate = (v: number): number => Math.round(v / seconds)
  const merged: Partial<Record<Stage, LatencyHistogram>> = {}
  for (const s of samples) {
    for (const stage of STAGES) {
      const h = s.latency[stage]
      if (h !== undefined && h.count > 0) (merged[stage] ??= new LatencyHistogram()).merge(h)
    }
  }
  const latency: Partial<Record<Stage, LatencySummary>> = {}
  for (const stage of STAGES) if (merged[stage] !== undefined) latency[stage] = merged[stage].summary()
  const series = buildSeries(samples)
  const windowRows = series.filter((r) => r.t <= i.windowMs / 1000 + 0.5)
  const cpu = windowRows.map((r) => r.cpuPercent).filter((v): v is number => v !== null)
  const rss = series.map((r) => r.rssMiB).filter((v): v is number => v !== null)
  const heap = series.map((r) => r.heapMiB).filter((v): v is number => v !== null)
  return {
    kind: 'load',
    startedAt: i.startedAt.toISOString(),
    target: i.target,
    config: i.config,
    machine: i.machine,
    totals: {
      sent: last.sent - first.sent,
      acked: last.acked - first.acked,
      failed: last.failed - first.failed,
      processed: last.processed - first.processed,
      alerts: last.alerts - first.alerts,
      connected: atWindow.connected,
      connectFailed: i.connectFailed,
      dropped: i.dropped,
    },
    rates: {
      seconds: round1(seconds),
      sentPerS: rate(atWindow.sent - first.sent),
      ackedPerS: rate(atWindow.acked - first.acked),
      processedPerS: rate(atWindow.processed - first.processed),
      alertsPerS: rate(atWindow.alerts - first.alerts),
    },
    latency,
    resources: {
      cpuPercentMean: cpu.length === 0 ? null : round1(cpu.reduce((a, b) => a + b, 0) / cpu.length),
      cpuPercentMax: cpu.length === 0 ? null : Math.max(...cpu),
      rssMiBMax: rss.length === 0 ? null : Math.max(...rss),
      rssMiBEnd: rss.at(-1) ?? null,
      heapMiBMax: heap.length === 0 ? null : Math.max(...heap),
    },
    notes: i.notes ?? [],
    series,
  }
}

/** The report without its per-second series: the last line of the load command's output. */
export function summaryOf (r: LoadReport): Omit<LoadReport, 'series'> {
  const { series: _, ...rest } = r
  return rest
}
