// The fuzzer: starts the platform as its own process (so a crash shows as an
// exit, not as the fuzzer dying with it), provisions one honest reader and a
// connection probe in one building and the attackers' devices in another,
// then for a bounded time lets the attackers (attacker.ts, child processes,
// each from a loopback address of its own) send mutated frames, random bytes
// after a valid CONNECT and malformed payloads, while the honest side keeps
// working as a real site would:
//
//   - the honest reader publishes an access event with a never-seen card at a
//     steady rate (QoS 1) and times each PUBACK;
//   - a dispatch console (the administrator's live stream) times each alert
//     those events raise, from the event's device timestamp;
//   - the connection probe logs in again and again and times each CONNACK.
//
// The result says what was sent, whether the platform stayed up, its memory
// before and after, and the honest side's latencies; `failures` lists every
// expectation that did not hold (empty: the platform passed).

import { fork, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ApiClient } from '../../contract/client.ts'
import { LOAD_CALL_TIMEOUT_MS } from '../../firmware-sim/load/in-parallel.ts'
import { LatencyHistogram, type LatencySummary } from '../../firmware-sim/load/histogram.ts'
import { pidSample } from '../../firmware-sim/load/process-stats.ts'
import { DEMO_PASSWORD } from '../../platform/demo/demo-site.ts'
import { freePort, startPlatformProcess, stopGracefully, type PlatformProcess } from '../support/platform-process.ts'
import type { AttackCounts, AttackerConfig, AttackerReport, AttackKind } from './attacker.ts'
import type { DeviceLogin } from './corpus.ts'
import { HonestReader, timeConnack, watchAlerts } from './honest-site.ts'

export interface FuzzOptions {
  seconds: number
  seed: string
  /** Stop each attacker after this many units (frames, chunks, payloads); default unbounded within the time. */
  budget?: number
  /** Honest access events per second (default 5). */
  honestRate?: number
  /** Connections each attacker keeps open at once (default 8). */
  sockets?: number
  /** Which attacks run (default all three). */
  attacks?: readonly AttackKind[]
  /** Progress lines while it runs. */
  onProgress?: (line: string) => void
}

export interface FuzzResult {
  seed: string
  seconds: number
  sent: { mutatedFrames: number; garbageChunks: number; malformedPayloads: number; bytes: number; connections: number; closedByBroker: number }
  platform: {
    crashes: number
    exitCode: number | null
    rssBeforeMb: number
    rssAfterMb: number
    healthFailures: number
    healthAfter: number
    /** Broker counters after the run (GET /broker/stats). */
    rejected: Record<string, number>
    guardViolations: Record<string, number>
    aclViolations: Record<string, number>
    refusedConnections: Record<string, number>
  }
  honest: {
    events: number
    acked: number
    ackMs: LatencySummary
    alerts: number
    alertMs: LatencySummary
    connects: number
    connectFailures: number
    connackMs: LatencySummary
  }
  failures: string[]
  /** The end of the platform's log (level error and above), when something failed. */
  platformLog?: string
}

const ATTACKER_ENTRY = new URL('./attacker.ts', import.meta.url)
const LOOPBACK = '127.0.0.1'

export async function runFuzz (o: FuzzOptions): Promise<FuzzResult> {
  const progress = o.onProgress ?? (() => {})
  const dataDir = mkdtempSync(join(tmpdir(), 'rh-fuzz-'))
  const [httpPort, mqttPort] = [await freePort(), await freePort()]
  const api = `http://${LOOPBACK}:${httpPort}`
  let platform: PlatformProcess | undefined
  const attackers: ChildProcess[] = []
  try {
    progress('starting the platform')
    platform = await startPlatformProcess({
      HOST: LOOPBACK, HTTP_PORT: String(httpPort), MQTT_PORT: String(mqttPort), MQTT_WS_PORT: 'off',
      DATA_DIR: dataDir, DEMO: 'on', LOG_LEVEL: 'error',
    }, 90_000, 256 * 1024)
    const pid = platform.child.pid!
    let exitCode: number | null = null
    let crashed = false
    const exited = new Promise<void>((resolve) => platform!.child.once('exit', (code) => { exitCode = code; crashed = true; resolve() }))

    const timeout = { timeoutMs: LOAD_CALL_TIMEOUT_MS }
    const admin = await ApiClient.login(api, 'admin', DEMO_PASSWORD, timeout)
    const li = await ApiClient.login(api, 'landlord-li', DEMO_PASSWORD, timeout)
    const wang = await ApiClient.login(api, 'landlord-wang', DEMO_PASSWORD, timeout)
    const provision = async (client: ApiClient, building: string, kind: 'reader' | 'camera'): Promise<DeviceLogin> => {
      const r = await client.request('POST /buildings/:id/devices', { params: { id: building }, body: { door: 'main-gate', kind, vendor: 'Fuzz', model: 'F-1' } })
      return { deviceId: r.device.id, buildingId: r.device.buildingId, password: r.mqtt.password }
    }
    const honest = await provision(li, 'demo-b1', 'reader')
    const probe = await provision(li, 'demo-b1', 'camera')
    const several = async (n: number, kind: 'reader' | 'camera'): Promise<DeviceLogin[]> => {
      const out: DeviceLogin[] = []
      for (let i = 0; i < n; i++) out.push(await provision(wang, 'demo-b2', kind))
      return out
    }
    const attacks = new Set<AttackKind>(o.attacks ?? ['frames', 'garbage', 'payloads'])
    const targets: Array<{ kind: AttackKind; devices: DeviceLogin[] }> = []
    if (attacks.has('frames')) targets.push({ kind: 'frames', devices: await several(1, 'reader') })
    if (attacks.has('garbage')) targets.push({ kind: 'garbage', devices: await several(1, 'camera') })
    if (attacks.has('payloads')) {
      targets.push({ kind: 'payloads', devices: await several(4, 'reader') }, { kind: 'payloads', devices: await several(4, 'camera') })
    }

    const watcher = watchAlerts(api, admin.token, honest.deviceId)
    await watcher.ready
    const reader = await HonestReader.connect(mqttPort, honest)
    const rssBefore = pidSample(pid)?.rssBytes ?? 0

    // The attackers start together, once every one of them is loaded.
    const counts = new Map<number, { kind: AttackKind; counts: AttackCounts }>()
    const ready: Array<Promise<void>> = []
    const done = targets.map((t, i) => new Promise<void>((resolve, reject) => {
      const child = fork(ATTACKER_ENTRY, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
      attackers.push(child)
      ready.push(new Promise((r) => child.once('message', () => r())))
      child.on('message', (m: AttackerReport) => {
        if (m.type === 'error') reject(new Error(`attacker ${t.kind}: ${m.message}`))
        else if (m.type !== 'ready') counts.set(i, { kind: t.kind, counts: m.counts })
        if (m.type === 'done') resolve()
      })
      child.once('exit', (code) => {
        if (counts.get(i) === undefined || code !== 0) reject(new Error(`attacker ${t.kind} exited with code ${code} before it was done`))
        resolve()
      })
    }))
    await Promise.race([Promise.all(ready), Promise.all(done)])
    progress(`fuzzing for ${o.seconds} s (seed ${o.seed})`)
    targets.forEach((t, i) => {
      const config: AttackerConfig = {
        kind: t.kind, port: mqttPort, localAddress: `127.0.0.${10 + i}`, devices: t.devices, seed: `${o.seed}/${i}`,
        seconds: o.seconds, budget: o.budget ?? Number.MAX_SAFE_INTEGER, sockets: o.sockets ?? 8,
      }
      attackers[i]!.send(config)
    })

    const connects = new LatencyHistogram()
    let connectFailures = 0
    let healthFailures = 0
    let running = true
    const probing = (async () => {
      // eslint-disable-next-line no-unmodified-loop-condition -- set by the run below and the exit handler
      while (running && !crashed) {
        const ms = await timeConnack(mqttPort, probe)
        if (ms === undefined) connectFailures++
        else connects.record(ms)
        await pause(250)
      }
    })()
    const publishing = (async () => {
      const every = 1000 / (o.honestRate ?? 5)
      // eslint-disable-next-line no-unmodified-loop-condition -- set by the run below and the exit handler
      while (running && !crashed) {
        reader.publish()
        await pause(every)
      }
    })()
    const started = Date.now()
    const ticker = setInterval(() => {
      void health(api).then((s) => { if (s !== 200) healthFailures++ })
      const t = totals(counts)
      progress(`${Math.round((Date.now() - started) / 1000)} s: ${t.mutatedFrames} frames, ${t.garbageChunks} chunks, ` +
        `${t.malformedPayloads} payloads sent; honest ${reader.acked}/${reader.sent} acked, ${watcher.count()} alerts, ` +
        `connack p99 ${connects.percentile(99).toFixed(0)} ms`)
    }, 5000)
    await Promise.race([Promise.all(done), exited])
    running = false
    clearInterval(ticker)
    await Promise.all([probing, publishing])

    // What was acknowledged must now arrive: the honest side gets a grace period.
    const graceUntil = Date.now() + 15_000
    // eslint-disable-next-line no-unmodified-loop-condition -- set by the exit handler
    while (Date.now() < graceUntil && !crashed && (reader.acked < reader.sent || watcher.count() < reader.sent)) await pause(100)
    const rssAfter = pidSample(pid)?.rssBytes ?? 0
    const healthAfter = crashed ? 0 : await health(api)
    const stats = crashed ? undefined : await admin.request('GET /broker/stats').catch(() => undefined)
    await reader.close()
    watcher.close()

    const t = totals(counts)
    const result: FuzzResult = {
      seed: o.seed,
      seconds: o.seconds,
      sent: t,
      platform: {
        crashes: crashed ? 1 : 0,
        exitCode,
        rssBeforeMb: mb(rssBefore),
        rssAfterMb: mb(rssAfter),
        healthFailures,
        healthAfter,
        rejected: stats?.rejected ?? {},
        guardViolations: stats?.guardViolations ?? {},
        aclViolations: stats?.aclViolations ?? {},
        refusedConnections: stats?.refusedConnections ?? {},
      },
      honest: {
        events: reader.sent,
        acked: reader.acked,
        ackMs: reader.latency.summary(),
        alerts: watcher.count(),
        alertMs: watcher.latency.summary(),
        connects: connects.summary().count,
        connectFailures,
        connackMs: connects.summary(),
      },
      failures: [],
    }
    result.failures = judge(result)
    if (result.failures.length > 0) result.platformLog = platform.output().slice(-6000)
    return result
  } finally {
    for (const a of attackers) a.kill('SIGKILL')
    if (platform !== undefined) await stopGracefully(platform)
    rmSync(dataDir, { recursive: true, force: true })
  }
}

/** Every expectation the run did not meet. */
function judge (r: FuzzResult): string[] {
  const f: string[] = []
  if (r.platform.crashes > 0) f.push(`the platform exited with code ${r.platform.exitCode}`)
  if (r.platform.healthAfter !== 200) f.push(`GET /health answered ${r.platform.healthAfter} after the run`)
  if (r.honest.acked < r.honest.events) f.push(`the honest reader had ${r.honest.events - r.honest.acked} of ${r.honest.events} events unacknowledged`)
  if (r.honest.alerts < r.honest.events) f.push(`${r.honest.events - r.honest.alerts} of ${r.honest.events} alerts of the honest reader never reached dispatch`)
  if (r.honest.connectFailures > 0) f.push(`${r.honest.connectFailures} of ${r.honest.connects + r.honest.connectFailures} logins of the probe failed or timed out`)
  return f
}

function totals (counts: Map<number, { kind: AttackKind; counts: AttackCounts }>): FuzzResult['sent'] {
  const t = { mutatedFrames: 0, garbageChunks: 0, malformedPayloads: 0, bytes: 0, connections: 0, closedByBroker: 0 }
  for (const { kind, counts: c } of counts.values()) {
    if (kind === 'frames') t.mutatedFrames += c.units
    else if (kind === 'garbage') t.garbageChunks += c.units
    else t.malformedPayloads += c.units
    t.bytes += c.bytes
    t.connections += c.connections
    t.closedByBroker += c.closedByBroker
  }
  return t
}

const mb = (bytes: number): number => Math.round(bytes / 1048576)
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

async function health (api: string): Promise<number> {
  try {
    const r = await fetch(`${api}/health`, { signal: AbortSignal.timeout(5000) })
    await r.arrayBuffer()
    return r.status
  } catch {
    return 0
  }
}
