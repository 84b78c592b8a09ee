// In-memory counters of the broker edge: per device and in total (people on
// alert connections are counted in the totals only).
//
// Per-device entries exist only for devices the directory knows (created by
// `track`, which the broker calls once a device id has been found in the
// DeviceDirectory). Anything about an unknown client id (an attacker spraying
// ids) is counted in the totals only, so the table cannot be grown from the
// outside. As a second bound, at most `maxDevices` entries are kept; beyond
// that the least recently touched disconnected entry is dropped.

import type { GuardViolationCode } from './protocol-guard.ts'

/** Why a CONNECT was refused (each maps to one CONNACK return code). */
export type RefusalReason =
  | 'throttled'
  | 'invalid_client_id'
  | 'username_mismatch'
  | 'missing_password'
  | 'unknown_device'
  | 'bad_secret'
  | 'disabled'
  | 'keepalive_not_allowed'
  | 'will_missing'
  | 'will_invalid'
  | 'directory_error'
  | 'directory_busy'
  // connection limits (connection-limits.ts)
  | 'too_many_connections'
  | 'too_many_connections_from_address'
  | 'too_many_connections_for_account'
  // people (`user:<username>` logins)
  | 'invalid_username'
  | 'bad_token'
  | 'role_not_allowed'
  | 'no_jurisdiction'
  | 'persistent_session_not_allowed'
  | 'will_not_allowed'
  | 'people_not_enabled'

/** Why an uplink message was acknowledged and dropped. */
export type RejectionCode = 'not_json' | 'schema_invalid' | 'payload_too_large' | 'unknown_channel' | 'seq_reused'

/** Why a connection was closed for an access-control violation. */
export type AclViolationKind =
  | 'reserved_topic'
  | 'foreign_topic'
  | 'downlink_channel'
  | 'qos_not_allowed'
  | 'subscribe_denied'
  | 'not_authenticated'
  /** A person published: people only receive. */
  | 'person_publish'

export interface Rejection {
  at: number
  code: RejectionCode
  topic: string
  message: string
}

/** JSON-safe view of one device. Times are ISO 8601 strings (broker clock); null when never. */
export interface DeviceStatsSnapshot {
  deviceId: string
  connected: boolean
  accepted: number
  /** Messages acknowledged and dropped, all codes. */
  rejected: number
  rejectedByCode: Partial<Record<RejectionCode, number>>
  lastRejected: { at: string; code: RejectionCode; topic: string; message: string } | null
  aclViolations: number
  authFailures: number
  lastConnectedAt: string | null
  lastDisconnectedAt: string | null
}

export interface BrokerTotals {
  accepted: number
  rejected: Partial<Record<RejectionCode, number>>
  aclViolations: Partial<Record<AclViolationKind, number>>
  refusedConnections: Partial<Record<RefusalReason, number>>
  guardViolations: Partial<Record<GuardViolationCode, number>>
  connectedDevices: number
  trackedDevices: number
  /** People connected to receive alerts. */
  connectedPeople: number
  /** People disconnected because their session token stopped being valid. */
  endedPersonSessions: number
}

interface Entry {
  accepted: number
  rejected: Partial<Record<RejectionCode, number>>
  lastRejected?: Rejection
  aclViolations: number
  authFailures: number
  connections: number
  lastConnectedAt?: number
  lastDisconnectedAt?: number
}

const MAX_TOPIC_CHARS = 256
const MAX_MESSAGE_CHARS = 512

export class DeviceStats {
  private readonly maxDevices: number
  private readonly devices = new Map<string, Entry>()
  private readonly total: BrokerTotals = {
    accepted: 0,
    rejected: {},
    aclViolations: {},
    refusedConnections: {},
    guardViolations: {},
    connectedDevices: 0,
    trackedDevices: 0,
    connectedPeople: 0,
    endedPersonSessions: 0,
  }

  constructor (options: { maxDevices?: number } = {}) {
    this.maxDevices = options.maxDevices ?? 100_000
    if (!(this.maxDevices >= 1)) throw new RangeError('maxDevices must be >= 1')
  }

  /** Starts tracking a device the directory knows. Idempotent. */
  track (deviceId: string): void {
    this.entry(deviceId, true)
  }

  connectionRefused (reason: RefusalReason, deviceId?: string): void {
    increment(this.total.refusedConnections, reason)
    const e = deviceId === undefined ? undefined : this.entry(deviceId, false)
    if (e) e.authFailures++
  }

  guardViolation (code: GuardViolationCode): void {
    increment(this.total.guardViolations, code)
  }

  connected (deviceId: string, at: number): void {
    const e = this.entry(deviceId, true)!
    if (e.connections === 0) this.total.connectedDevices++
    e.connections++
    e.lastConnectedAt = at
  }

  disconnected (deviceId: string, at: number): void {
    const e = this.entry(deviceId, false)
    if (!e) return
    if (e.connections > 0) {
      e.connections--
      if (e.connections === 0) this.total.connectedDevices--
    }
    e.lastDisconnectedAt = at
  }

  personConnected (): void {
    this.total.connectedPeople++
  }

  personDisconnected (): void {
    if (this.total.connectedPeople > 0) this.total.connectedPeople--
  }

  personSessionEnded (): void {
    this.total.endedPersonSessions++
  }

  accepted (deviceId: string): void {
    this.total.accepted++
    const e = this.entry(deviceId, false)
    if (e) e.accepted++
  }

  rejected (deviceId: string, rejection: Rejection): void {
    increment(this.total.rejected, rejection.code)
    const e = this.entry(deviceId, false)
    if (!e) return
    increment(e.rejected, rejection.code)
    e.lastRejected = {
      at: rejection.at,
      code: rejection.code,
      topic: clip(rejection.topic, MAX_TOPIC_CHARS),
      message: clip(rejection.message, MAX_MESSAGE_CHARS),
    }
  }

  aclViolation (kind: AclViolationKind, deviceId?: string): void {
    increment(this.total.aclViolations, kind)
    const e = deviceId === undefined ? undefined : this.entry(deviceId, false)
    if (e) e.aclViolations++
  }

  /** True once the device has been tracked (and not evicted since). */
  has (deviceId: string): boolean {
    return this.devices.has(deviceId)
  }

  /** Snapshot of one device; all zeros for a device not tracked (never seen, or evicted). */
  device (deviceId: string): DeviceStatsSnapshot {
    const e = this.devices.get(deviceId)
    let rejected = 0
    for (const n of Object.values(e?.rejected ?? {})) rejected += n ?? 0
    const last = e?.lastRejected
    return {
      deviceId,
      connected: (e?.connections ?? 0) > 0,
      accepted: e?.accepted ?? 0,
      rejected,
      rejectedByCode: { ...e?.rejected },
      lastRejected: last ? { at: iso(last.at), code: last.code, topic: last.topic, message: last.message } : null,
      aclViolations: e?.aclViolations ?? 0,
      authFailures: e?.authFailures ?? 0,
      lastConnectedAt: e?.lastConnectedAt === undefined ? null : iso(e.lastConnectedAt),
      lastDisconnectedAt: e?.lastDisconnectedAt === undefined ? null : iso(e.lastDisconnectedAt),
    }
  }

  totals (): BrokerTotals {
    return {
      accepted: this.total.accepted,
      rejected: { ...this.total.rejected },
      aclViolations: { ...this.total.aclViolations },
      refusedConnections: { ...this.total.refusedConnections },
      guardViolations: { ...this.total.guardViolations },
      connectedDevices: this.total.connectedDevices,
      trackedDevices: this.devices.size,
      connectedPeople: this.total.connectedPeople,
      endedPersonSessions: this.total.endedPersonSessions,
    }
  }

  /** The entry of a device, touched (moved to the recent end); created only if `create`. */
  private entry (deviceId: string, create: boolean): Entry | undefined {
    let e = this.devices.get(deviceId)
    if (e) {
      this.devices.delete(deviceId)
    } else {
      if (!create) return undefined
      this.evictIfFull()
      e = { accepted: 0, rejected: {}, aclViolations: 0, authFailures: 0, connections: 0 }
    }
    this.devices.set(deviceId, e)
    return e
  }

  private evictIfFull (): void {
    if (this.devices.size < this.maxDevices) return
    for (const [id, e] of this.devices) {
      if (e.connections === 0) {
        this.devices.delete(id)
        return
      }
    }
    // Every tracked device is connected: drop the least recently touched anyway.
    const oldest = this.devices.keys().next()
    if (!oldest.done) {
      const e = this.devices.get(oldest.value)
      if (e && e.connections > 0) this.total.connectedDevices--
      this.devices.delete(oldest.value)
    }
  }
}

function increment<K extends string> (counts: Partial<Record<K, number>>, key: K): void {
  counts[key] = (counts[key] ?? 0) + 1
}

function iso (ms: number): string {
  return new Date(ms).toISOString()
}

function clip (s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`
}
