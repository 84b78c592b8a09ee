// npm run bench:pipeline — events/s through the whole pipeline (real broker
// on a real socket, durable event log on the embedded database, rules, alert
// persistence) and event -> alert latency percentiles at a paced rate.
// The load generator runs in a child process on the same machine. The last
// line of output is one JSON object.

import { cpus, totalmem } from 'node:os'
import { fork } from 'node:child_process'
import pino from 'pino'
import { startPlatform } from '../../platform/starter.ts'
import type { Actor } from '../../platform/registry/access.ts'
import { openTestDatabase } from '../support/databases.ts'
import { residentIdNumber } from '../support/id-numbers.ts'
import type { PublisherConfig, PublisherDevice } from '../../firmware-sim/load/publisher.ts'

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}
const DEVICES = arg('devices', 40)
const MAX_S = arg('max-seconds', 15)
const PACED_RATE = arg('rate', 10_000)
const PACED_S = arg('paced-seconds', 15)
const WINDOW = arg('window', 200)
const i = process.argv.indexOf('--database')
const DATABASE = i >= 0 ? process.argv[i + 1] : 'pglite'
if (DATABASE !== 'pglite' && DATABASE !== 'postgres') throw new Error('--database is pglite (embedded, default) or postgres (PG_TEST_URL, default the local server)')

function percentile (sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

async function main (): Promise<void> {
  const server = DATABASE === 'postgres' ? await openTestDatabase('postgres') : undefined
  const started = await startPlatform({
    dataKey: 'b7'.repeat(32), env: { DEMO: 'off' }, logger: pino({ level: 'warn' }),
    ...(server === undefined ? {} : { database: { given: server.db } }),
  })
  const { platform } = started
  const registry = platform.registry
  const admin = await registry.users.create(null, { username: 'bench-admin', displayName: 'Bench', role: 'admin', password: 'bench-password' })
  const root: Actor = { id: admin.id, role: 'admin', username: admin.username }
  await registry.areas.create(root, { id: 'bd', kind: 'district', name: 'D' })
  await registry.areas.create(root, { id: 'bs', parentId: 'bd', kind: 'street', name: 'S' })
  await registry.areas.create(root, { id: 'bc', parentId: 'bs', kind: 'community', name: 'C' })
  await registry.areas.create(root, { id: 'bg', parentId: 'bc', kind: 'grid', name: 'G' })
  await registry.buildings.create(root, { id: 'bench-b', gridId: 'bg', name: 'Bench block', address: 'Loopback 1' })
  const devices: PublisherDevice[] = []
  for (let i = 0; i < DEVICES; i++) {
    const room = await registry.buildings.createRoom(root, 'bench-b', { number: `R${i}`, capacity: 4 })
    const card = `C0${i.toString(16).padStart(6, '0')}`
    const reg = await registry.registrations.register(root, room.id, {
      resident: { name: `Resident ${i}`, idType: 'resident_id', idNumber: residentIdNumber(i + 1) },
      credentials: [{ kind: 'card', value: card }],
    })
    const p = await registry.devices.provision(root, 'bench-b', { id: `bench-r${i}`, door: 'main-gate', kind: 'reader', vendor: 'Bench', model: 'B' })
    devices.push({
      id: p.device.id, password: p.secret, topic: `rh/v1/bench-b/${p.device.id}/event/access`, will: `rh/v1/bench-b/${p.device.id}/status`,
      card, credentialId: reg.credentials[0]!.id,
    })
  }
  const url = platform.addresses.mqtt
  const pipeline = platform.pipeline
  const latencies: number[] = []
  let measuring = false
  pipeline.committed$.subscribe((batch) => {
    if (!measuring) return
    const now = Date.now()
    for (const c of batch) if (c.type === 'unknown_credential') latencies.push(now - c.at)
  })

  let runs = 0
  /** One load run; rates are taken over the publishing window (connections made, until the last ack). */
  const run = (label: string, rate: number, durationS: number, unknownShare: number) => new Promise<{ sent: number; acked: number; processed: number; seconds: number }>((resolve, reject) => {
    const cfg: PublisherConfig = { url, devices, rate, durationS, unknownShare, window: WINDOW, runId: label, seqBase: ++runs * 1e9 }
    const worker = fork(new URL('../../firmware-sim/load/publisher.ts', import.meta.url), { execArgv: ['--import', 'tsx'] })
    worker.send(cfg)
    let startEvents = 0
    let tStart = 0
    let last = { acked: 0, t: 0 }
    worker.on('message', (m: { type: string; acked: number; sent: number; failed: number; t: number; message?: string }) => {
      if (m.type === 'started') {
        startEvents = pipeline.counters.events
        tStart = m.t
        last = { acked: 0, t: m.t }
      } else if (m.type === 'progress') {
        const rateNow = Math.round(((m.acked - last.acked) * 1000) / Math.max(1, m.t - last.t))
        process.stderr.write(`\r${label}: ${Math.round((m.t - tStart) / 1000)}/${durationS} s  acked ${m.acked}  ${rateNow}/s   `)
        last = { acked: m.acked, t: m.t }
      } else if (m.type === 'done') {
        process.stderr.write('\n')
        resolve({ sent: m.sent, acked: m.acked, processed: pipeline.counters.events - startEvents, seconds: (m.t - tStart) / 1000 })
      } else if (m.type === 'error') {
        reject(new Error(m.message))
      }
    })
    worker.on('error', reject)
  })

  // Warm-up, then maximum rate, then the paced run for latency.
  await run('warmup', 2000, 3, 0.05)
  const max = await run('max', 0, MAX_S, 0.05)
  await new Promise((r) => setTimeout(r, 500))
  measuring = true
  const paced = await run('paced', PACED_RATE, PACED_S, 0.1)
  await new Promise((r) => setTimeout(r, 500))
  measuring = false
  latencies.sort((a, b) => a - b)
  const result = {
    events_per_s: Math.round(max.processed / max.seconds),
    acked_per_s: Math.round(max.acked / max.seconds),
    unacked_at_end: max.sent - max.acked + paced.sent - paced.acked,
    paced_rate: PACED_RATE,
    paced_events_per_s: Math.round(paced.processed / paced.seconds),
    p50_ms: percentile(latencies, 50),
    p99_ms: percentile(latencies, 99),
    latency_samples: latencies.length,
    devices: DEVICES,
    database: DATABASE,
    log_batches: platform.eventLog.counters.batches,
    alert_commits: platform.alerts.counters.batches,
    rss_mib: Math.round(process.memoryUsage().rss / 2 ** 20),
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', mem_gib: Math.round(totalmem() / 2 ** 30), node: process.version },
  }
  await started.stop()
  await server?.dispose()
  console.log(JSON.stringify(result))
}

main().catch((err: unknown) => { console.error(err); process.exit(1) })
