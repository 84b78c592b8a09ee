// Configuration from the environment, checked once at boot. Every problem is
// reported together, by variable name, before anything starts.

import { readFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { isAbsolute, resolve } from 'node:path'
import { createSecureContext } from 'node:tls'
import { parseEscalationPolicy, type EscalationPolicy } from './alerts/escalation.ts'
import { DEFAULT_STREAM_LIMITS, type StreamLimits } from './alerts/live-stream.ts'
import { DEFAULT_CONNECTION_LIMITS } from './broker/connection-limits.ts'
import { DEFAULT_RULE_PARAMS, type RuleParams } from './pipeline/model.ts'

export interface Config {
  /** HOST; undefined when unset: see listenHost. */
  host: string | undefined
  httpPort: number
  mqttPort: number
  /** null: MQTT over WebSocket disabled. */
  mqttWsPort: number | null
  /** MQTT over TLS and over secure WebSocket (null: off), with the certificate and key they use (PEM). */
  tls: { mqttTlsPort: number | null; mqttWssPort: number | null; cert: string; key: string } | undefined
  /** PUBLIC_HOST, the host name devices and API clients are told to use; undefined when unset: see listenHost. */
  publicHost: string | undefined
  dataDir: string
  /** DATA_DIR may be open to group or others (DATA_DIR_SHARED); otherwise such a DATA_DIR is refused at start. */
  dataDirShared: boolean
  /** PostgreSQL server; undefined: embedded PGlite in `${dataDir}/registry`. */
  databaseUrl: string | undefined
  /** Master key for ID numbers (64 hex chars); undefined: read or create `${dataDir}/data.key`. */
  dataKey: string | undefined
  demo: boolean
  /** Days events are kept before the retention job deletes them. */
  eventRetentionDays: number
  /** Days a person's data is kept after their last stay ended. */
  personalDataRetentionDays: number
  /** Open live alert streams allowed per account, per client address and in total. */
  streams: StreamLimits
  /**
   * The HTTP server: open sockets at most, the time a client has to send a whole request, and `trustProxy`:
   * addresses or CIDRs of reverse proxies whose X-Forwarded-For is believed (TRUST_PROXY); empty: none.
   */
  http: { maxConnections: number; requestTimeoutMs: number; trustProxy: string[] }
  /** Hours the side of a stay a person leaves has to confirm or dispute the move before the jurisdiction decides. */
  moveConfirmHours: number
  /** Rule parameters (RULE_* variables); unset ones keep their defaults. */
  rules: Partial<RuleParams>
  /** WEBHOOK_ALLOW_INSECURE_LOCAL: webhooks may target loopback, over http too (development only). */
  webhookAllowInsecureLocal: boolean
  /** MQTT connections held at once: in all, per remote address, per person account. */
  mqttLimits: { maxConnections: number; maxPerAddress: number; maxPerAccount: number }
  /** Bounds past which GET /health answers 503 (HEALTH_* variables). */
  health: HealthLimits
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  /** LOG_FORMAT; undefined: pretty when stdout is a terminal, JSON lines otherwise. */
  logFormat?: 'pretty' | 'json'
  /** ALERT_ESCALATE_AFTER: how long an alert may stay unacknowledged before it goes up to the parent area. */
  alertEscalation?: EscalationPolicy
}

export interface HealthLimits {
  /** Longest an alert may wait to be committed (or commits may keep failing), seconds. */
  alertDelayMaxS: number
  /** Longest an acknowledged event may wait to be copied into the database, seconds. */
  eventCopyDelayMaxS: number
  /** Largest lateness of the event loop GET /health/live accepts, seconds. */
  eventLoopDelayMaxS: number
}

export const DEFAULT_HEALTH_LIMITS: HealthLimits = { alertDelayMaxS: 30, eventCopyDelayMaxS: 60, eventLoopDelayMaxS: 5 }

export class ConfigError extends Error {
  constructor (readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`)
    this.name = 'ConfigError'
  }
}

export const HTTP_DEFAULTS: Config['http'] = { maxConnections: 5000, requestTimeoutMs: 30_000, trustProxy: [] }

/** Documented in docs/config.md; keep both in step. */
export const CONFIG_VARIABLES = {
  HOST: 'Address the API and the broker listen on (default 0.0.0.0; 127.0.0.1 while a demo account accepts the published password).',
  HTTP_PORT: 'API and OpenAPI docs port (default 8080).',
  MQTT_PORT: 'MQTT over TCP port (default 1884; 1883 is often taken by another broker).',
  MQTT_WS_PORT: 'MQTT over WebSocket port, path /mqtt (default 8083; "off" disables it).',
  MQTT_TLS_PORT: 'MQTT over TLS (mqtts) port (default off; usually 8883). Needs TLS_CERT_FILE and TLS_KEY_FILE.',
  MQTT_WSS_PORT: 'MQTT over secure WebSocket (wss) port, path /mqtt (default off). Needs TLS_CERT_FILE and TLS_KEY_FILE.',
  TLS_CERT_FILE: 'PEM certificate (chain) for the TLS listeners.',
  TLS_KEY_FILE: 'PEM private key of that certificate.',
  PUBLIC_HOST: 'Host name given to devices and clients in connection details (default: HOST, or localhost for 0.0.0.0).',
  DATA_DIR: 'Directory for the embedded database, the event journal and the data key (default ./data); keep it on durable storage. Created 0700; refused at start when other users can access it.',
  DATA_DIR_SHARED: 'Accept a DATA_DIR that group or others can access, e.g. a mounted volume (default off). Files in it stay 0600.',
  DATABASE_URL: 'postgres:// URL of a PostgreSQL server; unset: embedded PGlite in DATA_DIR.',
  DATA_KEY: 'Master key protecting ID numbers, 64 hex characters; unset: created once in DATA_DIR/data.key.',
  EVENT_RETENTION_DAYS: 'Days device events are kept (default 180, the national code minimum for the central host).',
  PERSONAL_DATA_RETENTION_DAYS: 'Days a person\'s identifying data is kept after their last stay ended (default 1095); then it is erased.',
  MOVE_CONFIRM_HOURS: 'Hours the landlord of a person\'s current stay has to confirm or dispute their move to another landlord\'s building before the grid worker or police decides (default 72).',
  DEMO: 'Load the demo site into an empty registry (default on; "off" to skip).',
  LOG_LEVEL: 'fatal, error, warn, info, debug, trace or silent (default info).',
  LOG_FORMAT: 'pretty or json (default: pretty when stdout is a terminal, JSON lines otherwise).',
  STREAM_MAX_PER_ACCOUNT: `Open live alert streams (GET /alerts/stream) one account may hold (default ${DEFAULT_STREAM_LIMITS.perAccount}).`,
  STREAM_MAX_PER_ADDRESS: `Open live alert streams from one client address (default ${DEFAULT_STREAM_LIMITS.perAddress}).`,
  STREAM_MAX_TOTAL: `Open live alert streams in total (default ${DEFAULT_STREAM_LIMITS.total}).`,
  HTTP_MAX_CONNECTIONS: `Open HTTP sockets at most; further ones are closed at once (default ${HTTP_DEFAULTS.maxConnections}).`,
  HTTP_REQUEST_TIMEOUT_S: `Seconds a client has to send a whole request, headers and body (default ${HTTP_DEFAULTS.requestTimeoutMs / 1000}).`,
  TRUST_PROXY: 'Comma-separated addresses or CIDRs of the reverse proxies in front of the API; X-Forwarded-For is believed only from them (default off: the socket address is the client).',
  WEBHOOK_ALLOW_INSECURE_LOCAL: 'Development only: webhooks may also target loopback addresses, over plain http too, except the platform\'s own ports (default off: https to public addresses only).',
  MQTT_MAX_CONNECTIONS: `MQTT connections held at once over all listeners (default ${DEFAULT_CONNECTION_LIMITS.maxConnections}); more are refused with CONNACK 3.`,
  MQTT_MAX_CONNECTIONS_PER_ADDRESS: `MQTT connections from one remote address (default ${DEFAULT_CONNECTION_LIMITS.maxPerAddress}: a site's NAT gateway carries many devices); more are refused with CONNACK 3.`,
  MQTT_MAX_CONNECTIONS_PER_ACCOUNT: `Alert connections (user:<name> logins) of one account (default ${DEFAULT_CONNECTION_LIMITS.maxPerAccount}); more are refused with CONNACK 5.`,
  HEALTH_ALERT_DELAY_MAX_S: `GET /health answers 503 when an alert has waited this many seconds to be committed, or commits have failed that long (default ${DEFAULT_HEALTH_LIMITS.alertDelayMaxS}).`,
  HEALTH_EVENT_COPY_DELAY_MAX_S: `GET /health answers 503 when an acknowledged event has waited this many seconds to be copied into the database (default ${DEFAULT_HEALTH_LIMITS.eventCopyDelayMaxS}).`,
  HEALTH_EVENT_LOOP_DELAY_MAX_S: `GET /health/live answers 503 when the event loop has run this many seconds late within the last 10 s (default ${DEFAULT_HEALTH_LIMITS.eventLoopDelayMaxS}).`,
  ALERT_ESCALATE_AFTER: 'Unacknowledged alerts go up to the parent area after this long: comma-separated key=duration, key a severity, alert type or type:severity, duration 90s, 10m, 2h or off (default critical=10m,major=30m,warning=2h,info=off).',
  RULE_TAILGATING_WINDOW_S: `Seconds a granted entry may lie before or after a camera count and still explain it (default ${DEFAULT_RULE_PARAMS.tailgatingWindowS}).`,
  RULE_DENIED_IN_A_ROW: `Denials in a row at a door or with one credential that raise an alarm (default ${DEFAULT_RULE_PARAMS.deniedInARow}).`,
  RULE_DENIED_RUN_GAP_S: `Denials further apart than this many seconds do not count as in a row (default ${DEFAULT_RULE_PARAMS.deniedRunGapS}).`,
  RULE_VISITOR_MAX_STAY_H: `Hours a visitor may stay before they should register (default ${DEFAULT_RULE_PARAMS.visitorMaxStayH}).`,
  RULE_NOT_SEEN_DAYS: `Days a registered resident may go unseen before deregistration is suggested (default ${DEFAULT_RULE_PARAMS.notSeenDays}).`,
  RULE_VACANT_DAYS: `Days a room may go with nobody seen before it is reported vacant (default ${DEFAULT_RULE_PARAMS.vacantDays}).`,
  RULE_HEARTBEAT_S: `Heartbeat interval devices are configured with, seconds (default ${DEFAULT_RULE_PARAMS.heartbeatS}).`,
  RULE_MISSED_HEARTBEATS: `Heartbeats a device may miss before it is reported offline (default ${DEFAULT_RULE_PARAMS.missedHeartbeats}).`,
  RULE_CLOCK_DRIFT_MAX_S: `Largest tolerated difference between a device clock and the platform clock, seconds (default ${DEFAULT_RULE_PARAMS.clockDriftMaxS}).`,
  RULE_TRAVEL_MAX_KMH: `Fastest plausible door-to-door speed between two buildings with a location, km/h: one card seen at both sooner is a copy (default ${DEFAULT_RULE_PARAMS.travelMaxKmh}).`,
  RULE_TRAVEL_MIN_GAP_S: `Shortest plausible time between one card's uses at two buildings when either has no location, seconds (default ${DEFAULT_RULE_PARAMS.travelMinGapS}).`,
} as const

/** RULE_* variable of each rule parameter. */
export const RULE_VARIABLES: Record<keyof RuleParams, keyof typeof CONFIG_VARIABLES> = {
  tailgatingWindowS: 'RULE_TAILGATING_WINDOW_S',
  deniedInARow: 'RULE_DENIED_IN_A_ROW',
  deniedRunGapS: 'RULE_DENIED_RUN_GAP_S',
  visitorMaxStayH: 'RULE_VISITOR_MAX_STAY_H',
  notSeenDays: 'RULE_NOT_SEEN_DAYS',
  vacantDays: 'RULE_VACANT_DAYS',
  heartbeatS: 'RULE_HEARTBEAT_S',
  missedHeartbeats: 'RULE_MISSED_HEARTBEATS',
  clockDriftMaxS: 'RULE_CLOCK_DRIFT_MAX_S',
  travelMaxKmh: 'RULE_TRAVEL_MAX_KMH',
  travelMinGapS: 'RULE_TRAVEL_MIN_GAP_S',
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

export function loadConfig (env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const problems: string[] = []
  const port = (name: string, fallback: number, allowOff = false): number | null => {
    const raw = env[name]?.trim()
    if (raw === undefined || raw === '') return fallback
    if (allowOff && raw === 'off') return null
    if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) {
      problems.push(`${name} must be a port number 0..65535${allowOff ? ' or "off"' : ''}, got ${JSON.stringify(raw)}`)
      return fallback
    }
    return Number(raw)
  }
  const flag = (name: string, fallback: boolean): boolean => {
    const raw = env[name]?.trim().toLowerCase()
    if (raw === undefined || raw === '') return fallback
    if (['1', 'on', 'true', 'yes'].includes(raw)) return true
    if (['0', 'off', 'false', 'no'].includes(raw)) return false
    problems.push(`${name} must be on or off, got ${JSON.stringify(env[name])}`)
    return fallback
  }

  const demo = flag('DEMO', true)
  const host = env.HOST?.trim() || undefined
  const httpPort = port('HTTP_PORT', 8080)!
  const mqttPort = port('MQTT_PORT', 1884)!
  const mqttWsPort = port('MQTT_WS_PORT', 8083, true)
  const mqttTlsPort = port('MQTT_TLS_PORT', -1, true)
  const mqttWssPort = port('MQTT_WSS_PORT', -1, true)
  const tlsOn = (p: number | null): p is number => p !== null && p >= 0
  const used = [['HTTP_PORT', httpPort], ['MQTT_PORT', mqttPort], ['MQTT_WS_PORT', mqttWsPort],
    ['MQTT_TLS_PORT', tlsOn(mqttTlsPort) ? mqttTlsPort : null], ['MQTT_WSS_PORT', tlsOn(mqttWssPort) ? mqttWssPort : null]] as const
  for (let i = 0; i < used.length; i++) {
    for (let j = i + 1; j < used.length; j++) {
      const a = used[i]!
      const b = used[j]!
      if (a[1] !== null && a[1] !== 0 && a[1] === b[1]) problems.push(`${a[0]} and ${b[0]} are both ${a[1]}`)
    }
  }
  let tls: Config['tls']
  if (tlsOn(mqttTlsPort) || tlsOn(mqttWssPort)) {
    const file = (name: string): string | undefined => {
      const path = env[name]?.trim()
      if (path === undefined || path === '') {
        problems.push(`${name} is required when MQTT_TLS_PORT or MQTT_WSS_PORT is set`)
        return undefined
      }
      try {
        return readFileSync(isAbsolute(path) ? path : resolve(cwd, path), 'utf8')
      } catch (err) {
        problems.push(`${name}: cannot read ${JSON.stringify(path)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`)
        return undefined
      }
    }
    const cert = file('TLS_CERT_FILE')
    const key = file('TLS_KEY_FILE')
    if (cert !== undefined && key !== undefined) {
      try {
        createSecureContext({ cert, key })
        tls = { mqttTlsPort: tlsOn(mqttTlsPort) ? mqttTlsPort : null, mqttWssPort: tlsOn(mqttWssPort) ? mqttWssPort : null, cert, key }
      } catch (err) {
        problems.push(`TLS_CERT_FILE and TLS_KEY_FILE are not a usable certificate and key: ${(err as Error).message}`)
      }
    }
  }
  const dataDirRaw = env.DATA_DIR?.trim() || 'data'
  const dataDir = isAbsolute(dataDirRaw) ? dataDirRaw : resolve(cwd, dataDirRaw)
  const databaseUrl = env.DATABASE_URL?.trim() || undefined
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must start with postgres:// or postgresql://')
  }
  const dataKey = env.DATA_KEY?.trim() || undefined
  if (dataKey !== undefined && !/^[0-9a-fA-F]{64}$/.test(dataKey)) {
    problems.push('DATA_KEY must be 64 hexadecimal characters (32 bytes); generate one with: openssl rand -hex 32')
  }
  /** A whole number from 1 to `max` (in `unit`, for the message); unset: `fallback`. */
  const count = (name: string, fallback: number, max = 9_999_999, unit = ''): number => {
    const raw = env[name]?.trim()
    if (raw === undefined || raw === '') return fallback
    if (!/^\d{1,7}$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
      const range = max === 9_999_999 ? 'at least 1' : `1..${max}`
      problems.push(`${name} must be a whole number${unit === '' ? '' : ` of ${unit}`}, ${range}, got ${JSON.stringify(raw)}`)
      return fallback
    }
    return Number(raw)
  }
  const streams: StreamLimits = {
    perAccount: count('STREAM_MAX_PER_ACCOUNT', DEFAULT_STREAM_LIMITS.perAccount, 100_000),
    perAddress: count('STREAM_MAX_PER_ADDRESS', DEFAULT_STREAM_LIMITS.perAddress, 100_000),
    total: count('STREAM_MAX_TOTAL', DEFAULT_STREAM_LIMITS.total, 100_000),
  }
  const http = {
    maxConnections: count('HTTP_MAX_CONNECTIONS', HTTP_DEFAULTS.maxConnections, 1_000_000),
    requestTimeoutMs: count('HTTP_REQUEST_TIMEOUT_S', HTTP_DEFAULTS.requestTimeoutMs / 1000, 3600) * 1000,
    trustProxy: trustedProxies(env.TRUST_PROXY, problems),
  }
  const logLevel = (env.LOG_LEVEL?.trim() || 'info') as Config['logLevel']
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(logLevel)}`)
  const logFormat = env.LOG_FORMAT?.trim().toLowerCase() || undefined
  if (logFormat !== undefined && logFormat !== 'pretty' && logFormat !== 'json') problems.push(`LOG_FORMAT must be pretty or json, got ${JSON.stringify(env.LOG_FORMAT)}`)
  const publicHost = env.PUBLIC_HOST?.trim() || undefined
  const dataDirShared = flag('DATA_DIR_SHARED', false)
  const webhookAllowInsecureLocal = flag('WEBHOOK_ALLOW_INSECURE_LOCAL', false)
  const eventRetentionDays = count('EVENT_RETENTION_DAYS', 180, 99_999, 'days')
  const personalDataRetentionDays = count('PERSONAL_DATA_RETENTION_DAYS', 1095, 999_999, 'days')
  const moveConfirmHours = count('MOVE_CONFIRM_HOURS', 72, 2160, 'hours')
  const rules: Partial<RuleParams> = {}
  for (const [param, name] of Object.entries(RULE_VARIABLES) as Array<[keyof RuleParams, string]>) {
    if ((env[name]?.trim() ?? '') !== '') rules[param] = count(name, DEFAULT_RULE_PARAMS[param], 999_999)
  }
  const mqttLimits = {
    maxConnections: count('MQTT_MAX_CONNECTIONS', DEFAULT_CONNECTION_LIMITS.maxConnections),
    maxPerAddress: count('MQTT_MAX_CONNECTIONS_PER_ADDRESS', DEFAULT_CONNECTION_LIMITS.maxPerAddress),
    maxPerAccount: count('MQTT_MAX_CONNECTIONS_PER_ACCOUNT', DEFAULT_CONNECTION_LIMITS.maxPerAccount),
  }
  const health = {
    alertDelayMaxS: count('HEALTH_ALERT_DELAY_MAX_S', DEFAULT_HEALTH_LIMITS.alertDelayMaxS, 999_999, 'seconds'),
    eventCopyDelayMaxS: count('HEALTH_EVENT_COPY_DELAY_MAX_S', DEFAULT_HEALTH_LIMITS.eventCopyDelayMaxS, 999_999, 'seconds'),
    eventLoopDelayMaxS: count('HEALTH_EVENT_LOOP_DELAY_MAX_S', DEFAULT_HEALTH_LIMITS.eventLoopDelayMaxS, 3600, 'seconds'),
  }
  const escalation = parseEscalationPolicy(env.ALERT_ESCALATE_AFTER)
  problems.push(...escalation.problems)
  if (problems.length > 0) throw new ConfigError(problems)
  return {
    alertEscalation: escalation.policy,
    host, httpPort, mqttPort, mqttWsPort, tls, publicHost, dataDir, dataDirShared, databaseUrl, dataKey, demo, eventRetentionDays, personalDataRetentionDays,
    moveConfirmHours, streams, http, rules, webhookAllowInsecureLocal, mqttLimits, health, logLevel,
    ...(logFormat === undefined ? {} : { logFormat: logFormat as 'pretty' | 'json' }),
  }
}

/**
 * TRUST_PROXY: `off` (or unset) or a comma-separated list of IPv4/IPv6
 * addresses and CIDRs. Trusting every peer (`on`, `*`) is refused: anyone
 * could then choose the address the throttles and limits count against.
 */
function trustedProxies (raw: string | undefined, problems: string[]): string[] {
  const value = raw?.trim() ?? ''
  if (value === '' || value === 'off') return []
  const entries = value.split(',').map((e) => e.trim())
  const bad = entries.filter((e) => !isAddressOrCidr(e))
  if (bad.length > 0) {
    problems.push(`TRUST_PROXY must be off or a comma-separated list of proxy addresses or CIDRs (e.g. 10.0.0.5,192.168.1.0/24), got ${bad.map((b) => JSON.stringify(b)).join(', ')}`)
    return []
  }
  return entries
}

function isAddressOrCidr (entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/')
  const family = isIP(address)
  if (family === 0 || rest.length > 0) return false
  if (prefix === undefined) return true
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128)
}

/**
 * Where the platform listens and the host name it gives devices and clients.
 * HOST unset: 127.0.0.1 while a demo account still accepts the published
 * password (only this machine can use it), else every interface. PUBLIC_HOST
 * unset: the listening address, or localhost for every interface.
 */
export function listenHost (config: Pick<Config, 'host' | 'publicHost'>, demoAccountsOpen: boolean): { host: string; publicHost: string } {
  const host = config.host ?? (demoAccountsOpen ? '127.0.0.1' : '0.0.0.0')
  return { host, publicHost: config.publicHost ?? (host === '0.0.0.0' || host === '::' ? 'localhost' : host) }
}
