// npm run load -- [options]: N buildings × M devices publishing access events
// at a target or maximal rate for a bounded time, against the platform started
// here on embedded defaults, or an existing one (--api, --mqtt and an
// administrator's --token or --user/--password). Prints a progress bar, then a
// summary; writes the report as JSON and as an HTML page with charts. The
// last line of output is the report without its per-second series.
//
// npm run load -- --scale connections|residents|latency: the scale figures
// (docs/benchmarks.md).

import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { parseArgs } from 'node:util'
import type { DatabaseChoice } from './load/embedded-platform.ts'
import { inProcessTarget, remoteTarget, type LoadTarget } from './load/load-target.ts'
import { runLoad, type LoadOptions } from './load/load-run.ts'
import { Progress } from './load/progress-bar.ts'
import { renderLoadHtml } from './load/report-html.ts'
import { STAGE_LABELS, STAGES, summaryOf, type LoadReport } from './load/report.ts'
import { runScale } from './load/scale.ts'

const USAGE = `npm run load -- [options]
  --buildings N        buildings (default 10)
  --devices M          readers per building (default 10)
  --residents R        registered residents per building, one card each (default 8)
  --rate E             events per second over all devices; 0 = as fast as acknowledgements allow (default 0)
  --seconds S          publishing time (default 15)
  --window W           unacknowledged messages per connection (default 20)
  --unknown-share F    share of events with an unknown card, each opening an alert (default 0.05)
  --ramp C             new connections per second (default 500)
  --heartbeat H        heartbeat every H s per device, 0 = none (default 0)
  --per-child K        connections per publisher process (default 2500)
  --database D         pglite (default) or postgres (PG_TEST_URL) for the in-process platform
  --api URL --mqtt URL an existing platform instead; with --token T, or --user U --password P (an administrator)
  --pid P              that platform's process id, for its CPU and memory
  --out PREFIX         report files PREFIX.json and PREFIX.html (default .tmp/load-<time>)
  --quiet              no progress bar
  --scale KIND         connections | residents | latency: the scale figures instead of one run
  --levels L1,L2,...   scale levels (connections: 1000,3000,5000; residents: 10000,50000)
  --hold S             seconds each connection level is held (default 20)`

const { values: a } = parseArgs({
  options: {
    buildings: { type: 'string', default: '10' }, devices: { type: 'string', default: '10' }, residents: { type: 'string', default: '8' },
    rate: { type: 'string', default: '0' }, seconds: { type: 'string', default: '15' }, window: { type: 'string', default: '20' },
    'unknown-share': { type: 'string', default: '0.05' }, ramp: { type: 'string', default: '500' }, heartbeat: { type: 'string', default: '0' },
    'per-child': { type: 'string', default: '2500' }, database: { type: 'string', default: 'pglite' },
    api: { type: 'string' }, mqtt: { type: 'string' }, token: { type: 'string' }, user: { type: 'string' }, password: { type: 'string' }, pid: { type: 'string' },
    out: { type: 'string' }, quiet: { type: 'boolean', default: false },
    scale: { type: 'string' }, levels: { type: 'string' }, hold: { type: 'string', default: '20' }, help: { type: 'boolean', default: false },
  },
})
if (a.help) { console.log(USAGE); process.exit(0) }

function num (name: string, v: string, min: number): number {
  const n = Number(v)
  if (!Number.isFinite(n) || n < min) { console.error(`--${name} must be a number >= ${min}, got ${v}\n\n${USAGE}`); process.exit(2) }
  return n
}

const options: LoadOptions = {
  buildings: num('buildings', a.buildings, 1),
  devicesPerBuilding: num('devices', a.devices, 1),
  residentsPerBuilding: num('residents', a.residents, 1),
  rate: num('rate', a.rate, 0),
  seconds: num('seconds', a.seconds, 1),
  window: num('window', a.window, 1),
  unknownShare: num('unknown-share', a['unknown-share'], 0),
  rampPerS: num('ramp', a.ramp, 0),
  heartbeatS: num('heartbeat', a.heartbeat, 0),
  perChild: num('per-child', a['per-child'], 1),
}
if (a.database !== 'pglite' && a.database !== 'postgres') { console.error('--database is pglite or postgres'); process.exit(2) }
if ((a.api === undefined) !== (a.mqtt === undefined)) { console.error('--api and --mqtt go together'); process.exit(2) }

function printSummary (r: LoadReport): void {
  const lines = [
    `sent ${r.totals.sent}, acknowledged ${r.totals.acked}, processed ${r.totals.processed}, alert changes delivered ${r.totals.alerts}` +
      ` (connections ${r.totals.connected}, failed to open ${r.totals.connectFailed}, dropped ${r.totals.dropped})`,
    `over ${r.rates.seconds} s: ${r.rates.ackedPerS}/s acknowledged, ${r.rates.processedPerS}/s processed, ${r.rates.alertsPerS}/s alerts`,
  ]
  for (const s of STAGES) {
    const l = r.latency[s]
    if (l !== undefined && l.count > 0) lines.push(`  ${STAGE_LABELS[s].padEnd(50)} p50 ${l.p50} ms  p99 ${l.p99} ms  max ${l.max} ms  (${l.count})`)
  }
  lines.push(`platform CPU mean ${r.resources.cpuPercentMean ?? '–'} % of a core, RSS max ${r.resources.rssMiBMax ?? '–'} MiB, heap max ${r.resources.heapMiBMax ?? '–'} MiB`)
  console.error(lines.join('\n'))
}

async function main (): Promise<void> {
  const progress = new Progress(a.quiet)
  const target: LoadTarget = a.api !== undefined
    ? await remoteTarget({
      api: a.api, mqtt: a.mqtt!,
      ...(a.token === undefined ? {} : { token: a.token }),
      ...(a.user === undefined ? {} : { username: a.user }),
      ...(a.password === undefined ? {} : { password: a.password }),
      ...(a.pid === undefined ? {} : { pid: num('pid', a.pid, 1) }),
    })
    : await inProcessTarget(a.database as DatabaseChoice)
  let stopping = false
  const stop = async (code: number): Promise<void> => {
    if (stopping) return
    stopping = true
    await target.close().catch(() => {})
    process.exit(code)
  }
  process.on('SIGINT', () => { void stop(130) })
  process.on('SIGTERM', () => { void stop(143) })
  try {
    if (a.scale !== undefined) {
      const result = await runScale(target, a.scale, { levels: a.levels, holdS: num('hold', a.hold, 1), base: options }, progress)
      console.log(JSON.stringify(result))
      return
    }
    const report = await runLoad(target, options, progress)
    const { site: _, ...full } = report
    const prefix = a.out ?? `.tmp/load-${report.startedAt.replace(/[:.]/g, '-')}`
    mkdirSync(dirname(prefix), { recursive: true })
    writeFileSync(`${prefix}.json`, `${JSON.stringify(full, null, 2)}\n`)
    writeFileSync(`${prefix}.html`, renderLoadHtml(full))
    printSummary(full)
    console.error(`report: ${prefix}.json, chart: ${prefix}.html`)
    console.log(JSON.stringify(summaryOf(full)))
  } finally {
    await target.close()
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err instanceof Error ? err.message : err)
  process.exit(1)
})
