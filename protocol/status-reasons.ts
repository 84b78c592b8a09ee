// Who may say what on a device's status topic. The schema alone cannot tell a
// last will from a status the device publishes itself, so these two checks
// complete it where that is known (the broker at CONNECT and on every PUBLISH,
// the conformance kit on what it observed):
//
//   the last will      exactly {"state":"offline","reason":"lwt"} (LAST_WILL_PAYLOAD;
//                      key order and JSON whitespace free), nothing else: a
//                      will that said "shutdown" would make a power cut read
//                      as a planned stop, and a `ts` fixed at CONNECT is stale
//                      by the time the broker publishes it
//   the device's own   never `lwt`: only the broker publishes the will; never
//                      `disabled` or `secret_rotated`: the platform publishes
//                      those itself, in place of the will, when an operator
//                      disables the device or rotates its secret (so that
//                      the disconnect that follows does not read as a power cut)
//
// An online status with any reason is refused by the schema itself.

import { validateUplink } from './validate.ts'
import type { DeviceStatus } from './schemas/device-status.ts'
import type { ValidationError } from './schemas/error-reply.ts'
import { LAST_WILL_PAYLOAD } from './topics.ts'

/** The one reason a last will carries. */
export const WILL_REASON = 'lwt' as const

/** Reasons only the platform gives, when it takes a device off the broker on an operator's order. */
export const PLATFORM_REASONS = ['disabled', 'secret_rotated'] as const
export type PlatformReason = (typeof PLATFORM_REASONS)[number]

/** The offline status the platform publishes in place of the device's will when it closes the connection for `reason`. */
export function platformOfflineStatus (reason: PlatformReason): string {
  return JSON.stringify({ state: 'offline', reason })
}

/** Why `payload` is not the last will the platform issues at provisioning; undefined when it is. */
export function lastWillProblem (payload: Uint8Array): string | undefined {
  const expected = `must be ${LAST_WILL_PAYLOAD}`
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8'))
  } catch {
    return `not JSON: ${expected}`
  }
  if (!validateUplink('status', value).ok) return `not a valid status: ${expected}`
  const status = value as DeviceStatus
  const keys = Object.keys(status)
  if (status.state !== 'offline' || status.reason !== WILL_REASON || keys.length !== 2) return expected
  return undefined
}

/** What is wrong with a status the device published itself (not its will); undefined when nothing. */
export function ownStatusProblem (status: DeviceStatus): ValidationError | undefined {
  if (status.reason === WILL_REASON) {
    return { path: '/reason', message: 'reason "lwt" belongs to the last will, which the broker publishes; a device says "shutdown" or "reboot"' }
  }
  if ((PLATFORM_REASONS as readonly string[]).includes(status.reason ?? '')) {
    return { path: '/reason', message: `reason "${status.reason}" is given by the platform only; a device says "shutdown" or "reboot"` }
  }
  return undefined
}
