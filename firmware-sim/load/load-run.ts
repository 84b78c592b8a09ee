// One load run against a target: provision through the API, watch the alert
// stream, open every device connection (ramped), publish for a bounded time,
// sample everything once a second (progress bar), wait for the platform to
// settle, and build the report. Child processes are stopped on every path.

import { fork, type ChildProcess } from 'node:child_process'
import { cpus, totalmem } from 'node:os'
import type { WatcherConfig, WatcherReport } from './alert-watcher.ts'
import { LatencyHistogram } from './histogram.ts'
import type { LoadTarget } from './load-target.ts'
import { Progress, thousands } from './progress-bar.ts'
import { provisionSite, runTag, type ProvisionedSite } from './provision.ts'
import { PublisherPool } from './publisher-pool.ts'
import { buildReport, type LoadReport, type Sample } from './report.ts'

export interface LoadOptions {
  buildings: number
  devicesPerBuilding: number
  residentsPerBuilding: number
  /** Events per second over all devices; 0 = as fast as acknowledgements allow. */
  rate: number
  seconds: number
  /** Unacknowledged messages per connection. */
  window: number
  unknownShare: number
  /** New connections per second. */
  rampPerS: number
  /** Heartbeat interval per device, s (0: none). */
  heartbeatS: number
  /** Connections per publisher process. */
  perChild: number
  /** Publish events (false: hold the connections with heartbeats only). */
  events?: boolean
}

export function machineInfo (): Record<string, unknown> {
  return { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memGiB: Math.round(totalmem() / 2 ** 30), node: process.version }
}

/** Starts the alert watcher and resolves once its stream is open. */
function startWatcher (cfg: WatcherConfig, onSample: (m: Extract<WatcherReport, { type: 'sample' }>) => void): Promise<ChildProcess> {
  const child = fork(new URL('./alert-watcher.ts', import.meta.url), [], { execArgv: ['--import', 'tsx'] })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('the alert stream did not open within 15 s')) }, 15_000)
    child.on('message', (m: WatcherReport) => {
      if (m.type === 'ready') { clearTimeout(timer); resolve(child) } else if (m.type === 'sample') onSample(m)
      else { clearTimeout(timer); child.kill('SIGKILL'); reject(new Error(m.message)) }
    })
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`alert watcher exited with ${code}`)) })
    child.send(cfg)
  })
}

export async function runLoad (target: LoadTarget, o: LoadOptions, progress = new Progress()): Promise<LoadReport & { site: ProvisionedSite }> {
  const startedAt = new Date()
  const tag = runTag()
  const devices = o.buildings * o.devicesPerBuilding
  const site = await provisionSite(target.api, {
    buildings: o.buildings, devicesPerBuilding: o.devicesPerBuilding, residentsPerBuilding: o.residentsPerBuilding, tag,
    onProgress: (what, done, total) => progress.update(`provisioning`, done / total, `${what} ${done}/${total}`),
  })
  progress.done()

  let watcher: ChildProcess | undefined
  const pool = new PublisherPool({
    url: target.mqtt, devices: site.devices, rate: o.rate, durationS: o.seconds, unknownShare: o.unknownShare, window: o.window,
    runId: tag, seqBase: 1, rampPerS: o.rampPerS, heartbeatS: o.heartbeatS, events: o.events ?? true, unknownCards: 0, perChild: o.perChild, reportMs: 200,
  })
  try {
    let alerts = 0
    let delivered = new LatencyHistogram()
    watcher = await startWatcher({ api: target.api.base, token: target.api.token, buildingPrefix: site.buildingPrefix }, (m) => {
      alerts = m.opened + m.updated
      delivered.merge(m.latency)
    })
    pool.onRamp = (connected, failed) => progress.update('connecting', (connected + failed) / devices, `${connected}/${devices} connected${failed > 0 ? `, ${failed} failed` : ''}`)
    await pool.connect()
    progress.done()
    if (pool.firstError() !== undefined) progress.log(`some connections failed: ${pool.firstError()}`)

    const samples: Sample[] = []
    let t0 = 0
    const take = async (): Promise<Sample> => {
      const s = await target.sample()
      const p = pool.totals()
      const d = delivered
      delivered = new LatencyHistogram()
      const sample: Sample = {
        t: t0 === 0 ? 0 : Date.now() - t0,
        sent: p.sent, acked: p.acked, failed: p.failed, processed: s.processed, alerts, connected: p.connected,
        ...(s.cpuMs === undefined ? {} : { cpuMs: s.cpuMs }),
        ...(s.rssBytes === undefined ? {} : { rssBytes: s.rssBytes }),
        ...(s.heapBytes === undefined ? {} : { heapBytes: s.heapBytes }),
        latency: {
          ack: pool.takeAckLatency().toJSON(), delivered: d.toJSON(),
          ...(s.decision === undefined ? {} : { decision: s.decision }),
          ...(s.committed === undefined ? {} : { committed: s.committed }),
        },
      }
      samples.push(sample)
      return sample
    }
    await take()
    pool.start()
    t0 = pool.startedAt
    let last = samples[0]!
    const timer = setInterval(() => {
      void take().then((s) => {
        const dt = Math.max(1, s.t - last.t) / 1000
        progress.update('running', s.t / 1000 / o.seconds, `${Math.round(s.t / 1000)}/${o.seconds} s  acked ${thousands(s.acked)} (${thousands((s.acked - last.acked) / dt)}/s)` +
          `  processed ${thousands(s.processed - samples[0]!.processed)}  alerts ${thousands(s.alerts)}  conns ${s.connected}`)
        last = s
      }, () => {})
    }, 1000)
    await pool.done().finally(() => clearInterval(timer))
    const end = await take()
    const windowMs = end.t
    progress.done()

    // Let the platform finish what it acknowledged and the alert stream catch up (10 s at most).
    const settleUntil = Date.now() + 10_000
    let prev = end
    while (Date.now() < settleUntil) {
      await new Promise((r) => setTimeout(r, 1000))
      const s = await take()
      const caughtUp = s.processed - samples[0]!.processed >= s.acked && s.alerts === prev.alerts
      prev = s
      if (caughtUp || o.events === false) break
    }
    const report = buildReport({
      startedAt,
      target: { ...target.info, processed: target.processedMeans },
      config: { ...o, devices, tag, publisherProcesses: pool.totals().pids.length },
      machine: machineInfo(),
      samples,
      windowMs,
      connectFailed: pool.totals().connectFailed,
      dropped: pool.totals().dropped,
      notes: [
        'Unknown cards are new on every event, so each one opens an alert of its own: the delivered latency is from the event\'s device timestamp to the opened alert on GET /alerts/stream.',
        'Acknowledgement latency is sampled on one message in eight.',
      ],
    })
    return { ...report, site }
  } finally {
    pool.close()
    watcher?.kill('SIGKILL')
  }
}
