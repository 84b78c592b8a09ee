// The requirements the kit checks, each with a short id, the section of
// protocol/README.md it comes from, the devices and modes it applies to, and
// the check. docs/conformance.md explains each one to vendors.

import { checkAllowlistSync, checkCommandReplies } from './checks/command-checks.ts'
import { checkIdentity, checkKeepalive, checkLastWill, checkSubscriptions } from './checks/connect-checks.ts'
import { checkAllowlistDigests } from './checks/decision-checks.ts'
import { checkEventIds, checkSeq } from './checks/event-checks.ts'
import { checkClock, checkOnlineStatus, checkQosRetain, checkSchemas, checkTopics } from './checks/message-checks.ts'
import { checkBackoff, checkReconnect, checkReplay } from './checks/reconnect-checks.ts'
import { checkHeartbeat, checkLineCounts } from './checks/timing-checks.ts'
import type { DeviceKind, Mode, Observation } from './observation.ts'
import { notChecked, type CheckContext, type CheckResult, type Verdict } from './result.ts'

export interface Requirement {
  id: string
  title: string
  /** Sections of protocol/README.md. */
  section: string
  kinds: readonly DeviceKind[]
  modes: readonly Mode[]
  check: (o: Observation, ctx: CheckContext) => CheckResult
}

export interface RequirementResult extends CheckResult {
  id: string
  title: string
  section: string
  verdict: Verdict
}

const BOTH_KINDS = ['reader', 'camera'] as const
const BOTH_MODES = ['listen', 'broker'] as const
const LISTEN = ['listen'] as const

export const REQUIREMENTS: readonly Requirement[] = [
  { id: 'connect-identity', section: '§5.3', kinds: BOTH_KINDS, modes: LISTEN, check: checkIdentity,
    title: 'MQTT 3.1.1; client id = user name = device id; the secret as password' },
  { id: 'keepalive', section: '§5.3', kinds: BOTH_KINDS, modes: LISTEN, check: checkKeepalive,
    title: 'Keep-alive between 1 and 1,200 s' },
  { id: 'last-will', section: '§5.3', kinds: BOTH_KINDS, modes: LISTEN, check: checkLastWill,
    title: 'Last will on its own status topic, retained, QoS ≤ 1, exactly the lwt offline status' },
  { id: 'subscriptions', section: '§4, §5.4', kinds: BOTH_KINDS, modes: LISTEN, check: checkSubscriptions,
    title: 'Subscribes to command/+ and error at QoS 1, nothing else, before its status' },
  { id: 'online-status', section: '§5.4, §7.6', kinds: BOTH_KINDS, modes: BOTH_MODES, check: checkOnlineStatus,
    title: 'Retained online status with ts after every CONNACK, before anything else' },
  { id: 'schemas', section: '§6, §7, §13', kinds: BOTH_KINDS, modes: BOTH_MODES, check: checkSchemas,
    title: 'Every message passes the JSON Schema of its channel' },
  { id: 'topics', section: '§4, §11', kinds: BOTH_KINDS, modes: BOTH_MODES, check: checkTopics,
    title: 'Publishes only on the seven uplink channels of its own tree, never QoS 2' },
  { id: 'qos-retain', section: '§4', kinds: BOTH_KINDS, modes: BOTH_MODES, check: checkQosRetain,
    title: 'Events, status and replies at QoS 1; heartbeats at QoS 0 or 1; only status retained' },
  { id: 'seq', section: '§10.1', kinds: BOTH_KINDS, modes: BOTH_MODES, check: checkSeq,
    title: 'seq strictly increasing across all event channels' },
  { id: 'event-ids', section: '§10.1', kinds: BOTH_KINDS, modes: BOTH_MODES, check: checkEventIds,
    title: 'eventId unique per event; every copy carries the same eventId, seq and ts' },
  { id: 'clock', section: '§10.4', kinds: BOTH_KINDS, modes: BOTH_MODES, check: checkClock,
    title: 'Device clock (status and heartbeat ts) within the tolerance of true time' },
  { id: 'heartbeat', section: '§7.7, §8.3', kinds: BOTH_KINDS, modes: BOTH_MODES, check: checkHeartbeat,
    title: 'Heartbeats every heartbeatS seconds once configured' },
  { id: 'command-replies', section: '§7.8, §8', kinds: BOTH_KINDS, modes: BOTH_MODES, check: checkCommandReplies,
    title: 'Exactly one reply per command, with its requestId and name, in time; open-door and config succeed' },
  { id: 'allowlist-sync', section: '§8.1', kinds: ['reader'], modes: BOTH_MODES, check: checkAllowlistSync,
    title: 'Full sync replaces, delta applies on its base version only, otherwise version_gap' },
  { id: 'allowlist-digests', section: '§7.2, §8.1', kinds: ['reader'], modes: BOTH_MODES, check: checkAllowlistDigests,
    title: 'Decides by keyed digests with its own key; refuses a list under another key (wrong_key)' },
  { id: 'line-counts', section: '§7.4', kinds: ['camera'], modes: BOTH_MODES, check: checkLineCounts,
    title: 'Line counts every lineCountPeriodS, zeros included, periods not overlapping' },
  { id: 'reconnect', section: '§5.4', kinds: BOTH_KINDS, modes: LISTEN, check: checkReconnect,
    title: 'Connects again after losing the connection and publishes its online status' },
  { id: 'backoff', section: '§5.5', kinds: BOTH_KINDS, modes: LISTEN, check: checkBackoff,
    title: 'Waits at least 5 s (doubling) after a refused connection attempt' },
  { id: 'replay', section: '§10.3', kinds: BOTH_KINDS, modes: LISTEN, check: checkReplay,
    title: 'Replays events recorded while offline, oldest first, with their original times, before live ones' },
]

const NOT_IN_BROKER_MODE = 'not checked in broker mode: the kit does not see the CONNECT, the SUBSCRIBE or the connection; run it in listen mode'

/** Runs every requirement that applies to the device kind; the others are left out, those of another mode reported as not checked. */
export function evaluate (o: Observation, ctx: CheckContext, skip: ReadonlySet<string> = new Set()): RequirementResult[] {
  return REQUIREMENTS.filter((r) => r.kinds.includes(o.kind)).map((r) => {
    const head = { id: r.id, title: r.title, section: r.section }
    let result: CheckResult
    if (skip.has(r.id)) result = notChecked('skipped on request (--skip)')
    else if (!r.modes.includes(o.mode)) result = notChecked(NOT_IN_BROKER_MODE)
    else {
      try {
        result = r.check(o, ctx)
      } catch (err) {
        result = notChecked(`the check failed to run: ${err instanceof Error ? err.message : String(err)}`)
      }
    }
    return { ...head, ...result }
  })
}
