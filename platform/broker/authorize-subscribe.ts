// What an authenticated device may receive. Default deny.
//
// SUBSCRIBE: only the device's own `command/+`, `command/<name>` and `error`
// filters. Anything else is refused with the SUBACK failure return code 0x80
// [MQTT-3.9.3-1, table 3.5]: in Aedes 1.2 the hook expresses that by calling
// back `(null, null)` (lib/handlers/subscribe.js storeSubscriptions sets
// granted = 128); calling back an error would close the connection instead.
// The requested QoS is granted as asked: Aedes 1.2 takes the SUBACK value
// from the request before the hook runs, so the hook cannot lower it. That is
// harmless here: commands go out at QoS 1 and error replies at QoS 0, and a
// message is delivered at the lower of its own and the subscription's QoS.
//
// FORWARD: a message is delivered to a device only if its topic is one of
// that device's own command or error topics, whatever the subscription
// (defence in depth for retained messages and future subscription bugs).
//
// People (dispatch connections) follow authorize-person.ts: alert filters
// inside their own area only, never a device topic.

import type { AedesOptions } from 'aedes'
import type { Logger } from 'pino'
import { COMMAND_NAMES, deviceSubscriptionFilters, ERROR_CHANNEL, TOPIC_ROOT } from '../../protocol/index.ts'
import { personMayReceive, personMaySubscribe } from './authorize-person.ts'
import type { DeviceIdentity, DeviceSessions } from './device-session.ts'
import type { DeviceStats } from './device-stats.ts'

type AuthorizeSubscribeHandler = NonNullable<AedesOptions['authorizeSubscribe']>
type AuthorizeForwardHandler = NonNullable<AedesOptions['authorizeForward']>

export interface AuthorizeSubscribeDeps {
  sessions: DeviceSessions
  stats: DeviceStats
  logger: Logger
}

/** Every topic filter the device may subscribe to. */
export function allowedFilters (device: DeviceIdentity): ReadonlySet<string> {
  const [commandWildcard, error] = deviceSubscriptionFilters(device.buildingId, device.deviceId)
  const base = commandWildcard.slice(0, -1) // `.../command/`
  return new Set([commandWildcard, error, ...COMMAND_NAMES.map((n) => `${base}${n}`)])
}

export function createAuthorizeSubscribe (deps: AuthorizeSubscribeDeps): AuthorizeSubscribeHandler {
  const { sessions, stats, logger } = deps
  return function authorizeSubscribe (client, sub, callback) {
    let granted: typeof sub | null = null
    try {
      const device = sessions.device(client)
      const person = device ? undefined : sessions.person(client)
      if (device ? allowedFilters(device).has(sub.topic) : person !== undefined && personMaySubscribe(person, sub.topic)) {
        granted = sub
      } else {
        stats.aclViolation(device || person ? 'subscribe_denied' : 'not_authenticated', device?.deviceId)
        logger.warn({ deviceId: device?.deviceId, username: person?.username, filter: clip(sub.topic) }, 'subscription denied (SUBACK 0x80)')
      }
    } catch (err) {
      granted = null
      try { logger.error({ err }, 'authorizeSubscribe failed') } catch { /* nothing left to do */ }
    }
    callback(null, granted)
  }
}

export function createAuthorizeForward (deps: Pick<AuthorizeSubscribeDeps, 'sessions'>): AuthorizeForwardHandler {
  return function authorizeForward (client, packet) {
    try {
      const device = deps.sessions.device(client)
      if (!device) {
        const person = deps.sessions.person(client)
        return person !== undefined && personMayReceive(person, packet.topic) ? packet : null
      }
      const prefix = `${TOPIC_ROOT}/${device.buildingId}/${device.deviceId}/`
      if (!packet.topic.startsWith(prefix)) return null
      const suffix = packet.topic.slice(prefix.length)
      return suffix === ERROR_CHANNEL || suffix.startsWith('command/') ? packet : null
    } catch {
      return null
    }
  }
}

function clip (s: string): string {
  return s.length <= 200 ? s : `${s.slice(0, 199)}…`
}
