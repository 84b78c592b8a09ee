// What `npm start` prints once the platform is up: where everything listens,
// and, while demo accounts still accept the published password (whatever
// DEMO says), which ones and that they are for local trials.

import type { Config } from './config.ts'
import type { PlatformAddresses } from './platform.ts'

/** True for an address only this machine can reach. */
export function isLoopback (host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
}

/** `host`: where the platform listens; `demo`: the demo block (detectDemoSite), undefined when no demo account is open. */
export function startBanner (config: Config, host: string, a: PlatformAddresses, demo: string[] | undefined): string {
  const lines = [
    'Rental-block access platform is up.',
    `  Consoles       ${a.api}/  (sign in with an account; 中文 / English)`,
    `  API            ${a.api}`,
    `  API docs       ${a.docs}`,
    `  MQTT (TCP)     ${a.mqtt}`,
    `  MQTT (WS)      ${a.mqttWs ?? 'off'}`,
    ...(a.mqtts === null ? [] : [`  MQTT (TLS)     ${a.mqtts}`]),
    ...(a.mqttWss === null ? [] : [`  MQTT (WSS)     ${a.mqttWss}`]),
    `  Data           ${config.databaseUrl === undefined ? `${config.dataDir} (embedded PGlite)` : 'PostgreSQL (DATABASE_URL)'}`,
  ]
  if (demo === undefined) return lines.join('\n')
  lines.push('', ...demo, '')
  lines.push('The demo accounts are for local trials: their password is public.')
  if (isLoopback(host)) {
    lines.push(`Listening on ${host} only, so that no other machine can use them. To serve other machines, set HOST ` +
      '(e.g. HOST=0.0.0.0) after disabling the demo accounts (PATCH /users/{id}), or start on an empty DATA_DIR with DEMO=off.')
  } else {
    lines.push(`WARNING: HOST=${host} lets other machines log in with them. Disable them (PATCH /users/{id}) ` +
      'or start on an empty DATA_DIR with DEMO=off before this platform holds real data.')
  }
  return lines.join('\n')
}
