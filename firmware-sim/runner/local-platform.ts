// The platform on embedded defaults, in this process, for a run that was not
// given one: a fresh embedded database in a temporary directory, the API and
// the broker on free ports of 127.0.0.1, no demo site, the rules' clock and
// the broker's receive times on the simulation clock, and the pipeline looking
// often enough for a clock that runs fast. One administrator account is
// created for the simulator.

import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { loadConfig, RULE_VARIABLES } from '../../platform/config.ts'
import { Platform } from '../../platform/platform.ts'
import type { RuleSettings } from '../world/truth.ts'

export const SIM_ADMIN = 'sim-admin'

export interface LocalPlatform {
  api: string
  mqtt: string
  username: string
  password: string
  platform: Platform
  /** The data key it runs with: what names cards in its alert keys (CredentialSecrets.presentedKey). */
  dataKey: string
  stop (): Promise<void>
}

export interface LocalPlatformOptions {
  clock: () => number
  rules: RuleSettings
  /** Pipeline tick and sweep, real milliseconds. */
  tickMs: number
  sweepMs: number
  logLevel?: 'silent' | 'error' | 'warn' | 'info'
}

export async function startLocalPlatform (o: LocalPlatformOptions): Promise<LocalPlatform> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rh-sim-'))
  const dataKey = randomBytes(32).toString('hex')
  const env: Record<string, string> = {
    HOST: '127.0.0.1', HTTP_PORT: '0', MQTT_PORT: '0', MQTT_WS_PORT: 'off', DATA_DIR: dataDir, DEMO: 'off',
    LOG_LEVEL: o.logLevel ?? 'error', DATA_KEY: dataKey,
  }
  for (const [param, name] of Object.entries(RULE_VARIABLES) as Array<[keyof RuleSettings, string]>) env[name] = String(o.rules[param])
  const config = loadConfig(env)
  const platform = new Platform(config, pino({ level: config.logLevel }), {
    clock: o.clock,
    pipeline: { tickMs: o.tickMs, sweepMs: o.sweepMs },
  })
  const cleanup = (): void => rmSync(dataDir, { recursive: true, force: true })
  try {
    const addresses = await platform.start()
    const password = randomBytes(12).toString('base64url')
    await platform.registry!.users.create(null, { username: SIM_ADMIN, displayName: 'Simulator administrator', role: 'admin', password })
    return {
      api: addresses.api,
      mqtt: addresses.mqtt,
      username: SIM_ADMIN,
      password,
      platform,
      dataKey,
      async stop () {
        await platform.stop()
        cleanup()
      },
    }
  } catch (err) {
    await platform.stop()
    cleanup()
    throw err
  }
}
