// What an authenticated device may publish. Default deny.
//
// Aedes 1.2 runs this hook before it writes the QoS 1 PUBACK (lib/handlers/
// publish.js: authorizePublish, then PUBACK, then broker.publish), so the
// uplink sink is awaited here: a message is acknowledged only once the
// platform has it. An error closes the connection; a success lets Aedes
// acknowledge and route the (possibly rewritten) packet.
//
//   a person (dispatch connection), any topic          -> close (ACL violation)
//   `$...` topics, another device's tree, the device's own command/error
//   channels, QoS above the channel's maximum          -> close (ACL violation)
//   own tree, not an uplink channel                    -> ack and drop, ErrorReply `unknown_channel`
//   uplink channel, payload fails decodeUplink         -> ack and drop, ErrorReply with the reason
//   a status the device publishes itself with the will's
//   reason `lwt` (protocol/status-reasons.ts)            -> ack and drop, ErrorReply `schema_invalid`
//   uplink channel, valid payload                      -> sink.accept, then ack and route
//   ... which the sink refuses (an event reusing a seq)  -> ack and drop, ErrorReply `seq_reused`
//
// MQTT-3.3.5-2 lets the server either acknowledge and drop or close; closing
// is kept for ACL violations (a device never does that by mistake), while
// bad payloads are acknowledged so a device does not redeliver them forever.
// "Drop" rewrites the packet to `$SYS/<broker id>/quarantine` with an empty
// payload: no device can subscribe there, so nothing downstream sees it.
//
// The last will takes the same path: Aedes (lib/client.js close()) calls
// authorizePublish(client, will) before publishing it, after the client has
// closed, so the will reaches the sink as a `status` message.

import type { AedesOptions, Client, PublishPacket } from 'aedes'
import type { Logger } from 'pino'
import {
  decodeUplink,
  errorReplyFor,
  errorTopic,
  isUplinkChannel,
  isValidId,
  ownStatusProblem,
  TOPIC_ROOT,
  unknownChannelReply,
  UPLINK_DELIVERY,
  type DeviceStatus,
  type ErrorReply,
  type UplinkChannel,
} from '../../protocol/index.ts'
import type { RateLimitedLog } from '../rate-limited-log.ts'
import type { DeviceIdentity, DeviceSessions } from './device-session.ts'
import type { AclViolationKind, DeviceStats, RejectionCode } from './device-stats.ts'
import type { AcceptedMessage, SinkRejection, UplinkSink } from './ports.ts'

type AuthorizePublishHandler = NonNullable<AedesOptions['authorizePublish']>

export interface AuthorizePublishDeps {
  sink: UplinkSink
  sessions: DeviceSessions
  stats: DeviceStats
  logger: Logger
  /**
   * For refusals that come in floods (every publish while the event journal is failed): the first is logged,
   * the rest counted per interval.
   */
  limitedLog: RateLimitedLog
  brokerId: string
  maxPayloadBytes: number
  now: () => number
  /** Publishes an ErrorReply on the device's error topic (QoS 0, not retained). */
  publishErrorReply: (topic: string, reply: ErrorReply) => void
  /** The live client registered for a device id, if any. */
  liveClient: (deviceId: string) => Client | undefined
}

/** Topic a dropped message is rewritten to. */
export function quarantineTopic (brokerId: string): string {
  return `$SYS/${brokerId}/quarantine`
}

export class AclViolation extends Error {
  constructor (readonly kind: AclViolationKind, message: string) {
    super(message)
    this.name = 'AclViolation'
  }
}

type Decision =
  | { kind: 'deny'; violation: AclViolation }
  | { kind: 'drop'; code: RejectionCode; message: string; reply: ErrorReply }
  | { kind: 'accept'; channel: UplinkChannel; message: AcceptedMessage }

export function createAuthorizePublish (deps: AuthorizePublishDeps): AuthorizePublishHandler {
  const { sessions, stats, logger } = deps

  return function authorizePublish (client, packet, callback) {
    let answered = false
    const answer = (err: Error | null): void => {
      if (answered) return
      answered = true
      try {
        callback(err)
      } catch (cbErr) {
        logger.error({ err: cbErr }, 'aedes publish callback threw')
      }
    }
    const isWill = client !== null && (client.closed || (client as unknown as { will?: unknown }).will === packet)
    const settled = handle(client, packet, isWill).then(answer, (err: unknown) => {
      logger.error({ err }, 'authorizePublish failed')
      answer(err instanceof Error ? err : new Error(String(err)))
    })
    if (isWill && client !== null) sessions.setWillSettled(client, settled)
  }

  async function handle (client: Client | null, packet: PublishPacket, isWill: boolean): Promise<Error | null> {
    const device = client === null ? storedWillOwner(packet) : sessions.device(client)
    const person = device ? undefined : sessions.person(client)
    const decision = device
      ? decide(deps, device, packet, isWill || client === null)
      : person
        ? deny('person_publish', 'people receive alerts; they publish nothing')
        : deny('not_authenticated', 'publish without an authenticated device')
    switch (decision.kind) {
      case 'deny':
        stats.aclViolation(decision.violation.kind, device?.deviceId)
        logger.warn({ deviceId: device?.deviceId, username: person?.username, topic: clip(packet.topic), qos: packet.qos, kind: decision.violation.kind, will: isWill },
          `publish denied, closing connection: ${decision.violation.message}`)
        return decision.violation
      case 'drop':
        drop(device!, packet, decision)
        return null
      case 'accept': {
        let refused: SinkRejection | void
        try {
          refused = await deps.sink.accept(decision.message)
        } catch (err) {
          const cause = (err as { code?: unknown } | null)?.code ?? (err instanceof Error ? err.message.slice(0, 100) : 'unknown')
          deps.limitedLog.log('error', `sink-refused:${String(cause)}`, { err, deviceId: device!.deviceId, channel: decision.channel, will: isWill },
            'uplink sink refused a message; closing the connection so the device redelivers', { cause })
          return err instanceof Error ? err : new Error(String(err))
        }
        if (refused) {
          const eventId = (decision.message.payload as { eventId?: unknown }).eventId
          const reply: ErrorReply = { code: refused.code, message: refused.message, topic: packet.topic }
          if (typeof eventId === 'string') reply.eventId = eventId
          drop(device!, packet, { kind: 'drop', code: refused.code, message: refused.message, reply })
          return null
        }
        stats.accepted(device!.deviceId)
        if (client !== null) holdWrites((client as unknown as { conn: Corkable }).conn)
        if (decision.channel !== 'status') {
          packet.retain = false
        } else if (isWill && client !== null) {
          // The device has already reconnected: its will must not overwrite the new session's retained status.
          const live = deps.liveClient(device!.deviceId)
          if (live !== undefined && live !== client) packet.retain = false
        }
        return null
      }
    }
  }

  function drop (device: DeviceIdentity, packet: PublishPacket, d: Extract<Decision, { kind: 'drop' }>): void {
    const topic = packet.topic
    packet.topic = quarantineTopic(deps.brokerId)
    packet.retain = false
    packet.payload = Buffer.alloc(0)
    stats.rejected(device.deviceId, { at: deps.now(), code: d.code, topic, message: d.message })
    logger.info({ deviceId: device.deviceId, topic: clip(topic), code: d.code }, `uplink message dropped: ${d.message}`)
    try {
      deps.publishErrorReply(errorTopic(device.buildingId, device.deviceId), d.reply)
    } catch (err) {
      logger.error({ err, deviceId: device.deviceId }, 'could not publish error reply')
    }
  }

  /**
   * A will Aedes replays from persistence after another node died (aedes.js
   * _clearWills) comes without a client. Its topic was checked at CONNECT to be
   * the owner's status topic, and persistence stamps the owner's client id.
   */
  function storedWillOwner (packet: PublishPacket): DeviceIdentity | undefined {
    const owner = (packet as { clientId?: unknown }).clientId
    if (typeof owner !== 'string') return undefined
    const parts = packet.topic.split('/')
    if (parts.length !== 5 || `${parts[0]}/${parts[1]}` !== TOPIC_ROOT || parts[3] !== owner || parts[4] !== 'status') return undefined
    if (!isValidId(parts[2]!) || !isValidId(owner)) return undefined
    return { buildingId: parts[2]!, deviceId: owner }
  }
}

/** The policy itself: pure over the device, the packet and the clock. */
export function decide (
  deps: Pick<AuthorizePublishDeps, 'maxPayloadBytes' | 'now'>,
  device: DeviceIdentity,
  packet: Pick<PublishPacket, 'topic' | 'qos' | 'payload'>,
  /** The connection's last will (checked at CONNECT), not a message the device published. */
  isWill = false,
): Decision {
  const topic = packet.topic
  // [MQTT-4.7.2-1] `$` topics belong to the server.
  if (topic.startsWith('$')) return deny('reserved_topic', 'topics starting with $ are reserved')
  const prefix = `${TOPIC_ROOT}/${device.buildingId}/${device.deviceId}/`
  if (!topic.startsWith(prefix)) return deny('foreign_topic', 'a device publishes only under its own topic tree')
  const suffix = topic.slice(prefix.length)
  const uplink = isUplinkChannel(suffix)
  if (!uplink && (suffix === 'error' || suffix.startsWith('command/'))) {
    return deny('downlink_channel', 'command and error channels are published by the platform only')
  }
  const maxQos = uplink ? UPLINK_DELIVERY[suffix].maxQos : 1
  if (packet.qos > maxQos) return deny('qos_not_allowed', `QoS ${packet.qos} exceeds ${maxQos}`)
  if (!uplink) {
    const reply = unknownChannelReply(topic)
    return { kind: 'drop', code: 'unknown_channel', message: reply.message, reply }
  }
  const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload
  const decoded = decodeUplink(suffix, payload, deps.maxPayloadBytes)
  if (!decoded.ok) return { kind: 'drop', code: decoded.code, message: decoded.message, reply: errorReplyFor(topic, decoded) }
  const own = suffix === 'status' && !isWill ? ownStatusProblem(decoded.value as DeviceStatus) : undefined
  if (own !== undefined) {
    const message = `status reason not allowed: ${own.message}`
    return { kind: 'drop', code: 'schema_invalid', message, reply: { code: 'schema_invalid', message, topic: clip(topic), errors: [own] } }
  }
  const message = {
    buildingId: device.buildingId,
    deviceId: device.deviceId,
    channel: suffix,
    payload: decoded.value,
    receivedAt: deps.now(),
  } as AcceptedMessage
  return { kind: 'accept', channel: suffix, message }
}

function deny (kind: AclViolationKind, message: string): Decision {
  return { kind: 'deny', violation: new AclViolation(kind, message) }
}

function clip (s: string): string {
  return s.length <= 200 ? s : `${s.slice(0, 199)}…`
}

// Acknowledgements in batches: the event log answers a whole group commit at once, and Aedes writes one
// PUBACK per packet. Holding a connection's writes until the event loop's next turn sends all the PUBACKs
// its device gets from one commit in one system call (see guardConnection's writev) instead of one each.
interface Corkable { cork?: () => void; uncork?: () => void }
const held = new Set<Corkable>()

function holdWrites (conn: Corkable): void {
  if (conn.cork === undefined || held.has(conn)) return
  conn.cork()
  if (held.size === 0) setImmediate(releaseWrites)
  held.add(conn)
}

function releaseWrites (): void {
  for (const c of held) c.uncork?.()
  held.clear()
}
