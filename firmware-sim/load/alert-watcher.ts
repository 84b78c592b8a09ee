// Child process: listens to the platform's live alert stream (GET
// /alerts/stream, Server-Sent Events) as a dispatch console would, and times
// each alert change of the load run's buildings from the device timestamp of
// the event behind it (`firstAt` of an opened alert, `lastAt` of an update) to
// its arrival here. Reports counts and a latency histogram every second.
// Runs in its own process so that parsing the stream costs the platform nothing.

import { request } from 'node:http'
import { pathToFileURL } from 'node:url'
import { LatencyHistogram, type HistogramData } from './histogram.ts'

export interface WatcherConfig { api: string; token: string; buildingPrefix: string }

export type WatcherReport =
  | { type: 'ready' }
  | { type: 'sample'; opened: number; updated: number; latency: HistogramData }
  | { type: 'error'; message: string }

const send = (m: WatcherReport): void => { process.send?.(m) }

let opened = 0
let updated = 0
let hist = new LatencyHistogram()

/** Handles one SSE block (lines up to a blank line). */
export function handleBlock (block: string, prefix: string, now: number): { kind: string; latencyMs: number } | undefined {
  let event = 'message'
  let data: string | undefined
  for (const line of block.split('\n')) {
    if (line.startsWith('event: ')) event = line.slice(7)
    else if (line.startsWith('data: ')) data = line.slice(6)
  }
  if (event !== 'alert' || data === undefined) return undefined
  const m = JSON.parse(data) as { kind: string; alert: { buildingId: string; firstAt: string; lastAt: string } }
  if (!m.alert.buildingId.startsWith(prefix)) return undefined
  if (m.kind !== 'opened' && m.kind !== 'updated') return undefined
  const at = Date.parse(m.kind === 'opened' ? m.alert.firstAt : m.alert.lastAt)
  return { kind: m.kind, latencyMs: now - at }
}

function watch (cfg: WatcherConfig): void {
  const req = request(new URL('/alerts/stream', cfg.api), { headers: { authorization: `Bearer ${cfg.token}` } }, (res) => {
    if (res.statusCode !== 200) {
      send({ type: 'error', message: `GET /alerts/stream answered ${res.statusCode}` })
      res.resume()
      return
    }
    send({ type: 'ready' })
    res.setEncoding('utf8')
    let pending = ''
    res.on('data', (chunk: string) => {
      const now = Date.now()
      pending += chunk
      let i: number
      while ((i = pending.indexOf('\n\n')) >= 0) {
        const r = handleBlock(pending.slice(0, i), cfg.buildingPrefix, now)
        pending = pending.slice(i + 2)
        if (r === undefined) continue
        if (r.kind === 'opened') opened++
        else updated++
        hist.record(r.latencyMs)
      }
    })
    res.on('end', () => send({ type: 'error', message: 'the alert stream ended' }))
  })
  req.on('error', (err) => send({ type: 'error', message: `alert stream: ${err.message}` }))
  req.end()
  setInterval(() => {
    send({ type: 'sample', opened, updated, latency: hist.toJSON() })
    hist = new LatencyHistogram()
  }, 1000)
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.once('message', (cfg: WatcherConfig) => watch(cfg))
  process.on('disconnect', () => process.exit())
}
