// Command-line options shared by `npm run sim` and `npm run sim:score`.

import { parseArgs } from 'node:util'
import { ANOMALY_KINDS, type AnomalyKind } from '../world/scenario.ts'
import { DEFAULT_RULES, type RuleSettings } from '../world/truth.ts'
import type { RunOptions } from './run-scenario.ts'

/**
 * Rule settings of the platform this command starts: days shrink to one so
 * that a few simulated days show departures and vacancies; heartbeats,
 * windows and tolerances grow so that a clock running ~1000 times faster than
 * real time does not turn the platform's own processing delays into alerts.
 */
export const FAST_RULES: RuleSettings = {
  tailgatingWindowS: 600,
  deniedInARow: 5,
  deniedRunGapS: 600,
  visitorMaxStayH: 6,
  notSeenDays: 1,
  vacantDays: 1,
  heartbeatS: 900,
  missedHeartbeats: 4,
  clockDriftMaxS: 900,
  travelMaxKmh: DEFAULT_RULES.travelMaxKmh,
  travelMinGapS: DEFAULT_RULES.travelMinGapS,
}

export const USAGE = `Options:
  --seed S          scenario seed (default 1)
  --days D          simulated days (default: sim 1, sim:score 3; with --api one hour)
  --speed X         simulated seconds per real second (default 1440: a day a minute; 1 against a platform given with --api)
  --buildings N     buildings (default 4)          --rooms N   rooms per building (default 8)
  --anomalies LIST  comma-separated anomaly kinds to inject (default all): ${ANOMALY_KINDS.join(', ')}
  --api URL         a running platform's API (default: start one in this process on embedded defaults)
  --mqtt URL        its broker for devices (default: the URL provisioning returns)
  --token T | --username U --password P   an administrator of that platform
  --own-areas       with --api: areas of the run's own even when the platform runs the demo site (default: the
                    buildings go into the demo site's grids, as landlord-li's, so the demo accounts see them)
  --keep            with --api: leave the run's buildings and accounts on the platform (default: removed when it ends)
  --rule NAME=VALUE the platform's rule setting (repeatable), e.g. --rule notSeenDays=30 (defaults: the fast settings here for the
                    platform this command starts, the platform's defaults for --api)
  --tick-ms N --sweep-ms N   pipeline tick and sweep of the platform started here, real ms (default 25 and 250)
  --camera-period S camera counting period, sim seconds (default 120)
  --tolerance S     how late a detection may come after it is due, sim seconds (default 1800)
  --start-hour H    start at the next H:00 site time (Asia/Shanghai) instead of now; the clock jumps forward once
  --truth FILE      write the ground truth as JSON      --alerts FILE   write the platform's alerts as JSON
  --quiet           no progress lines`

export interface CliOptions {
  run: Omit<RunOptions, 'log' | 'progress'>
  truthFile?: string
  alertsFile?: string
  quiet: boolean
}

export function parseCli (argv: string[], defaults: { days: number; remoteDays: number }): CliOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      seed: { type: 'string' }, days: { type: 'string' }, speed: { type: 'string' }, buildings: { type: 'string' }, rooms: { type: 'string' },
      anomalies: { type: 'string' }, api: { type: 'string' }, mqtt: { type: 'string' }, token: { type: 'string' }, username: { type: 'string' },
      password: { type: 'string' }, rule: { type: 'string', multiple: true }, 'tick-ms': { type: 'string' }, 'sweep-ms': { type: 'string' },
      'camera-period': { type: 'string' }, tolerance: { type: 'string' }, truth: { type: 'string' }, alerts: { type: 'string' },
      'start-hour': { type: 'string' }, quiet: { type: 'boolean' }, help: { type: 'boolean' },
      'own-areas': { type: 'boolean' }, keep: { type: 'boolean' },
    },
    strict: true,
  })
  if (values.help === true) throw new UsageError('')
  const num = (name: string, raw: string | undefined, fallback: number, min = 0): number => {
    if (raw === undefined) return fallback
    const n = Number(raw)
    if (!Number.isFinite(n) || n < min) throw new UsageError(`--${name} must be a number of at least ${min}, got ${JSON.stringify(raw)}`)
    return n
  }
  const remote = values.api !== undefined
  const rules: RuleSettings = { ...(remote ? DEFAULT_RULES : FAST_RULES) }
  for (const r of values.rule ?? []) {
    const [name, value] = r.split('=')
    if (name === undefined || !(name in rules) || value === undefined) throw new UsageError(`--rule takes NAME=VALUE with NAME one of ${Object.keys(rules).join(', ')}`)
    rules[name as keyof RuleSettings] = num('rule', value, 0, 1)
  }
  const anomalies = values.anomalies?.split(',').map((s) => s.trim()).filter((s) => s !== '')
  for (const a of anomalies ?? []) if (!(ANOMALY_KINDS as readonly string[]).includes(a)) throw new UsageError(`unknown anomaly kind ${a}`)
  const run: CliOptions['run'] = {
    seed: values.seed ?? '1',
    days: num('days', values.days, remote ? defaults.remoteDays : defaults.days, 0.001),
    speed: num('speed', values.speed, remote ? 1 : 1440, 0.01),
    buildings: Math.round(num('buildings', values.buildings, 4, 1)),
    rooms: Math.round(num('rooms', values.rooms, 8, 2)),
    rules,
    platform: remote
      ? { kind: 'remote', api: values.api!, tickS: 1, sweepS: 10, ...pick(values, ['mqtt', 'token', 'username', 'password']) }
      : { kind: 'local', tickMs: num('tick-ms', values['tick-ms'], 25, 1), sweepMs: num('sweep-ms', values['sweep-ms'], 250, 1) },
    cameraPeriodS: Math.round(num('camera-period', values['camera-period'], 120, 1)),
    toleranceS: num('tolerance', values.tolerance, 1800),
    ...(anomalies === undefined ? {} : { anomalies: anomalies as AnomalyKind[] }),
    ...(values['start-hour'] === undefined ? {} : { startHour: Math.round(num('start-hour', values['start-hour'], 0, 0)) % 24 }),
    ...(values['own-areas'] === true ? { placement: 'own' as const } : {}),
    ...(values.keep === true ? { keep: true } : {}),
  }
  if (remote && run.startHour !== undefined) throw new UsageError('--start-hour moves the simulation clock, which a platform given with --api does not follow')
  if (!remote && (values['own-areas'] === true || values.keep === true)) throw new UsageError('--own-areas and --keep are for a platform given with --api')
  if (remote && values.token === undefined && values.password === undefined) throw new UsageError('--api needs --token, or --username and --password of an administrator')
  return { run, ...(values.truth === undefined ? {} : { truthFile: values.truth }), ...(values.alerts === undefined ? {} : { alertsFile: values.alerts }), quiet: values.quiet === true }
}

function pick<K extends string> (values: Partial<Record<string, unknown>>, keys: K[]): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {}
  for (const k of keys) if (typeof values[k] === 'string') out[k] = values[k] as string
  return out
}

export class UsageError extends Error {}

/** The options, or the usage on stderr and exit (0 for --help, 2 for a mistake). */
export function parseOrExit (command: string, argv: string[], defaults: { days: number; remoteDays: number }): CliOptions {
  try {
    return parseCli(argv, defaults)
  } catch (err) {
    if (!(err instanceof UsageError) && !(err instanceof TypeError)) throw err
    if (err.message !== '') console.error(err.message)
    console.error(`npm run ${command} -- [options]\n${USAGE}`)
    process.exit(err.message === '' ? 0 : 2)
  }
}
