// What `authenticate` decides about a CONNECT: accept a device, accept a
// person, or refuse with an MQTT 3.1.1 CONNACK return code (section 3.2.2.3,
// table 3.1) and a reason that is counted and logged.

import type { DeviceIdentity, PersonIdentity } from './device-session.ts'
import type { RefusalReason } from './device-stats.ts'
import type { AttemptScope, LoginThrottle } from './login-throttle.ts'

/** CONNACK return codes, MQTT 3.1.1 section 3.2.2.3. */
export const ConnackCode = {
  IDENTIFIER_REJECTED: 2,
  SERVER_UNAVAILABLE: 3,
  BAD_USERNAME_OR_PASSWORD: 4,
  NOT_AUTHORIZED: 5,
} as const
export type RefusalCode = (typeof ConnackCode)[keyof typeof ConnackCode]

export type Refusal = {
  ok: false
  code: RefusalCode
  reason: RefusalReason
  detail: string
  /** A device the directory knows: the refusal is also counted on it. */
  knownDevice?: string
  /** Counts towards the failed-login throttles. */
  countsAsFailure: boolean
  heldBackMs?: number
}

export type Verdict =
  | { ok: true; device: DeviceIdentity; heldBackMs?: number }
  | { ok: true; person: PersonIdentity; heldBackMs?: number }
  | Refusal

export function refuse (
  code: RefusalCode,
  reason: RefusalReason,
  detail: string,
  countsAsFailure: boolean,
  knownDevice?: string,
): Refusal {
  const v: Refusal = { ok: false, code, reason, detail, countsAsFailure }
  if (knownDevice !== undefined) v.knownDevice = knownDevice
  return v
}

/**
 * Runs `check` behind the failed-login throttle. People's logins
 * (`person:<username>`) are refused with 5, before any lookup, while this
 * address is blocked for this login or for every login; device logins
 * (`device:<id>`, `scope.slowOnly`) are never refused. Either is held back
 * first while the login is being guessed at (the right secret still gets in). An acceptance forgets this address's
 * failures on this login only; a refusal that counts adds a failure. The
 * verdict says how long the login was held back (`heldBackMs`).
 */
export async function behindThrottle (
  throttle: LoginThrottle,
  address: string,
  login: string,
  scope: AttemptScope,
  check: () => Promise<Verdict>,
  sleep: (ms: number) => Promise<void> = wait,
): Promise<Verdict> {
  const decision = throttle.check(address, login, scope)
  if (!decision.allowed) {
    const why = decision.scope === 'pair' ? 'too many failed logins from this address' : 'too many failed logins from this address (all logins)'
    return refuse(ConnackCode.NOT_AUTHORIZED, 'throttled', `${why}, retry in ${Math.ceil(decision.retryAfterMs / 1000)} s`, false)
  }
  if (decision.delayMs > 0) await sleep(decision.delayMs)
  const verdict = await check()
  if (verdict.ok) throttle.succeed(address, login)
  else if (verdict.countsAsFailure) throttle.fail(address, login, scope)
  // How long the throttle held this login back before checking it (0: not at all), for the log line.
  return { ...verdict, heldBackMs: decision.delayMs }
}

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * [MQTT-3.1.2-24] The keep alive drives offline detection (and a device's last
 * will); 0 would disable it, and a half-open connection would live forever.
 */
export function keepaliveRefusal (keepalive: number, maxKeepaliveS: number, knownDevice?: string): Refusal | undefined {
  if (keepalive >= 1 && keepalive <= maxKeepaliveS) return undefined
  return refuse(ConnackCode.NOT_AUTHORIZED, 'keepalive_not_allowed', `keep alive must be 1..${maxKeepaliveS} s, got ${keepalive}`, true, knownDevice)
}
