// What `authenticate` decides about a CONNECT: accept a device, accept a
// person, or refuse with an MQTT 3.1.1 CONNACK return code (section 3.2.2.3,
// table 3.1) and a reason that is counted and logged.

import type { DeviceIdentity, PersonIdentity } from './device-session.ts'
import type { RefusalReason } from './device-stats.ts'
import type { LoginThrottle } from './login-throttle.ts'

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
}

export type Verdict =
  | { ok: true; device: DeviceIdentity }
  | { ok: true; person: PersonIdentity }
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
 * Runs `check` behind the failed-login throttles: refused with 5 while the
 * address or the login (`device:<id>`, `person:<username>`) is blocked, before
 * any lookup; an acceptance clears the login's failures; a refusal that
 * counts adds a failure to both.
 */
export async function behindThrottles (
  throttles: { address: LoginThrottle; login: LoginThrottle },
  ipKeys: readonly string[],
  loginKeys: readonly string[],
  check: () => Promise<Verdict>,
): Promise<Verdict> {
  const blocked = Math.max(retryAfter(throttles.address.check(ipKeys)), retryAfter(throttles.login.check(loginKeys)))
  if (blocked > 0) {
    return refuse(ConnackCode.NOT_AUTHORIZED, 'throttled', `too many failed logins, retry in ${Math.ceil(blocked / 1000)} s`, false)
  }
  const verdict = await check()
  if (verdict.ok) {
    throttles.login.succeed(loginKeys)
  } else if (verdict.countsAsFailure) {
    throttles.address.fail(ipKeys)
    throttles.login.fail(loginKeys)
  }
  return verdict
}

function retryAfter (d: { allowed: true } | { allowed: false; retryAfterMs: number }): number {
  return d.allowed ? 0 : d.retryAfterMs
}

/**
 * [MQTT-3.1.2-24] The keep alive drives offline detection (and a device's last
 * will); 0 would disable it, and a half-open connection would live forever.
 */
export function keepaliveRefusal (keepalive: number, maxKeepaliveS: number, knownDevice?: string): Refusal | undefined {
  if (keepalive >= 1 && keepalive <= maxKeepaliveS) return undefined
  return refuse(ConnackCode.NOT_AUTHORIZED, 'keepalive_not_allowed', `keep alive must be 1..${maxKeepaliveS} s, got ${keepalive}`, true, knownDevice)
}
