// The platform's logger, and what it never writes: credentials. Every part
// logs through a child of this one, so the redaction below applies to all of
// them; the API adds a request serializer (logRequest) that redacts URLs.
// In a terminal the lines are pretty-printed; anywhere else (a file, a log
// collector) they are JSON, one per line (LOG_FORMAT forces either).

import pino, { type DestinationStream, type Logger } from 'pino'
import pretty from 'pino-pretty'
import type { Config } from './config.ts'

export const CENSOR = '[redacted]'

/**
 * Fields replaced by `[redacted]` wherever a part puts them (at the top of a
 * line or one level down): request headers that carry credentials, and
 * fields named like a credential.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]',
  'headers.authorization', 'headers.cookie', 'headers["set-cookie"]',
  '*.headers.authorization', '*.headers.cookie',
  'password', 'token', 'secret', 'ticket', 'accessToken', 'access_token',
  '*.password', '*.token', '*.secret', '*.ticket', '*.accessToken', '*.access_token',
]

export type LogFormat = NonNullable<Config['logFormat']>

/**
 * The logger, writing to `destination` (default stdout) as `format`: default
 * pretty when writing to a terminal, JSON otherwise (a destination given is
 * read by a program: JSON).
 */
export function createLogger (level: Config['logLevel'], destination?: DestinationStream, format?: LogFormat): Logger {
  const options = { level, redact: { paths: REDACTED_PATHS, censor: CENSOR } }
  const chosen = format ?? (destination === undefined && process.stdout.isTTY === true ? 'pretty' : 'json')
  if (chosen === 'pretty') return pino(options, prettyStream(destination))
  return destination === undefined ? pino(options) : pino(options, destination)
}

/**
 * Lines for a person at a terminal: local time, level, the part in front of
 * the message, the other fields on the same line (errors keep their stack on
 * the lines below). Written synchronously, like pino's own stdout, so a line
 * logged just before an exit is not lost.
 */
function prettyStream (destination: DestinationStream | undefined): DestinationStream {
  return pretty({
    colorize: destination === undefined && process.stdout.isTTY === true && process.env.NO_COLOR === undefined,
    translateTime: 'SYS:HH:MM:ss.l',
    // The message says the request's method, URL, status and time already.
    ignore: 'pid,hostname,part,res,responseTime',
    messageFormat: '{if part}{part}: {end}{msg}',
    singleLine: true,
    sync: true,
    ...(destination === undefined ? {} : { destination }),
  })
}

/** Query parameters whose values are never logged. */
const SECRET_PARAMETER = /token|ticket|secret|passw|pwd|key|auth|session|signature|credential|cookie/i
const MAX_LOGGED_URL = 2048

/**
 * The URL with the value of every credential-like parameter replaced by
 * `[redacted]` (names are kept, so the line still says what was sent):
 * query parameters separated by `&` or `;`, and `;name=value` parameters in
 * the path (which some servers and proxies read as parameters too).
 */
export function redactUrl (url: string): string {
  const q = url.indexOf('?')
  const path = (q < 0 ? url : url.slice(0, q)).replace(/;([^;/]*)/g, (_all, pair: string) => `;${redactPair(pair)}`)
  if (q < 0) return clip(path)
  return clip(`${path}?${url.slice(q + 1).replace(/[^&;]+/g, redactPair)}`)
}

function redactPair (pair: string): string {
  const eq = pair.indexOf('=')
  if (eq < 0) return pair
  const name = pair.slice(0, eq)
  return SECRET_PARAMETER.test(decodeName(name)) ? `${name}=${CENSOR}` : pair
}

function decodeName (name: string): string {
  try { return decodeURIComponent(name.replace(/\+/g, ' ')) } catch { return name }
}

function clip (s: string): string {
  return s.length <= MAX_LOGGED_URL ? s : `${s.slice(0, MAX_LOGGED_URL)}…`
}

/** Fastify's request serializer, with the URL redacted and no headers. */
export function logRequest (req: { method: string; url: string; host?: string; ip?: string; socket?: { remotePort?: number } }): Record<string, unknown> {
  return { method: req.method, url: redactUrl(req.url), host: req.host, remoteAddress: req.ip, remotePort: req.socket?.remotePort }
}
