// Pure: a line chart as an inline SVG string (axes, ticks, legend; linear or
// log scale), drawn by hand so a report opens anywhere with no network.

export interface ChartSeries {
  name: string
  color: string
  points: Array<[number, number]>
  dashed?: boolean
}

export interface ChartSpec {
  title: string
  xLabel: string
  yLabel: string
  series: ChartSeries[]
  /** Logarithmic y axis (latencies); non-positive values are left out. */
  log?: boolean
  width?: number
  height?: number
}

export function escapeHtml (s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
}

/** About `count` round tick values (1, 2, 5 × 10^n) inside [min, max], or covering it (one past `max`) when `cover`. */
export function niceTicks (min: number, max: number, count = 5, cover = false): number[] {
  if (!(max > min)) return [min]
  const raw = (max - min) / count
  const mag = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag
  const top = cover ? Math.ceil(max / step - 1e-9) * step : max
  const ticks: number[] = []
  for (let v = Math.ceil(min / step) * step; v <= top + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)))
  return ticks
}

function fmt (v: number): string {
  if (Math.abs(v) >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`
  if (Math.abs(v) >= 1e4) return `${Number((v / 1e3).toPrecision(3))}k`
  return String(Number(v.toPrecision(3)))
}

export function lineChart (spec: ChartSpec): string {
  const W = spec.width ?? 880
  const H = spec.height ?? 300
  // Legend entries wrap into rows under the x axis.
  const legendW = spec.series.map((s) => 34 + s.name.length * 6.2)
  const legend: Array<{ x: number; row: number }> = []
  let row = 0
  let lx = 64
  for (const w of legendW) {
    if (lx + w > W - 16 && lx > 64) { row++; lx = 64 }
    legend.push({ x: lx, row })
    lx += w
  }
  const m = { l: 64, r: 16, t: 36, b: 52 + 16 * (row + 1) }
  const pw = W - m.l - m.r
  const ph = H - m.t - m.b
  const pts = spec.series.flatMap((s) => s.points).filter(([, y]) => Number.isFinite(y) && (!spec.log || y > 0))
  const title = `<text x="${m.l}" y="22" font-size="15" font-weight="600">${escapeHtml(spec.title)}</text>`
  if (pts.length === 0) {
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">${title}` +
      `<text x="${W / 2}" y="${H / 2}" text-anchor="middle" fill="#888">no data</text></svg>`
  }
  const xMin = Math.min(...pts.map((p) => p[0]))
  const xMax = Math.max(xMin + 1, ...pts.map((p) => p[0]))
  let yMin: number
  let yMax: number
  let yTicks: number[]
  if (spec.log === true) {
    const lo = Math.floor(Math.log10(Math.min(...pts.map((p) => p[1]))))
    const hi = Math.ceil(Math.log10(Math.max(...pts.map((p) => p[1]))))
    yMin = 10 ** lo
    yMax = 10 ** Math.max(hi, lo + 1)
    yTicks = []
    const steps = hi - lo <= 3 ? [1, 2, 5] : [1]
    for (let e = lo; 10 ** e <= yMax; e++) for (const k of steps) if (k * 10 ** e <= yMax) yTicks.push(Number((k * 10 ** e).toPrecision(6)))
  } else {
    yMin = 0
    const top = Math.max(...pts.map((p) => p[1]))
    yTicks = niceTicks(0, top > 0 ? top : 1, 5, true)
    yMax = Math.max(top, yTicks.at(-1) ?? 1)
  }
  const sx = (x: number): number => m.l + ((x - xMin) / (xMax - xMin)) * pw
  const sy = (y: number): number => spec.log === true
    ? m.t + ph - ((Math.log10(y) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * ph
    : m.t + ph - ((y - yMin) / (yMax - yMin)) * ph
  const parts: string[] = [title]
  for (const v of yTicks) {
    const y = sy(v).toFixed(1)
    parts.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${y}" y2="${y}" stroke="#e4e4e4"/>`)
    parts.push(`<text x="${m.l - 6}" y="${y}" dy="4" text-anchor="end" font-size="11">${fmt(v)}</text>`)
  }
  for (const v of niceTicks(xMin, xMax, 8)) {
    const x = sx(v).toFixed(1)
    parts.push(`<line x1="${x}" x2="${x}" y1="${m.t + ph}" y2="${m.t + ph + 4}" stroke="#444"/>`)
    parts.push(`<text x="${x}" y="${m.t + ph + 17}" text-anchor="middle" font-size="11">${fmt(v)}</text>`)
  }
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#444"/>`)
  parts.push(`<text x="${m.l + pw / 2}" y="${m.t + ph + 34}" text-anchor="middle" font-size="12">${escapeHtml(spec.xLabel)}</text>`)
  parts.push(`<text transform="translate(14 ${m.t + ph / 2}) rotate(-90)" text-anchor="middle" font-size="12">${escapeHtml(spec.yLabel)}</text>`)
  spec.series.forEach((s, k) => {
    const d = s.points
      .filter(([, y]) => Number.isFinite(y) && (!spec.log || y > 0))
      .map(([x, y], k) => `${k === 0 ? 'M' : 'L'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join('')
    const dash = s.dashed === true ? ' stroke-dasharray="6 4"' : ''
    if (d.length > 0) parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${dash}><title>${escapeHtml(s.name)}</title></path>`)
    const { x, row } = legend[k]!
    const ly = m.t + ph + 56 + 16 * row
    parts.push(`<line x1="${x}" x2="${x + 22}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"${dash}/>`)
    parts.push(`<text x="${x + 27}" y="${ly}" font-size="11">${escapeHtml(s.name)}</text>`)
  })
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">${parts.join('')}</svg>`
}
