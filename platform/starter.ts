// One way to start the platform inside another program: the tests, `sim`,
// `load` and `bench` all start it here. On 127.0.0.1 with the ports the system
// chooses, in a temporary data directory (removed on stop) unless given one,
// on the embedded database, a scratch database on the PostgreSQL server
// (dropped on stop) or a database the caller opened. It resolves with the
// running platform, whose parts are all there.
//
// The simulator reaches the platform only through this module (an import rule
// enforces it): what it needs besides, it finds re-exported at the end.

import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Logger } from 'pino'
import { loadConfig, RULE_VARIABLES, type Config } from './config.ts'
import { createLogger } from './logger.ts'
import type { RuleParams } from './pipeline/model.ts'
import type { PlatformOptions, RunningPlatform } from './running-platform.ts'
import type { Database } from './store/database.ts'
import { createScratchPostgres } from './store/scratch-postgres.ts'

export type { RunningPlatform } from './running-platform.ts'

/** `configured`: what the settings say (PGlite in the data directory unless DATABASE_URL); `scratch-postgres`: a new database on PG_TEST_URL; or an open one. */
export type DatabaseChoice = 'configured' | 'scratch-postgres' | { given: Database }

export interface StartOptions {
  /** Default `configured`. A given database stays open (the caller's to close). */
  database?: DatabaseChoice
  /** DATA_DIR; default a new temporary directory, removed on stop. A given one is kept. */
  dataDir?: string
  /** DATA_KEY; default a random one (see `EmbeddedPlatform.dataKey`). */
  dataKey?: string
  /** More settings, over the starter's (HOST 127.0.0.1, HTTP_PORT and MQTT_PORT 0, MQTT_WS_PORT off). */
  env?: Record<string, string>
  /** The rules' parameters, as RULE_* settings would give them. */
  rules?: Partial<RuleParams>
  /** Default the platform's own logger at LOG_LEVEL (with its redaction of secrets and personal data). */
  logger?: Logger
  /** The devices' clock, the registry's, and the pipeline's timing (see Platform). */
  clock?: PlatformOptions['clock']
  registryClock?: PlatformOptions['registryClock']
  pipeline?: PlatformOptions['pipeline']
  /** An administrator account to create (on a random password) for the program that started it. */
  admin?: { username: string; displayName: string }
}

export interface EmbeddedPlatform {
  /** The platform now running (another one after restart()). */
  platform: RunningPlatform
  config: Config
  dataDir: string
  /** The data key it runs with: what names cards in its alert keys and seals ID numbers. */
  dataKey: string
  /** The logger the platform writes to (the one given, or the starter's default). */
  logger: Logger
  /** The account asked for with `admin`. */
  admin: { username: string; password: string } | undefined
  /**
   * Stops the platform and starts a new one on the same database and data directory, as after a restart
   * (`registryClock`: the time the new registry lives in).
   */
  restart (o?: { registryClock?: () => number }): Promise<RunningPlatform>
  /** Stops it and removes what the starter made (temporary directory, scratch database). */
  stop (): Promise<void>
}

// Temporary data directories still in use: removed whatever ends this process (one listener for all).
const temporaryDirs = new Set<string>()
const removeTemporaryDirs = (): void => { for (const dir of temporaryDirs) rmSync(dir, { recursive: true, force: true }) }

function temporaryDir (): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'rh-platform-'))
  if (temporaryDirs.size === 0) process.once('exit', removeTemporaryDirs)
  temporaryDirs.add(dir)
  return {
    dir,
    remove () {
      rmSync(dir, { recursive: true, force: true })
      temporaryDirs.delete(dir)
      if (temporaryDirs.size === 0) process.off('exit', removeTemporaryDirs)
    },
  }
}

export async function startPlatform (o: StartOptions = {}): Promise<EmbeddedPlatform> {
  const choice = o.database ?? 'configured'
  const temporary = o.dataDir === undefined ? temporaryDir() : undefined
  const dataDir = o.dataDir ?? temporary!.dir
  let scratch: Awaited<ReturnType<typeof createScratchPostgres>> | undefined
  let running: RunningPlatform | undefined
  const cleanup = async (): Promise<void> => {
    try {
      await scratch?.drop()
    } finally {
      temporary?.remove()
    }
  }
  try {
    if (choice === 'scratch-postgres') scratch = await createScratchPostgres({ prefix: 'rh_platform' })
    const dataKey = o.dataKey ?? randomBytes(32).toString('hex')
    const rules: Record<string, string> = {}
    for (const [param, value] of Object.entries(o.rules ?? {}) as Array<[keyof RuleParams, number]>) rules[RULE_VARIABLES[param]] = String(value)
    const config = loadConfig({
      HOST: '127.0.0.1', HTTP_PORT: '0', MQTT_PORT: '0', MQTT_WS_PORT: 'off', DATA_DIR: dataDir, DATA_KEY: dataKey,
      ...(scratch === undefined ? {} : { DATABASE_URL: scratch.url }),
      ...rules,
      ...o.env,
    })
    const logger = o.logger ?? createLogger(config.logLevel, undefined, config.logFormat)
    // Loaded here, not on import: the simulator's world code imports this module for leastTravelMs and
    // starts no platform.
    const { Platform } = await import('./platform.ts')
    const launch = (registryClock = o.registryClock): Promise<RunningPlatform> => new Platform(config, logger, {
      ...(typeof choice === 'object' ? { database: choice.given } : {}),
      ...(o.clock === undefined ? {} : { clock: o.clock }),
      ...(registryClock === undefined ? {} : { registryClock }),
      ...(o.pipeline === undefined ? {} : { pipeline: o.pipeline }),
    }).start()
    running = await launch()
    let admin: EmbeddedPlatform['admin']
    if (o.admin !== undefined) {
      admin = { username: o.admin.username, password: randomBytes(12).toString('hex') }
      await running.registry.users.create(null, { ...o.admin, role: 'admin', password: admin.password })
    }
    const embedded: EmbeddedPlatform = {
      platform: running,
      config,
      dataDir,
      dataKey,
      logger,
      admin,
      async restart (r = {}) {
        await embedded.platform.stop()
        embedded.platform = await launch(r.registryClock)
        return embedded.platform
      },
      async stop () {
        try {
          await embedded.platform.stop()
        } finally {
          await cleanup()
        }
      },
    }
    return embedded
  } catch (err) {
    await running?.stop()
    await cleanup()
    throw err
  }
}

// What the simulator needs of the platform's own code, besides a running platform:
// - the digest that names a presented card in alert keys, under a data key, to match the platform's alerts;
// - the least time a person needs between two sites: the world plans (and judges) impossible travel by it;
// - the rules' parameters and their defaults: the ground truth is judged by the same thresholds;
// - for `load --scale residents`: a registry of its own on the platform's database (no allow-list pushes
//   after each registration), and a fresh registry view whose memory it measures.
// - the demo site's accounts, password and places: `npm run demo` drives it, `sim --api` builds beside it.
export { CredentialSecrets } from './privacy/credential-secrets.ts'
export { leastTravelMs } from './pipeline/rules/impossible-travel.ts'
export { DEFAULT_RULE_PARAMS, type RuleParams } from './pipeline/model.ts'
export { DEFAULT_KPI_PARAMS, type KpiParams } from './policy/kpis.ts'
export { Registry } from './registry/registry.ts'
export { IdVault } from './privacy/id-vault.ts'
export { MemoryRegistryView } from './pipeline/registry-view.ts'
export type { Actor } from './registry/access.ts'
export { DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_SITE } from './demo/demo-site.ts'
