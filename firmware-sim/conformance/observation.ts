// What the kit saw of a device during a run, as plain data: connection
// attempts, subscriptions, publishes, the commands the kit sent, and the
// phases of the run. The transports fill it in; the checks only read it.
// Times (`at`) are on the kit's clock, in ms.

import type { CommandName } from '../../protocol/index.ts'

export type Mode = 'listen' | 'broker'
export type DeviceKind = 'reader' | 'camera'

export interface ConnectRecord {
  /** Index of the attempt among the device's attempts (0, 1, ...). */
  index: number
  at: number
  clientId: string
  username: string | undefined
  hasPassword: boolean
  protocolId: string | undefined
  protocolVersion: number | undefined
  keepalive: number | undefined
  clean: boolean | undefined
  will: { topic: string; payload: string; qos: number; retain: boolean } | undefined
  /** Whether the kit let it in (it refuses attempts during the outage it causes). */
  accepted: boolean
}

export interface SubscribeRecord {
  connection: number
  /** Arrival order among subscriptions and publishes. */
  n: number
  at: number
  filter: string
  qos: number
}

export interface PublishRecord {
  /** The connection it came on (listen mode); -1 when unknown (broker mode). */
  connection: number
  /** Arrival order among subscriptions and publishes. */
  n: number
  at: number
  /** Real time (Date.now) of arrival, for reply timeouts. */
  realAt: number
  topic: string
  payload: Buffer
  qos: number
  retain: boolean
}

export type CommandPurpose = 'allowlist-full' | 'allowlist-delta' | 'allowlist-gap' | 'allowlist-wrong-key' | 'open-door' | 'config'

export interface CommandRecord {
  purpose: CommandPurpose
  name: CommandName
  requestId: string
  at: number
  /** Real time (Date.now) it was sent, for the reply timeout. */
  realAt: number
  payload: Record<string, unknown>
}

export interface Observation {
  mode: Mode
  kind: DeviceKind
  deviceId: string
  buildingId: string
  /** The device's connection attempts (client id or user name equal to the device id). */
  connects: ConnectRecord[]
  /** Client ids of other clients that connected to the kit's broker (listen mode). */
  others: string[]
  subscribes: SubscribeRecord[]
  /** What the device published (listen mode), or what arrived under its tree (broker mode). */
  publishes: PublishRecord[]
  commands: CommandRecord[]
  /** Set when the kit sent config with heartbeatS: where to look for heartbeats. */
  heartbeatWindow?: { from: number; to: number; heartbeatS: number }
  /** Readers: set once every allow-list command was sent and answered (or timed out); decisions after it are judged. */
  decisionsFrom?: number
  /** Set when the kit sent config with lineCountPeriodS (cameras). */
  lineWindow?: { from: number; to: number; periodS: number }
  /** Set when the kit dropped the connection (listen mode). */
  outage?: { droppedAt: number; lastConnection: number; reopenedAt?: number; reconnection?: number; observedUntil?: number }
  /** Broker mode: the retained status the broker holds at the end of the run. */
  retainedStatus?: { payload: Buffer } | null
  /** Steps the kit skipped, with why. */
  skipped: Record<string, string>
}

export function newObservation (mode: Mode, kind: DeviceKind, deviceId: string, buildingId: string): Observation {
  return { mode, kind, deviceId, buildingId, connects: [], others: [], subscribes: [], publishes: [], commands: [], skipped: {} }
}

/** `rh/v1/{buildingId}/{deviceId}/` */
export function deviceTree (o: Observation): string {
  return `rh/v1/${o.buildingId}/${o.deviceId}/`
}

/** The channel part of a topic under the device's tree, or undefined. */
export function channelOf (o: Observation, topic: string): string | undefined {
  const tree = deviceTree(o)
  return topic.startsWith(tree) ? topic.slice(tree.length) : undefined
}

/** The payload as a JSON object, or undefined when it is not one. */
export function jsonObject (payload: Buffer): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(payload.toString('utf8'))
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/** Publishes on one channel of the device's tree, in arrival order. */
export function onChannel (o: Observation, channel: string): PublishRecord[] {
  return o.publishes.filter((p) => channelOf(o, p.topic) === channel)
}

/** A short, printable form of a payload. */
export function printable (payload: Buffer, max = 400): string {
  const s = payload.toString('utf8')
  return s.length <= max ? s : `${s.slice(0, max)}… (${payload.byteLength} bytes)`
}
