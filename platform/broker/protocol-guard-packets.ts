// The checks of one whole MQTT 3.1.1 packet (CONNECT, PUBLISH, the
// acknowledgements, SUBSCRIBE, UNSUBSCRIBE, PINGREQ, DISCONNECT) that
// mqtt-packet 9 / Aedes 1.2 do not make: well-formed UTF-8 without U+0000,
// topic names without wildcards, non-zero packet identifiers, will flags, an
// empty client id only with CleanSession 1. The frame scanner
// (protocol-guard-frames.ts) runs them once a packet has wholly arrived.
//
// Clauses cite the MQTT 3.1.1 OASIS standard conformance statements.

import { isUtf8 } from 'node:buffer'

export type GuardViolationCode =
  | 'malformed_remaining_length'
  | 'packet_too_large'
  | 'reserved_packet_type'
  | 'reserved_flags'
  | 'connect_expected'
  | 'duplicate_connect'
  | 'unsupported_protocol'
  | 'identifier_rejected'
  | 'invalid_will'
  | 'invalid_qos'
  | 'invalid_utf8'
  | 'utf8_null'
  | 'invalid_topic'
  | 'zero_packet_id'
  | 'wrong_ack_type'
  | 'malformed_packet'

export interface GuardViolation {
  code: GuardViolationCode
  clause: string
  message: string
}

// Packet types (section 2.2.1).
export const CONNECT = 1
export const PUBLISH = 3
export const PUBACK = 4
export const PUBREC = 5
const PUBREL = 6
export const PUBCOMP = 7
const SUBSCRIBE = 8
const UNSUBSCRIBE = 10
const PINGREQ = 12
const DISCONNECT = 14

// Violations that the server answers with a CONNACK refusal before closing.
const CONNACK_RETURN_CODE: Partial<Record<GuardViolationCode, number>> = {
  unsupported_protocol: 1, // [MQTT-3.1.2-2]
  identifier_rejected: 2, // [MQTT-3.1.3-9]
}

/** The CONNACK (MQTT 3.1.1) the server owes the client for this violation, if any. */
export function refusalConnack (violation: GuardViolation): Buffer | undefined {
  const rc = CONNACK_RETURN_CODE[violation.code]
  return rc === undefined ? undefined : Buffer.from([0x20, 0x02, 0x00, rc])
}

export function violation (code: GuardViolationCode, clause: string, message: string): GuardViolation {
  return { code, clause, message }
}

export const malformed = (message: string): GuardViolation => violation('malformed_packet', 'MQTT-4.8.0-1', message)

/** Checks one whole packet: fixed header at `off`, body from `body` to `end`. */
export function checkPacket (buf: Buffer, off: number, body: number, end: number): GuardViolation | undefined {
  const type = buf[off]! >> 4
  switch (type) {
    case CONNECT:
      return checkConnect(buf, body, end)
    case PUBLISH:
      return checkPublish(buf, (buf[off]! >> 1) & 3, body, end)
    case PUBACK: case PUBREC: case PUBREL: case PUBCOMP:
      if (end - body !== 2) return malformed('acknowledgement remaining length must be 2')
      return buf.readUInt16BE(body) === 0 ? zeroPacketId() : undefined
    case SUBSCRIBE:
      return checkSubscription(buf, body, end, true)
    case UNSUBSCRIBE:
      return checkSubscription(buf, body, end, false)
    case PINGREQ: case DISCONNECT:
      return end === body ? undefined : malformed('PINGREQ/DISCONNECT must have no body')
    default:
      return undefined // CONNACK, SUBACK, UNSUBACK, PINGRESP: Aedes closes on these
  }
}

const zeroPacketId = (): GuardViolation =>
  violation('zero_packet_id', 'MQTT-2.3.1-1', 'packet identifier must be non-zero')

/** End offset of the length-prefixed field at `pos`, or -1 if it overruns `end`. */
function fieldEnd (buf: Buffer, pos: number, end: number): number {
  if (pos + 2 > end) return -1
  const fEnd = pos + 2 + buf.readUInt16BE(pos)
  return fEnd > end ? -1 : fEnd
}

function checkString (buf: Buffer, start: number, end: number, what: string): GuardViolation | undefined {
  const text = buf.subarray(start, end)
  // isUtf8 also rejects overlong forms and encoded UTF-16 surrogates (U+D800..U+DFFF).
  if (!isUtf8(text)) return violation('invalid_utf8', 'MQTT-1.5.3-1', `${what} is not well-formed UTF-8`)
  // In well-formed UTF-8 a zero byte can only be U+0000.
  if (text.indexOf(0) !== -1) return violation('utf8_null', 'MQTT-1.5.3-2', `${what} contains U+0000`)
  return undefined
}

function checkTopicName (buf: Buffer, start: number, end: number, what: string): GuardViolation | undefined {
  if (start === end) return violation('invalid_topic', 'MQTT-4.7.3-1', `${what} is empty`)
  const problem = checkString(buf, start, end, what)
  if (problem) return problem
  const name = buf.subarray(start, end)
  if (name.indexOf(0x23) !== -1 || name.indexOf(0x2b) !== -1) {
    return violation('invalid_topic', 'MQTT-4.7.1-1', `${what} contains a wildcard`)
  }
  return undefined
}

function checkConnect (buf: Buffer, pos: number, end: number): GuardViolation | undefined {
  const nameEnd = fieldEnd(buf, pos, end)
  if (nameEnd < 0 || nameEnd + 4 > end) return malformed('CONNECT variable header truncated')
  const name = buf.toString('latin1', pos + 2, nameEnd)
  if (name !== 'MQTT' && name !== 'MQIsdp') {
    return violation('malformed_packet', 'MQTT-3.1.2-1', 'unknown protocol name')
  }
  // Bit 7 of the level is the bridge flag that Aedes/mqtt-packet understand.
  const level = buf[nameEnd]! & 0x7f
  if (level !== (name === 'MQTT' ? 4 : 3)) {
    return violation('unsupported_protocol', 'MQTT-3.1.2-2', `unsupported protocol level ${level}`)
  }
  const flags = buf[nameEnd + 1]!
  if (flags & 0x01) return violation('reserved_flags', 'MQTT-3.1.2-3', 'CONNECT reserved flag is set')
  const clean = (flags & 0x02) !== 0
  const hasWill = (flags & 0x04) !== 0
  const willQos = (flags >> 3) & 3
  const hasPassword = (flags & 0x40) !== 0
  const hasUsername = (flags & 0x80) !== 0
  if (!hasWill && (flags & 0x38) !== 0) {
    return violation('invalid_will', 'MQTT-3.1.2-11', 'will QoS/retain set without the will flag')
  }
  if (willQos === 3) return violation('invalid_qos', 'MQTT-3.1.2-14', 'will QoS 3')
  if (hasPassword && !hasUsername) {
    return violation('malformed_packet', 'MQTT-3.1.2-22', 'password flag set without user name flag')
  }

  pos = nameEnd + 4 // level, flags, keep alive
  const idEnd = fieldEnd(buf, pos, end)
  if (idEnd < 0) return malformed('CONNECT client identifier truncated')
  const problem = checkString(buf, pos + 2, idEnd, 'client identifier')
  if (problem) return problem
  const emptyId = idEnd === pos + 2
  pos = idEnd

  if (hasWill) {
    const topicEnd = fieldEnd(buf, pos, end)
    if (topicEnd < 0) return malformed('CONNECT will topic truncated')
    const topicProblem = checkTopicName(buf, pos + 2, topicEnd, 'will topic')
    if (topicProblem) return topicProblem
    pos = fieldEnd(buf, topicEnd, end) // will message: binary
    if (pos < 0) return malformed('CONNECT will message truncated')
  }
  if (hasUsername) {
    const userEnd = fieldEnd(buf, pos, end)
    if (userEnd < 0) return malformed('CONNECT user name truncated')
    const userProblem = checkString(buf, pos + 2, userEnd, 'user name')
    if (userProblem) return userProblem
    pos = userEnd
  }
  if (hasPassword) {
    pos = fieldEnd(buf, pos, end) // password: binary
    if (pos < 0) return malformed('CONNECT password truncated')
  }
  if (pos !== end) return malformed('trailing bytes after CONNECT payload')
  // Judged last so a CONNACK refusal is only sent for an otherwise well-formed CONNECT.
  if (emptyId && !clean) {
    return violation('identifier_rejected', 'MQTT-3.1.3-8', 'zero-length client identifier requires CleanSession 1')
  }
  return undefined
}

function checkPublish (buf: Buffer, qos: number, pos: number, end: number): GuardViolation | undefined {
  const topicEnd = fieldEnd(buf, pos, end)
  if (topicEnd < 0) return malformed('PUBLISH topic truncated')
  const problem = checkTopicName(buf, pos + 2, topicEnd, 'topic name')
  if (problem) return problem
  if (qos === 0) return undefined
  if (topicEnd + 2 > end) return malformed('PUBLISH packet identifier truncated')
  return buf.readUInt16BE(topicEnd) === 0 ? zeroPacketId() : undefined
}

function checkSubscription (buf: Buffer, pos: number, end: number, subscribe: boolean): GuardViolation | undefined {
  if (pos + 2 > end) return malformed('packet identifier truncated')
  if (buf.readUInt16BE(pos) === 0) return zeroPacketId()
  pos += 2
  if (pos === end) {
    return violation('malformed_packet', subscribe ? 'MQTT-3.8.3-3' : 'MQTT-3.10.3-2', 'no topic filter')
  }
  while (pos < end) {
    const filterEnd = fieldEnd(buf, pos, end)
    if (filterEnd < 0) return malformed('topic filter truncated')
    if (filterEnd === pos + 2) return violation('invalid_topic', 'MQTT-4.7.3-1', 'topic filter is empty')
    const problem = checkString(buf, pos + 2, filterEnd, 'topic filter')
    if (problem) return problem
    pos = filterEnd
    if (subscribe) {
      if (pos >= end) return malformed('requested QoS missing')
      const options = buf[pos++]!
      if (options > 2) return violation('invalid_qos', 'MQTT-3.8.3-4', 'requested QoS byte invalid')
    }
  }
  return undefined
}
