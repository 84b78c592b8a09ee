// `npm run demo` as a function: the platform started in this process on
// embedded defaults with the demo site (or one given with `api`), the demo
// driver on its buildings, and a watch on the alerts police-zumiao sees, each
// new one handed to `onAlert`. stop() stops the driver (undoing what it did),
// then the platform it started.

import { join } from 'node:path'
import { ApiClient } from '../../contract/client.ts'
import type { Alert } from '../../contract/schemas/alerts.ts'
import { DEMO_PASSWORD, DEMO_SITE, startPlatform, type EmbeddedPlatform } from '../../platform/starter.ts'
import { DemoDriver, type DemoAction } from './demo-driver.ts'

export interface LivingDemoOptions {
  /** A running platform's API; default: start one here. */
  api?: string
  /** Its broker for the devices (default: what provisioning returns). */
  mqtt?: string
  /** An administrator of that platform (default admin / the demo password). */
  username?: string
  password?: string
  /** Settings for the platform started here, over the demo's (HTTP_PORT, MQTT_PORT, DATA_DIR, ...). */
  env?: Record<string, string>
  /** A data directory kept after the stop, for the platform started here; default a temporary one. */
  dataDir?: string
  everyS: number
  seed?: string
  first?: readonly DemoAction[]
  /** How often the alerts are looked at, ms (default 2000). */
  alertPollMs?: number
  log: (line: string) => void
  onAlert?: (alert: Alert) => void
}

export interface LivingDemo {
  api: string
  /** The platform started here, if it was. */
  embedded: EmbeddedPlatform | undefined
  driver: DemoDriver
  /** Lines for the start-up banner (the demo accounts), when the platform was started here. */
  banner: string[]
  stop (): Promise<void>
}

export async function startLivingDemo (o: LivingDemoOptions): Promise<LivingDemo> {
  let embedded: EmbeddedPlatform | undefined
  let driver: DemoDriver | undefined
  let timer: NodeJS.Timeout | undefined
  try {
    let api = o.api
    let mqtt = o.mqtt
    let secretsFile: string | undefined
    if (api === undefined) {
      embedded = await startPlatform({ env: { DEMO: 'on', LOG_LEVEL: 'warn', ...o.env }, ...(o.dataDir === undefined ? {} : { dataDir: o.dataDir }) })
      api = embedded.platform.addresses.api
      mqtt ??= embedded.platform.addresses.mqtt
      secretsFile = join(embedded.dataDir, 'demo-devices.json')
    }
    const admin = await ApiClient.login(api, o.username ?? 'admin', o.password ?? DEMO_PASSWORD)
    driver = new DemoDriver({
      admin, everyS: o.everyS, log: o.log,
      ...(mqtt === undefined ? {} : { mqttUrl: mqtt }), ...(secretsFile === undefined ? {} : { secretsFile }),
      ...(o.seed === undefined ? {} : { seed: o.seed }), ...(o.first === undefined ? {} : { first: o.first }),
    })
    await driver.start()

    // What the police of the area see arrive (the administrator's view if that account is closed).
    const police = await ApiClient.login(api, DEMO_SITE.police, DEMO_PASSWORD).catch(() => admin)
    const since = new Date().toISOString()
    const seen = new Set<string>()
    let looking = false
    timer = setInterval(() => {
      if (looking) return
      looking = true
      void (async () => {
        for await (const a of police.alerts({ since, limit: 100 })) {
          if (seen.has(a.id)) continue
          seen.add(a.id)
          o.onAlert?.(a)
        }
      })().catch(() => {}).finally(() => { looking = false })
    }, o.alertPollMs ?? 2000)
    timer.unref()

    const started = embedded
    const running = driver
    return {
      api,
      embedded,
      driver,
      banner: embedded?.platform.demo?.describe() ?? [],
      async stop () {
        clearInterval(timer)
        try {
          await running.stop()
        } finally {
          await started?.stop()
        }
      },
    }
  } catch (err) {
    clearInterval(timer)
    await driver?.stop().catch(() => {})
    await embedded?.stop()
    throw err
  }
}
