// The MQTT topic tree of the device protocol, version 1.
//
//   rh/v1/{buildingId}/{deviceId}/{channel}
//
// Devices publish the uplink channels and subscribe to `command/+` and
// `error` under their own building and device, nowhere else. Everything that
// touches a topic string (broker ACL, pipeline, gateway, simulator) builds and
// parses it here. The alert tree for dispatch centres (`rh-alerts/v1/...`)
// is at the end of this file.

export const PROTOCOL_VERSION = 'v1' as const
export const TOPIC_ROOT = 'rh/v1' as const
/** Revision of the v1 spec (protocol/README.md §2, §14); provisioning responses carry it. */
export const PROTOCOL_REVISION = 2 as const

/** Building, device, door and credential ids: 1..64 chars, ASCII letters, digits, `_`, `-`, not starting with `_` or `-`. */
export const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$'
export const ID_REGEX = new RegExp(ID_PATTERN)
export const ID_MAX_LENGTH = 64

/** Channels a device publishes on, below `rh/v1/{buildingId}/{deviceId}/`. */
export const UPLINK_CHANNELS = [
  'event/access',
  'event/door',
  'event/line',
  'event/person',
  'status',
  'heartbeat',
  'reply',
] as const
export type UplinkChannel = (typeof UPLINK_CHANNELS)[number]

/** Event channels: messages that carry `eventId` and `seq` and are de-duplicated. */
export const EVENT_CHANNELS = ['event/access', 'event/door', 'event/line', 'event/person'] as const
export type EventChannel = (typeof EVENT_CHANNELS)[number]

/** Commands the platform sends on `rh/v1/{buildingId}/{deviceId}/command/{name}`. */
export const COMMAND_NAMES = ['allowlist-sync', 'open-door', 'config'] as const
export type CommandName = (typeof COMMAND_NAMES)[number]
export type CommandChannel = `command/${CommandName}`

/** The channel on which the platform reports a rejected uplink message. */
export const ERROR_CHANNEL = 'error' as const

/** Every channel of the tree, whichever side publishes it. */
export type DeviceChannel = UplinkChannel | CommandChannel | typeof ERROR_CHANNEL

export interface DeviceTopic {
  buildingId: string
  deviceId: string
  channel: DeviceChannel
}

/** How each uplink channel is published. `maxQos` is the highest QoS the platform accepts. */
export const UPLINK_DELIVERY: Readonly<Record<UplinkChannel, { qos: 0 | 1; maxQos: 0 | 1; retain: boolean }>> = {
  'event/access': { qos: 1, maxQos: 1, retain: false },
  'event/door': { qos: 1, maxQos: 1, retain: false },
  'event/line': { qos: 1, maxQos: 1, retain: false },
  'event/person': { qos: 1, maxQos: 1, retain: false },
  status: { qos: 1, maxQos: 1, retain: true },
  heartbeat: { qos: 0, maxQos: 1, retain: false },
  reply: { qos: 1, maxQos: 1, retain: false },
}
export const COMMAND_QOS = 1 as const
export const ERROR_QOS = 0 as const

/** Largest uplink payload the platform accepts by default, in bytes. */
export const MAX_UPLINK_PAYLOAD_BYTES = 64 * 1024
/** Levels in the deepest valid topic (`rh/v1/b/d/event/access`); a broker may refuse deeper ones. */
export const MAX_TOPIC_LEVELS = 6

/** The last will payload a device sets at CONNECT on its status topic (QoS 1, retained). */
export const LAST_WILL_PAYLOAD = '{"state":"offline","reason":"lwt"}'

const ROOT_PREFIX = `${TOPIC_ROOT}/`
const COMMAND_PREFIX = 'command/'

// Channel suffix (everything after `{deviceId}/`) to channel.
const CHANNEL_BY_SUFFIX = new Map<string, DeviceChannel>()
for (const c of UPLINK_CHANNELS) CHANNEL_BY_SUFFIX.set(c, c)
for (const n of COMMAND_NAMES) CHANNEL_BY_SUFFIX.set(`${COMMAND_PREFIX}${n}`, `${COMMAND_PREFIX}${n}`)
CHANNEL_BY_SUFFIX.set(ERROR_CHANNEL, ERROR_CHANNEL)

let longestSuffix = 0
for (const s of CHANNEL_BY_SUFFIX.keys()) longestSuffix = Math.max(longestSuffix, s.length)
// Anything longer than `rh/v1/` + id + `/` + id + `/` + longest channel is not in the tree.
const MAX_TOPIC_LENGTH = ROOT_PREFIX.length + 2 * (ID_MAX_LENGTH + 1) + longestSuffix

const UPLINK_SET: ReadonlySet<string> = new Set(UPLINK_CHANNELS)
const COMMAND_SET: ReadonlySet<string> = new Set(COMMAND_NAMES)

export function isValidId (s: string): boolean {
  return s.length <= ID_MAX_LENGTH && ID_REGEX.test(s)
}

export function isUplinkChannel (s: string): s is UplinkChannel {
  return UPLINK_SET.has(s)
}

export function isCommandName (s: string): s is CommandName {
  return COMMAND_SET.has(s)
}

/** True for the channels that publish events (`event/*`). */
export function isEventChannel (c: DeviceChannel): c is EventChannel {
  return c.startsWith('event/')
}

function checkIds (buildingId: string, deviceId: string): void {
  if (!isValidId(buildingId)) throw new RangeError(`invalid building id: ${JSON.stringify(buildingId)}`)
  if (!isValidId(deviceId)) throw new RangeError(`invalid device id: ${JSON.stringify(deviceId)}`)
}

/** `rh/v1/{buildingId}/{deviceId}/{channel}`; throws RangeError on an invalid id. */
export function deviceTopic (buildingId: string, deviceId: string, channel: DeviceChannel): string {
  checkIds(buildingId, deviceId)
  return `${ROOT_PREFIX}${buildingId}/${deviceId}/${channel}`
}

/** `rh/v1/{buildingId}/{deviceId}/command/{name}`; throws RangeError on an invalid id. */
export function commandTopic (buildingId: string, deviceId: string, name: CommandName): string {
  return deviceTopic(buildingId, deviceId, `${COMMAND_PREFIX}${name}`)
}

/** `rh/v1/{buildingId}/{deviceId}/error`; throws RangeError on an invalid id. */
export function errorTopic (buildingId: string, deviceId: string): string {
  return deviceTopic(buildingId, deviceId, ERROR_CHANNEL)
}

/** The only two topic filters a device may subscribe to. */
export function deviceSubscriptionFilters (buildingId: string, deviceId: string): readonly [string, string] {
  checkIds(buildingId, deviceId)
  const base = `${ROOT_PREFIX}${buildingId}/${deviceId}/`
  return [`${base}${COMMAND_PREFIX}+`, `${base}${ERROR_CHANNEL}`]
}

/**
 * Parses a topic name of the tree. Returns null for anything else: another
 * root or version, invalid ids, unknown channels, extra or empty levels,
 * wildcards. Runs per message, so it only slices strings.
 */
export function parseDeviceTopic (topic: string): DeviceTopic | null {
  if (topic.length > MAX_TOPIC_LENGTH || !topic.startsWith(ROOT_PREFIX)) return null
  const bStart = ROOT_PREFIX.length
  const bEnd = topic.indexOf('/', bStart)
  if (bEnd < 0) return null
  const dEnd = topic.indexOf('/', bEnd + 1)
  if (dEnd < 0) return null
  const channel = CHANNEL_BY_SUFFIX.get(topic.slice(dEnd + 1))
  if (channel === undefined) return null
  const buildingId = topic.slice(bStart, bEnd)
  const deviceId = topic.slice(bEnd + 1, dEnd)
  if (!isValidId(buildingId) || !isValidId(deviceId)) return null
  return { buildingId, deviceId, channel }
}

// ---------------------------------------------------------------------------
// Alert topics, for dispatch centres (police stations, grid workers, admins).
//
//   rh-alerts/v1/{district}/{street}/{community}/{grid}/{buildingId}
//
// A root of its own, so that no filter of one tree can match the other. The
// area ids are the levels of the building's area path
// ('/district/street/community/grid/'). Only the platform publishes here
// (QoS 1, not retained); people subscribe below their own area.

export const ALERT_TOPIC_ROOT = 'rh-alerts/v1' as const
/** Area levels in an alert topic: district, street, community, grid. */
export const ALERT_AREA_LEVELS = 4
/** Levels of every alert topic: the root (2), the area ids (4), the building (1). */
export const ALERT_TOPIC_LEVELS = 2 + ALERT_AREA_LEVELS + 1
export const ALERT_QOS = 1 as const
/** What happened to the alert; the payload's `kind`. */
export const ALERT_CHANGE_KINDS = ['opened', 'updated', 'acknowledged', 'resolved',
  'assigned', 'feedback', 'verified', 'verification_rejected', 'commented', 'escalated_to_parent'] as const
export type AlertTopicKind = (typeof ALERT_CHANGE_KINDS)[number]

/** The payload on an alert topic: the change and the alert's full state after it (as the REST API returns it). */
export interface AlertTopicMessage<A = Record<string, unknown>> {
  kind: AlertTopicKind
  alert: A
}

export interface AlertTopic {
  /** district, street, community, grid. */
  areaIds: [string, string, string, string]
  buildingId: string
}

const ALERT_ROOT_PREFIX = `${ALERT_TOPIC_ROOT}/`

/**
 * The area ids of an area path ('/d/', '/d/s/', ... '/d/s/c/g/'), 1 to 4 of
 * them, each a valid id; null for anything else (no leading or trailing `/`,
 * empty levels, wildcards).
 */
export function areaPathIds (areaPath: string): string[] | null {
  if (areaPath.length < 3 || !areaPath.startsWith('/') || !areaPath.endsWith('/')) return null
  const ids = areaPath.slice(1, -1).split('/')
  if (ids.length > ALERT_AREA_LEVELS || !ids.every(isValidId)) return null
  return ids
}

/** `rh-alerts/v1/{district}/{street}/{community}/{grid}/{buildingId}`; throws RangeError unless the path names a grid. */
export function alertTopic (areaPath: string, buildingId: string): string {
  const ids = areaPathIds(areaPath)
  if (ids === null || ids.length !== ALERT_AREA_LEVELS) throw new RangeError(`not the area path of a grid: ${JSON.stringify(areaPath)}`)
  if (!isValidId(buildingId)) throw new RangeError(`invalid building id: ${JSON.stringify(buildingId)}`)
  return `${ALERT_ROOT_PREFIX}${ids.join('/')}/${buildingId}`
}

/**
 * The widest filter for an area: `rh-alerts/v1/<area ids>/#`, or
 * `rh-alerts/v1/#` for the whole tree (null: administrators). Throws
 * RangeError for a malformed area path.
 */
export function alertSubscriptionFilter (areaPath: string | null): string {
  if (areaPath === null) return `${ALERT_ROOT_PREFIX}#`
  const ids = areaPathIds(areaPath)
  if (ids === null) throw new RangeError(`invalid area path: ${JSON.stringify(areaPath)}`)
  return `${ALERT_ROOT_PREFIX}${ids.join('/')}/#`
}

/** Parses an alert topic name; null for anything else (other roots, wrong depth, invalid ids, wildcards). */
export function parseAlertTopic (topic: string): AlertTopic | null {
  if (!topic.startsWith(ALERT_ROOT_PREFIX)) return null
  const levels = topic.slice(ALERT_ROOT_PREFIX.length).split('/')
  if (levels.length !== ALERT_AREA_LEVELS + 1 || !levels.every(isValidId)) return null
  const [district, street, community, grid, buildingId] = levels as [string, string, string, string, string]
  return { areaIds: [district, street, community, grid], buildingId }
}

/** The area path ('/d/s/c/g/') of a parsed alert topic. */
export function alertTopicAreaPath (t: AlertTopic): string {
  return `/${t.areaIds.join('/')}/`
}
