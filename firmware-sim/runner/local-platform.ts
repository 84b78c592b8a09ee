// The platform on embedded defaults, in this process, for a run that was not
// given one (platform/starter.ts): a fresh embedded database in a temporary
// directory, the API and the broker on free ports of 127.0.0.1, no demo site,
// the rules' clock and the broker's receive times on the simulation clock, and
// the pipeline looking often enough for a clock that runs fast. One
// administrator account is created for the simulator.

import { startPlatform, type RunningPlatform } from '../../platform/starter.ts'
import type { RuleSettings } from '../world/truth.ts'

export const SIM_ADMIN = 'sim-admin'

export interface LocalPlatform {
  api: string
  mqtt: string
  username: string
  password: string
  platform: RunningPlatform
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
  const started = await startPlatform({
    env: { DEMO: 'off', LOG_LEVEL: o.logLevel ?? 'error' },
    rules: o.rules,
    clock: o.clock,
    pipeline: { tickMs: o.tickMs, sweepMs: o.sweepMs },
    admin: { username: SIM_ADMIN, displayName: 'Simulator administrator' },
  })
  return {
    api: started.platform.addresses.api,
    mqtt: started.platform.addresses.mqtt,
    username: SIM_ADMIN,
    password: started.admin!.password,
    platform: started.platform,
    dataKey: started.dataKey,
    stop: () => started.stop(),
  }
}
