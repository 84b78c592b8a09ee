// One simulated run from start to score: start the platform in this process
// (or use the one given), put the site on it, connect the devices, register
// the residents, speed the clock up, live the scenario, read the alerts,
// derive the ground truth from what was actually done, and score. On a
// platform given with --api it builds beside the demo site when the platform
// runs one, and takes its buildings off again when it ends or is stopped.

import type { KpiFigureView } from '../../contract/routes/kpi-routes.ts'
import { compareKpis, trueKpis, type KpiComparison } from '../score/kpi-truth.ts'
import { randomBytes } from 'node:crypto'
import { deriveTruth } from '../world/facts.ts'
import { atLocal, HOUR, MINUTE } from '../world/local-time.ts'
import type { Action, Scenario } from '../world/model.ts'
import { buildScenario, type AnomalyKind } from '../world/scenario.ts'
import { adoptPlatformIds } from '../world/platform-ids.ts'
import { SimClock } from '../world/sim-clock.ts'
import { resolveTruth, type DetectionTiming, type RuleSettings, type TruthFile } from '../world/truth.ts'
import { expectedAlerts, matchAlerts, type MatchResult, type PlatformAlert, type SeenAlert } from '../score/match.ts'
import { score, type Scores } from '../score/report.ts'
import { startLocalPlatform, type LocalPlatform } from './local-platform.ts'
import { CredentialSecrets } from '../../platform/starter.ts'
import type { CredentialKind } from '../../contract/vocabulary.ts'
import { ApiClient } from '../../contract/client.ts'
import { findDemoSite, provisionSite, removeSite, type ProvisionedSite } from './provision.ts'
import { WorldRunner, type RunnerStats } from './world-runner.ts'

export type PlatformTarget =
  | { kind: 'local'; tickMs: number; sweepMs: number }
  | { kind: 'remote'; api: string; mqtt?: string; token?: string; username?: string; password?: string; tickS: number; sweepS: number }

export interface RunOptions {
  seed: string
  days: number
  speed: number
  buildings: number
  rooms: number
  anomalies?: readonly AnomalyKind[]
  visitsPerDay?: number
  rules: RuleSettings
  platform: PlatformTarget
  /** Camera counting period, sim seconds. */
  cameraPeriodS: number
  /** Slack after the expected detection delay, sim seconds. */
  toleranceS: number
  namespace?: string
  /** Start the timeline at the next such local hour (the clock jumps forward once, before the devices connect); default now. */
  startHour?: number
  log: (line: string) => void
  /** Called about every `progressMs` of real time. */
  progress?: (p: Progress) => void
  progressMs?: number
  /** Called once for each new alert of the run's buildings, as the progress reports find them. */
  onAlert?: (a: PlatformAlert, raisedAt: number) => void
  /**
   * A platform given with --api: `auto` (default) puts the buildings in the demo site's grids under its landlord
   * when the platform runs the demo site, else in areas of the run's own; `own`: always areas of its own.
   */
  placement?: 'auto' | 'own'
  /** Leave the run's buildings and accounts on a platform given with --api (default: removed at the end). */
  keep?: boolean
  /** Stops the run early (Ctrl-C): devices stop, and what the run created is removed, as at the end. */
  signal?: AbortSignal
}

/** Thrown by runScenario when its signal stopped it. */
export class RunStopped extends Error {
  constructor () {
    super('the run was stopped')
    this.name = 'RunStopped'
  }
}

export interface Progress {
  sim: number
  start: number
  end: number
  done: number
  total: number
  stats: RunnerStats
  alerts: number | undefined
}

export interface RunOutcome {
  truth: TruthFile
  alerts: PlatformAlert[]
  seen: SeenAlert[]
  match: MatchResult
  scores: Scores
  stats: RunnerStats
  scenario: Scenario
  record: Action[]
  clock: SimClock
  /** The platform's KPIs of the run's buildings against the world's truth (kpi-truth.ts). */
  kpis: KpiComparison[]
}

/** Setup (accounts, buildings, devices, registrations) is expected to take less than this. */
const SETUP_ESTIMATE_MS = 20_000

export async function runScenario (o: RunOptions): Promise<RunOutcome> {
  const clock = new SimClock()
  let local: LocalPlatform | undefined
  let runner: WorldRunner | undefined
  let remoteAdmin: ApiClient | undefined
  const created: ProvisionedSite['created'] = { buildings: [], accounts: [], areas: [] }
  // Every long wait gives way to the signal: the finally block then stops the devices and removes the site.
  const stopped = new Promise<never>((_resolve, reject) => {
    if (o.signal?.aborted === true) reject(new RunStopped())
    o.signal?.addEventListener('abort', () => reject(new RunStopped()), { once: true })
  })
  stopped.catch(() => {})
  const unlessStopped = <T>(p: Promise<T>): Promise<T> => o.signal === undefined ? p : Promise.race([p, stopped])
  try {
    let admin: ApiClient
    let mqttUrl: string | undefined
    if (o.platform.kind === 'local') {
      local = await startLocalPlatform({ clock: () => clock.now(), rules: o.rules, tickMs: o.platform.tickMs, sweepMs: o.platform.sweepMs })
      admin = await ApiClient.login(local.api, local.username, local.password)
      o.log(`platform started in this process: API ${local.api}, MQTT ${local.mqtt}`)
    } else {
      const t = o.platform
      admin = t.token !== undefined ? new ApiClient(t.api, { token: t.token }) : await ApiClient.login(t.api, t.username ?? 'admin', t.password ?? '')
      remoteAdmin = admin
      mqttUrl = t.mqtt
    }
    const timing: DetectionTiming = o.platform.kind === 'local'
      ? { tickS: o.platform.tickMs / 1000 * o.speed, sweepS: o.platform.sweepMs / 1000 * o.speed, toleranceS: o.toleranceS }
      : { tickS: o.platform.tickS, sweepS: o.platform.sweepS, toleranceS: o.toleranceS }

    const namespace = o.namespace ?? `s${o.seed.replace(/[^A-Za-z0-9]/g, '').slice(0, 8)}-${randomBytes(3).toString('hex')}`
    const ready = Date.now() + SETUP_ESTIMATE_MS
    const planned = buildScenario({
      seed: o.seed, namespace, start: o.startHour === undefined ? ready : nextLocalHour(ready, o.startHour), days: o.days, buildings: o.buildings, roomsPerBuilding: o.rooms,
      rules: o.rules, ...(o.anomalies === undefined ? {} : { anomalies: o.anomalies }), ...(o.visitsPerDay === undefined ? {} : { visitsPerDay: o.visitsPerDay }),
    })
    const { site } = planned
    const placement = o.platform.kind === 'remote' && o.placement !== 'own' ? await findDemoSite(admin) : undefined
    const provisioned = await unlessStopped(provisionSite(admin, site, { created, ...(mqttUrl === undefined ? {} : { mqttUrl }), ...(placement === undefined ? {} : { placement }) }))
    if (placement !== undefined) o.log(`the platform runs the demo site: the buildings go into its grids (${placement.grids.join(', ')}) as ${placement.landlordUsername}'s`)
    adoptPlatformIds(planned, provisioned.ids)
    runner = new WorldRunner({ site, landlord: provisioned.landlord, vendor: provisioned.vendor, clock, devices: provisioned.devices, heartbeatS: o.rules.heartbeatS, cameraPeriodS: o.cameraPeriodS, log: o.log })
    const setup = planned.actions.filter((a) => a.setup === true)
    const timeline = planned.actions.filter((a) => a.setup !== true)
    const record = await unlessStopped(runner.run(setup, { paced: false }))
    if (o.startHour !== undefined) clock.setSpeed(1, planned.start - 10_000)
    await runner.startDevices()
    for (const b of site.buildings) await runner.syncAllowlists(b.id)
    o.log(`site ready: ${site.buildings.length} buildings, ${site.buildings.reduce((n, b) => n + b.rooms.length, 0)} rooms, ` +
      `${setup.length} residents registered, ${provisioned.devices.size} devices online (namespace ${namespace})`)

    // The timeline starts now, and from now on the clock runs fast.
    const shift = clock.now() - planned.start
    const start = clock.setSpeed(o.speed)
    const end = planned.end + shift
    for (const a of timeline) a.at += shift
    const scenario: Scenario = { site, start, end, actions: [...setup, ...timeline] }

    let alertCount: number | undefined
    let lastProgress = Date.now()
    const announced = new Set<string>()
    const report = (done: number): void => {
      if (o.progress === undefined || Date.now() - lastProgress < (o.progressMs ?? 2000)) return
      lastProgress = Date.now()
      o.progress({ sim: clock.now(), start, end, done, total: timeline.length, stats: runner!.stats, alerts: alertCount })
      void alertsOf(admin, site.buildings.map((b) => b.id)).then((list) => {
        alertCount = list.length
        for (const a of list) {
          if (announced.has(a.id)) continue
          announced.add(a.id)
          o.onAlert?.(a, clock.simAt(Date.parse(a.createdAt)))
        }
      }, () => {})
    }
    record.push(...await unlessStopped(runner.run(timeline, { onStep: report })))
    while (clock.now() < end) {
      await unlessStopped(new Promise((resolve) => setTimeout(resolve, Math.min(200, o.progressMs ?? 2000))))
      report(timeline.length)
    }
    // Let the platform finish judging what the last minutes brought.
    await new Promise((resolve) => setTimeout(resolve, 1000))
    const alerts = await alertsOf(admin, site.buildings.map((b) => b.id))
    const readAt = Date.now()
    const endSim = clock.simAt(readAt)
    // A platform given with --api that has no KPIs yet leaves the platform's side of the comparison empty.
    const measured = await kpisOf(admin, site.buildings.map((b) => b.id)).catch((err: unknown) => {
      o.log(`KPIs not read from the platform: ${String(err)}`)
      return []
    })
    const kpis = compareKpis(measured, trueKpis(site, record, endSim))

    // The platform names cards in alert keys under its data key: known for the one started here.
    const secrets = local === undefined ? undefined : CredentialSecrets.fromKey(local.dataKey)
    const presentedKey = secrets === undefined ? undefined : (kind: CredentialKind, value: string) => secrets.presentedKey(kind, value)
    const items = resolveTruth(deriveTruth(site, record, {
      rules: o.rules, timing, cameraPeriodS: o.cameraPeriodS, end: endSim,
      registryTime: (t) => Math.min(t, clock.realAt(t)), roomsCreatedAt: provisioned.roomsCreatedAt,
      ...(presentedKey === undefined ? {} : { presentedKey }),
    }), { credentials: runner.credentialIds, residents: runner.residentIds })
    const truth: TruthFile = {
      version: 1, seed: o.seed, namespace, buildings: site.buildings.map((b) => b.id),
      start: new Date(start).toISOString(), end: new Date(endSim).toISOString(), clock: clock.history(), rules: o.rules, timing, items,
    }
    const seen: SeenAlert[] = alerts.filter((a) => Date.parse(a.createdAt) <= readAt).map((alert) => ({ alert, raisedAt: clock.simAt(Date.parse(alert.createdAt)) }))
    const expected = expectedAlerts(items, earlyMs(timing))
    const match = matchAlerts(expected, seen)
    return { truth, alerts, seen, match, scores: score(expected, match), stats: runner.stats, scenario, record, clock, kpis }
  } finally {
    await runner?.stopDevices()
    // A platform that lives on keeps nothing of the run unless asked to; one started here goes away whole.
    if (remoteAdmin !== undefined && o.keep !== true && (created.buildings.length > 0 || created.accounts.length > 0)) {
      const failures = await removeSite(remoteAdmin, created)
      o.log(`removed from the platform: ${created.buildings.length} buildings with their devices and tenants, ` +
        `${created.accounts.length} accounts disabled${created.areas.length > 0 ? ` (its ${created.areas.length} areas stay: areas are not deleted)` : ''}`)
      for (const f of failures) o.log(`  could not remove ${f}`)
    }
    await local?.stop()
  }
}

/** The next instant after `t` that is `hour`:00 in the site's local time. */
export function nextLocalHour (t: number, hour: number): number {
  const at = atLocal(t, hour)
  return at > t ? at : at + 24 * HOUR
}

/** How early a raise may look: rounding of the clock mapping and of the world's own times. */
export function earlyMs (timing: DetectionTiming): number {
  return Math.max(MINUTE, 2 * timing.tickS * 1000)
}

/** The sim-time span of a run, for people. */
export function describeSpan (start: number, end: number): string {
  return `${new Date(start).toISOString().slice(0, 16)}Z .. ${new Date(end).toISOString().slice(0, 16)}Z (${((end - start) / HOUR / 24).toFixed(1)} days)`
}

/** Every alert of the buildings, whatever their status, oldest first. */
/** The platform's KPI figures of each building, as measured now. */
async function kpisOf (api: ApiClient, buildingIds: readonly string[]): Promise<KpiFigureView[][]> {
  const out: KpiFigureView[][] = []
  for (const buildingId of buildingIds) out.push((await api.request('GET /kpis', { query: { buildingId } })).figures)
  return out
}

async function alertsOf (api: ApiClient, buildingIds: readonly string[]): Promise<PlatformAlert[]> {
  const out: PlatformAlert[] = []
  for (const buildingId of buildingIds) {
    for await (const a of api.alerts({ buildingId, limit: 1000 })) out.push(a)
  }
  return out.sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt))
}
