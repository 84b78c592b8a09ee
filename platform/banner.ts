// What `npm start` prints once the platform is up: where everything listens,
// and, with the demo site on, what its accounts are and that they are for
// local trials (their password is published).

import type { Config } from './config.ts'
import type { PlatformAddresses } from './platform.ts'

/** True for an address only this machine can reach. */
export function isLoopback (host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
}

export function startBanner (config: Config, a: PlatformAddresses, demo: string[] | undefined): string {
  const lines = [
    'Rental-block access platform is up.',
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
  if (isLoopback(config.host)) {
    lines.push(`Listening on ${config.host} only, so that no other machine can use them. To serve other machines, set HOST ` +
      '(e.g. HOST=0.0.0.0) after disabling the demo accounts (PATCH /users/{id}), or start on an empty DATA_DIR with DEMO=off.')
  } else {
    lines.push(`WARNING: HOST=${config.host} lets other machines log in with them. Disable them (PATCH /users/{id}) ` +
      'or start on an empty DATA_DIR with DEMO=off before this platform holds real data.')
  }
  return lines.join('\n')
}
