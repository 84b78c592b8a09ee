// Measures one system with the benchmark's publishers: a short warm-up, then
// the measured run. Rates are over the publishing window (all publishers
// started together, until the last acknowledgement); what the system
// delivers or processes after the window is reported apart (`after`), as is
// what it never delivered (`missing`). CPU and memory are read from /proc.

import { LatencyHistogram, type LatencySummary } from '../load/histogram.ts'
import { cpuPercent, pidSample } from '../load/process-stats.ts'
import { Progress, thousands } from '../load/progress-bar.ts'
import { PublisherPool } from '../load/publisher-pool.ts'
import type { System } from './systems.ts'

export interface BenchOptions {
  seconds: number
  warmupS: number
  window: number
  unknownShare: number
  rampPerS: number
}

export interface SystemResult {
  system: string
  version: string
  counts: string
  seconds: number
  sent: number
  acked: number
  ackedPerS: number
  /** Processed (platform) or delivered (brokers) within the window, per second. */
  eventsPerS: number
  /** Processed or delivered after the window, and never (acked but not delivered 5 s after the window). */
  after: number
  missing: number
  /**
   * Platform only: events copied into the database within the window, per second, and how many acknowledged
   * events were still waiting for that copy at its end (bounded: appends wait beyond 100,000).
   */
  stored?: { perS: number; behindAtEnd: number }
  latency: LatencySummary
  ackLatency: LatencySummary
  committedLatency?: LatencySummary
  cpuPercent: { system: number | null; publishers: number | null; subscriber: number | null }
  rssMiB: number | null
  /** Per second: acked and processed/delivered. */
  series: Array<{ t: number; ackedPerS: number; eventsPerS: number }>
}

async function publish (sys: System, o: BenchOptions, seconds: number, runId: string, seqBase: number): Promise<PublisherPool> {
  const pool = new PublisherPool({
    url: sys.mqtt, devices: sys.devices, rate: 0, durationS: seconds, unknownShare: o.unknownShare, window: o.window,
    runId, seqBase, rampPerS: o.rampPerS, reportMs: 200,
  })
  await pool.connect()
  return pool
}

export async function measure (sys: System, o: BenchOptions, progress = new Progress()): Promise<SystemResult> {
  const stamp = Date.now().toString(36)
  if (o.warmupS > 0) {
    const warm = await publish(sys, o, o.warmupS, `${sys.name}-w${stamp}`, 1e9)
    progress.update(sys.name, 0, `warm-up ${o.warmupS} s`)
    warm.start()
    await warm.done().finally(() => warm.close())
    await new Promise((r) => setTimeout(r, 1000))
  }
  const pool = await publish(sys, o, o.seconds, `${sys.name}-r${stamp}`, 2e9)
  try {
    const latency = new LatencyHistogram()
    const committed = new LatencyHistogram()
    const base = await sys.sample()
    const cpu0 = { sys: pidSample(sys.pid), sub: sys.subscriberPid === undefined ? undefined : pidSample(sys.subscriberPid) }
    pool.takeAckLatency()
    pool.start()
    const t0 = pool.startedAt
    const series: SystemResult['series'] = []
    let last = { t: t0, acked: 0, count: base.count }
    let count = base.count
    let stored = base.stored
    const take = async (): Promise<void> => {
      const s = await sys.sample()
      stored = s.stored
      latency.merge(s.latency)
      if (s.committed !== undefined) committed.merge(s.committed)
      count = s.count
      const now = Date.now()
      const acked = pool.totals().acked
      const dt = Math.max(1, now - last.t) / 1000
      series.push({ t: Math.round((now - t0) / 100) / 10, ackedPerS: Math.round((acked - last.acked) / dt), eventsPerS: Math.round((s.count - last.count) / dt) })
      progress.update(sys.name, (now - t0) / 1000 / o.seconds, `${Math.round((now - t0) / 1000)}/${o.seconds} s  acked ${thousands(acked)} (${thousands(series.at(-1)!.ackedPerS)}/s)  ${sys.name === 'platform' ? 'processed' : 'delivered'} ${thousands(s.count - base.count)} (${thousands(series.at(-1)!.eventsPerS)}/s)`)
      last = { t: now, acked, count: s.count }
    }
    const timer = setInterval(() => { void take().catch(() => {}) }, 1000)
    await pool.done().finally(() => clearInterval(timer))
    const windowMs = Date.now() - t0
    await take()
    const inWindow = count - base.count
    const storedInWindow = base.stored === undefined || stored === undefined ? undefined
      : { perS: Math.round((stored.inDatabase - base.stored.inDatabase) / (windowMs / 1000)), behindAtEnd: stored.behind }
    const cpu1 = { sys: pidSample(sys.pid), sub: sys.subscriberPid === undefined ? undefined : pidSample(sys.subscriberPid) }
    const rss = cpu1.sys?.rssBytes
    // What arrives after the window (a backlog), for up to 5 s.
    const totals = pool.totals()
    for (let i = 0; i < 5 && count - base.count < totals.acked; i++) {
      await new Promise((r) => setTimeout(r, 1000))
      await take()
    }
    progress.done()
    const seconds = windowMs / 1000
    const delivered = count - base.count
    return {
      system: sys.name, version: sys.version, counts: sys.counts,
      seconds: Math.round(seconds * 10) / 10,
      sent: totals.sent, acked: totals.acked,
      ackedPerS: Math.round(totals.acked / seconds),
      eventsPerS: Math.round(inWindow / seconds),
      after: delivered - inWindow,
      missing: Math.max(0, totals.acked - delivered),
      ...(storedInWindow === undefined ? {} : { stored: storedInWindow }),
      latency: latency.summary(),
      ackLatency: pool.takeAckLatency().summary(),
      ...(committed.count > 0 ? { committedLatency: committed.summary() } : {}),
      cpuPercent: {
        system: cpuPercent(cpu0.sys, cpu1.sys, windowMs) ?? null,
        // The publishers' CPU from connected until done (the drain included).
        publishers: Math.round((totals.cpuMs / windowMs) * 1000) / 10,
        subscriber: cpuPercent(cpu0.sub, cpu1.sub, windowMs) ?? null,
      },
      rssMiB: rss === undefined ? null : Math.round(rss / 2 ** 20),
      series,
    }
  } finally {
    pool.close()
  }
}
