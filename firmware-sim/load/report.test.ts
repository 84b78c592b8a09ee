import { describe, expect, it } from 'vitest'
import { handleBlock } from './alert-watcher.ts'
import { LatencyHistogram } from './histogram.ts'
import { PacketReader, publishPacket } from './mqtt-wire.ts'
import { renderLoadHtml } from './report-html.ts'
import { buildReport, buildSeries, summaryOf, type Sample } from './report.ts'
import { lineChart, niceTicks } from './svg-chart.ts'

const hist = (...values: number[]) => {
  const h = new LatencyHistogram()
  for (const v of values) h.record(v)
  return h
}

describe('LatencyHistogram', () => {
  it('gives percentiles within about 2 % of the exact value', () => {
    const values = Array.from({ length: 10_000 }, (_, i) => (i + 1) / 10) // 0.1 .. 1000 ms
    const h = hist(...values)
    for (const [p, exact] of [[50, 500], [90, 900], [99, 990]] as const) {
      expect(Math.abs(h.percentile(p) - exact) / exact).toBeLessThan(0.02)
    }
    expect(h.summary()).toMatchObject({ count: 10_000, max: 1000 })
    expect(h.summary().mean).toBeCloseTo(500.05, 0)
  })

  it('merges exactly, also through JSON (as histograms cross processes)', () => {
    const a = hist(1, 2, 3)
    const b = hist(100, 200)
    const merged = new LatencyHistogram().merge(JSON.parse(JSON.stringify(a))).merge(b.toJSON())
    expect(merged.count).toBe(5)
    expect(merged.min).toBe(1)
    expect(merged.max).toBe(200)
    expect(merged.percentile(100)).toBe(200)
    expect(merged.percentile(50)).toBeCloseTo(3, 0)
  })

  it('is empty without samples and clamps negative latencies to 0', () => {
    expect(Number.isNaN(new LatencyHistogram().percentile(50))).toBe(true)
    expect(LatencyHistogram.from(JSON.parse(JSON.stringify(new LatencyHistogram().toJSON()))).count).toBe(0)
    expect(hist(-3).percentile(50)).toBe(0)
  })
})

const sample = (t: number, n: number, latency: Sample['latency'] = {}, extra: Partial<Sample> = {}): Sample =>
  ({ t, sent: n, acked: n, failed: 0, processed: n, alerts: Math.floor(n / 20), connected: 4, latency, ...extra })

describe('report', () => {
  const samples: Sample[] = [
    sample(0, 0, {}, { cpuMs: 1000, rssBytes: 100 * 2 ** 20, heapBytes: 10 * 2 ** 20 }),
    sample(1000, 1000, { decision: hist(5, 5, 5, 50).toJSON() }, { cpuMs: 1500, rssBytes: 120 * 2 ** 20, heapBytes: 12 * 2 ** 20 }),
    sample(2000, 3000, { decision: hist(10, 10).toJSON(), delivered: hist(30).toJSON() }, { cpuMs: 2400, rssBytes: 130 * 2 ** 20, heapBytes: 11 * 2 ** 20 }),
    sample(2500, 4000, {}, { cpuMs: 2600, rssBytes: 125 * 2 ** 20 }),
    // after the window: the platform finishes its backlog
    sample(3500, 4000, {}, { processed: 4100, cpuMs: 2700, rssBytes: 125 * 2 ** 20 }),
  ]

  it('turns cumulative counters into one row per second', () => {
    const rows = buildSeries(samples)
    expect(rows.map((r) => r.t)).toEqual([1, 2, 2.5, 3.5])
    expect(rows.map((r) => r.ackedPerS)).toEqual([1000, 2000, 2000, 0])
    expect(rows[3]!.processedPerS).toBe(100)
    expect(rows.map((r) => r.cpuPercent)).toEqual([50, 90, 40, 10])
    expect(rows[0]!.p50.decision).toBeCloseTo(5, 0)
    expect(rows[0]!.p99.decision).toBeCloseTo(50, 0)
    expect(rows[1]!.p50.delivered).toBeCloseTo(30, 0)
    expect(rows[2]!.p50).toEqual({})
  })

  it('reports totals, rates over the window, merged latencies and resources', () => {
    const r = buildReport({
      startedAt: new Date('2026-01-01T00:00:00Z'), target: { mode: 'test' }, config: {}, machine: {}, samples: [...samples].reverse(),
      windowMs: 2500, connectFailed: 1, dropped: 0,
    })
    expect(r.totals).toMatchObject({ sent: 4000, acked: 4000, processed: 4100, alerts: 200, connectFailed: 1 })
    expect(r.rates).toEqual({ seconds: 2.5, sentPerS: 1600, ackedPerS: 1600, processedPerS: 1600, alertsPerS: 80 })
    expect(r.latency.decision?.count).toBe(6)
    expect(r.latency.decision?.max).toBe(50)
    expect(r.latency.delivered?.count).toBe(1)
    expect(r.latency.ack).toBeUndefined()
    expect(r.resources).toEqual({ cpuPercentMean: 60, cpuPercentMax: 90, rssMiBMax: 130, rssMiBEnd: 125, heapMiBMax: 12 })
    expect(summaryOf(r)).not.toHaveProperty('series')
    expect(JSON.parse(JSON.stringify(summaryOf(r))).rates.ackedPerS).toBe(1600)
  })

  it('renders a self-contained HTML page with the charts and figures', () => {
    const r = buildReport({ startedAt: new Date(), target: { mode: '<in-process>' }, config: { rate: 0 }, machine: {}, samples, windowMs: 2500, connectFailed: 0, dropped: 0 })
    const html = renderLoadHtml(r)
    expect(html.startsWith('<!doctype html>')).toBe(true)
    expect(html.match(/<svg /g)?.length).toBe(4)
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/)
    expect(html).toContain('&lt;in-process&gt;')
    expect(html).toContain('device timestamp → pipeline decision')
    expect(html).toMatch(/<path d="M[\d.]+,[\d.]+L/)
  })
})

describe('svg chart', () => {
  it('chooses round ticks', () => {
    expect(niceTicks(0, 9500)).toEqual([0, 2000, 4000, 6000, 8000])
    expect(niceTicks(0, 9500, 5, true)).toEqual([0, 2000, 4000, 6000, 8000, 10000])
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1])
    expect(niceTicks(1, 1.5, 8)).toEqual([1, 1.1, 1.2, 1.3, 1.4, 1.5])
  })

  it('draws log scales without non-positive values, and says when there is no data', () => {
    const svg = lineChart({ title: 'L', xLabel: 's', yLabel: 'ms', log: true, series: [{ name: 'p50', color: '#000', points: [[1, 0], [2, 3], [3, 300]] }] })
    expect(svg.match(/<path d="([^"]+)"/)?.[1]?.match(/[ML]/g)?.length).toBe(2)
    expect(svg).toContain('>1000<')
    expect(lineChart({ title: 'E', xLabel: 's', yLabel: 'n', series: [] })).toContain('no data')
  })
})

describe('wire and stream parsing', () => {
  it('splits packets across chunk boundaries', () => {
    const got: Array<[number, number]> = []
    const reader = new PacketReader((type, body) => got.push([type, body.length]))
    const big = publishPacket(Buffer.from('a/b'), 'x'.repeat(300), 7) // two-byte remaining length
    const bytes = Buffer.concat([Buffer.from([0x40, 0x02, 0x00, 0x01]), big, Buffer.from([0xd0, 0x00])])
    for (let i = 0; i < bytes.length; i += 5) reader.feed(bytes.subarray(i, i + 5))
    expect(got).toEqual([[4, 2], [3, 2 + 3 + 2 + 300], [13, 0]])
  })

  it('times alert changes of the run from their event time', () => {
    const block = (kind: string, buildingId: string) =>
      `event: alert\ndata: ${JSON.stringify({ kind, alert: { buildingId, firstAt: '2026-01-01T00:00:00.000Z', lastAt: '2026-01-01T00:00:01.000Z' } })}`
    const now = Date.parse('2026-01-01T00:00:01.250Z')
    expect(handleBlock(block('opened', 'ldx-b1'), 'ldx-b', now)).toEqual({ kind: 'opened', latencyMs: 1250 })
    expect(handleBlock(block('updated', 'ldx-b1'), 'ldx-b', now)).toEqual({ kind: 'updated', latencyMs: 250 })
    expect(handleBlock(block('opened', 'demo-b1'), 'ldx-b', now)).toBeUndefined()
    expect(handleBlock(block('resolved', 'ldx-b1'), 'ldx-b', now)).toBeUndefined()
    expect(handleBlock(': heartbeat', 'ldx-b', now)).toBeUndefined()
  })
})
