// npm run bench -- [options]: in one run on this machine, the same publishers
// (same devices, window, payloads, duration) against (a) the full platform,
// (b) bare Aedes with a counting subscriber in its own process, (c) a
// Mosquitto of our own with a counting MQTT.js subscriber, with its default
// limit of 20 unacknowledged messages towards the subscriber and without it. Prints messages/s
// acknowledged and processed/delivered, latency percentiles and the ratios;
// the last line of output is one JSON object with the figures and ratios.
// Traffic stays on 127.0.0.1; every run is bounded; every process started
// here is stopped, on failure too.

import { loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { measure, type BenchOptions, type SystemResult } from './bench/bench-run.ts'
import { killAll } from './bench/children.ts'
import { startAedes, startMosquittoSystem, startPlatform, syntheticDevices, SYSTEM_NAMES, type System, type SystemName } from './bench/systems.ts'
import type { DatabaseChoice } from './load/embedded-platform.ts'
import { machineInfo } from './load/load-run.ts'
import { Progress } from './load/progress-bar.ts'
import type { PublisherDevice } from './load/publisher.ts'

const USAGE = `npm run bench -- [options]
  --seconds S          measured publishing time per system (default 15)
  --warmup S           warm-up per system before it (default 3)
  --devices N          device connections, the same for every system (default 200)
  --window W           unacknowledged messages per connection (default 20)
  --unknown-share F    share of events with one of 50 unknown cards (default 0.05)
  --database D         pglite (default) or postgres (the server at PG_TEST_URL) for the platform
  --systems LIST       which, in order (default platform,aedes,mosquitto,mosquitto-unlimited; the last is
                       Mosquitto with max_inflight_messages 0 towards the subscriber instead of its default 20)
  --profile DIR        write a CPU profile of the platform process into DIR (node --cpu-prof)
  --quiet              no progress bar`

const { values: a } = parseArgs({
  options: {
    seconds: { type: 'string', default: '15' }, warmup: { type: 'string', default: '3' }, devices: { type: 'string', default: '200' },
    window: { type: 'string', default: '20' }, 'unknown-share': { type: 'string', default: '0.05' }, database: { type: 'string', default: 'pglite' },
    systems: { type: 'string', default: SYSTEM_NAMES.join(',') }, profile: { type: 'string' }, quiet: { type: 'boolean', default: false }, help: { type: 'boolean', default: false },
  },
})
if (a.help) { console.log(USAGE); process.exit(0) }
const n = (name: string, v: string, min: number): number => {
  const x = Number(v)
  if (!Number.isFinite(x) || x < min) { console.error(`--${name} must be a number >= ${min}\n\n${USAGE}`); process.exit(2) }
  return x
}
const options: BenchOptions = {
  seconds: n('seconds', a.seconds, 1), warmupS: n('warmup', a.warmup, 0), window: n('window', a.window, 1),
  unknownShare: n('unknown-share', a['unknown-share'], 0), rampPerS: 1000,
}
const devices = n('devices', a.devices, 1)
const database = a.database as DatabaseChoice
if (database !== 'pglite' && database !== 'postgres') { console.error('--database is pglite or postgres'); process.exit(2) }
const systems = a.systems.split(',').map((s) => s.trim()) as SystemName[]
if (systems.length === 0 || systems.some((s) => !SYSTEM_NAMES.includes(s))) { console.error(`--systems: ${SYSTEM_NAMES.join(', ')}\n\n${USAGE}`); process.exit(2) }

const progress = new Progress(a.quiet)
let current: System | undefined
let interrupted = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return
    interrupted = true
    progress.done()
    console.error(`${signal}: stopping`)
    const hard = setTimeout(() => { killAll(); process.exit(130) }, 10_000)
    void (current?.stop() ?? Promise.resolve()).catch(() => {}).finally(() => {
      clearTimeout(hard)
      killAll()
      process.exit(130)
    })
  })
}

function line (r: SystemResult): string {
  const l = r.latency
  return `${r.system.padEnd(20)} acked ${String(r.ackedPerS).padStart(7)}/s   ${r.system === 'platform' ? 'processed' : 'delivered'} ${String(r.eventsPerS).padStart(7)}/s` +
    `   latency p50 ${l.p50} ms p99 ${l.p99} ms   ack p50 ${r.ackLatency.p50} ms p99 ${r.ackLatency.p99} ms` +
    `   CPU ${r.cpuPercent.system ?? '–'} % (publishers ${r.cpuPercent.publishers ?? '–'} %${r.cpuPercent.subscriber === null ? '' : `, subscriber ${r.cpuPercent.subscriber} %`})` +
    `${r.missing > 0 ? `   never delivered ${r.missing}` : ''}` +
    `${r.stored === undefined ? '' : `\n${''.padEnd(20)} in the database ${r.stored.perS}/s, ${r.stored.behindAtEnd} behind at the end of the window`}`
}

async function main (): Promise<void> {
  const loadBefore = loadavg().map((x) => Math.round(x * 100) / 100)
  const results: Partial<Record<SystemName, SystemResult>> = {}
  let shared: PublisherDevice[] | undefined
  for (const name of systems) {
    progress.log(`${name}: starting`)
    // The platform provisions the devices; the brokers get the very same ids, topics and cards.
    const same = shared ?? syntheticDevices(devices)
    const sys = name === 'platform'
      ? await startPlatform(devices, database, a.profile)
      : name === 'aedes' ? await startAedes(same) : await startMosquittoSystem(same, name === 'mosquitto-unlimited')
    current = sys
    try {
      if (name === 'platform') shared = sys.devices
      results[name] = await measure(sys, options, progress)
      progress.done()
      console.error(line(results[name]))
    } finally {
      await sys.stop()
      current = undefined
    }
  }
  const ratio = (x: number | undefined, y: number | undefined): number | null =>
    x === undefined || y === undefined || y === 0 ? null : Math.round((x / y) * 100) / 100
  const p = results.platform
  const ratios = {
    platformToAedes: { events: ratio(p?.eventsPerS, results.aedes?.eventsPerS), acked: ratio(p?.ackedPerS, results.aedes?.ackedPerS) },
    platformToMosquitto: { events: ratio(p?.eventsPerS, results.mosquitto?.eventsPerS), acked: ratio(p?.ackedPerS, results.mosquitto?.ackedPerS) },
    platformToMosquittoUnlimited: {
      events: ratio(p?.eventsPerS, results['mosquitto-unlimited']?.eventsPerS), acked: ratio(p?.ackedPerS, results['mosquitto-unlimited']?.ackedPerS),
    },
  }
  console.error(`ratios: platform / bare Aedes ${ratios.platformToAedes.events ?? '–'} (events), ${ratios.platformToAedes.acked ?? '–'} (acked);` +
    ` platform / Mosquitto ${ratios.platformToMosquitto.events ?? '–'} (events), ${ratios.platformToMosquitto.acked ?? '–'} (acked);` +
    ` platform / Mosquitto (no inflight limit) ${ratios.platformToMosquittoUnlimited.events ?? '–'} (events), ${ratios.platformToMosquittoUnlimited.acked ?? '–'} (acked)`)
  const strip = (r: SystemResult | undefined) => r === undefined ? undefined : (({ series: _, ...rest }) => rest)(r)
  console.log(JSON.stringify({
    kind: 'bench',
    at: new Date().toISOString(),
    options: { ...options, devices, database, systems },
    platform: strip(results.platform), aedes: strip(results.aedes), mosquitto: strip(results.mosquitto),
    mosquittoUnlimited: strip(results['mosquitto-unlimited']),
    ratios,
    machine: { ...machineInfo(), loadBefore, loadAfter: loadavg().map((x) => Math.round(x * 100) / 100) },
  }))
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err instanceof Error ? err.message : err)
  killAll()
  process.exit(1)
})
