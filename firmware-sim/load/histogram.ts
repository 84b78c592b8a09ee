// A latency histogram with buckets about 2 % wide (log scale from 0.01 ms to
// hours), so that millions of samples cost a few kilobytes, per-second
// histograms can cross process boundaries as JSON, and they merge exactly.
// Percentiles are within one bucket (about 1 %) of the exact value.

const MIN_MS = 0.01
const GROWTH = 1.02
const LOG_GROWTH = Math.log(GROWTH)

export interface HistogramData {
  /** [bucket index, count] pairs. */
  buckets: Array<[number, number]>
  count: number
  sum: number
  min: number
  max: number
}

export interface LatencySummary {
  count: number
  mean: number
  p50: number
  p90: number
  p99: number
  max: number
}

function bucketOf (ms: number): number {
  return ms <= MIN_MS ? 0 : Math.floor(Math.log(ms / MIN_MS) / LOG_GROWTH) + 1
}

/** The middle of a bucket (geometric). */
function valueOf (bucket: number): number {
  return bucket === 0 ? MIN_MS : MIN_MS * GROWTH ** (bucket - 0.5)
}

export class LatencyHistogram {
  private readonly counts = new Map<number, number>()
  count = 0
  sum = 0
  min = Infinity
  max = -Infinity

  static from (data: HistogramData): LatencyHistogram {
    const h = new LatencyHistogram()
    for (const [b, n] of data.buckets) h.counts.set(b, n)
    h.count = data.count
    h.sum = data.sum
    h.min = data.count === 0 ? Infinity : data.min
    h.max = data.count === 0 ? -Infinity : data.max
    return h
  }

  /** Negative values (clocks a millisecond apart) count as 0. */
  record (ms: number): void {
    const v = ms < 0 ? 0 : ms
    const b = bucketOf(v)
    this.counts.set(b, (this.counts.get(b) ?? 0) + 1)
    this.count++
    this.sum += v
    if (v < this.min) this.min = v
    if (v > this.max) this.max = v
  }

  merge (other: LatencyHistogram | HistogramData): this {
    const o = other instanceof LatencyHistogram ? other : LatencyHistogram.from(other)
    for (const [b, n] of o.counts) this.counts.set(b, (this.counts.get(b) ?? 0) + n)
    this.count += o.count
    this.sum += o.sum
    if (o.min < this.min) this.min = o.min
    if (o.max > this.max) this.max = o.max
    return this
  }

  /** The value below which `p` % of the samples lie; NaN when empty. */
  percentile (p: number): number {
    if (this.count === 0) return NaN
    const rank = Math.max(1, Math.ceil((p / 100) * this.count))
    const sorted = [...this.counts.keys()].sort((a, b) => a - b)
    let seen = 0
    for (const b of sorted) {
      seen += this.counts.get(b)!
      if (seen >= rank) return Math.min(this.max, Math.max(this.min, valueOf(b)))
    }
    return this.max
  }

  summary (): LatencySummary {
    const round = (v: number): number => Number.isNaN(v) ? NaN : Math.round(v * 10) / 10
    return {
      count: this.count,
      mean: round(this.count === 0 ? NaN : this.sum / this.count),
      p50: round(this.percentile(50)),
      p90: round(this.percentile(90)),
      p99: round(this.percentile(99)),
      max: round(this.count === 0 ? NaN : this.max),
    }
  }

  toJSON (): HistogramData {
    return { buckets: [...this.counts], count: this.count, sum: this.sum, min: this.min, max: this.max }
  }
}
