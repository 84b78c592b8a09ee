// Byte-level MQTT 3.1.1 conformance guard that sits between a client socket and
// `broker.handle`. It only checks what mqtt-packet 9 / Aedes 1.2 let through:
// mqtt-packet decodes strings with Buffer#toString('utf8') (ill-formed UTF-8
// silently becomes U+FFFD, U+0000 is kept), never rejects packet identifier 0,
// accepts will QoS 3, and Aedes invents an id for an empty client id even when
// CleanSession is 0. Everything else (topic-filter wildcards, keep-alive, auth)
// stays with the broker. PUBLISH payloads are never inspected here.
//
// Clauses cite the MQTT 3.1.1 OASIS standard conformance statements.

import { isUtf8 } from 'node:buffer'
import { Duplex } from 'node:stream'
import { AckTracker } from './ack-tracker.ts'

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

export interface GuardResult {
  /** Complete, checked packets in arrival order (views of the input where possible). */
  pass: Buffer[]
  violation?: GuardViolation
}

export interface FrameGuardOptions {
  /** Largest accepted packet, fixed header included. */
  maxPacketBytes: number
  /** What the broker sent and the client owes; without it acknowledgements are checked for form only. */
  acks?: AckTracker
}

export interface GuardConnectionOptions extends FrameGuardOptions {
  /** How long a refused client may take to read its CONNACK before the socket is destroyed. */
  lingerMs?: number
}

const CONNECT = 1
const PUBLISH = 3
const PUBACK = 4
const PUBREC = 5
const PUBREL = 6
const PUBCOMP = 7
const SUBSCRIBE = 8
const UNSUBSCRIBE = 10
const PINGREQ = 12
const DISCONNECT = 14

// Table 2.2 - Flag Bits: required low nibble per packet type; -1 = not fixed here.
const REQUIRED_FLAGS = [-1, 0, 0, -1, 0, 0, 2, 0, 2, 0, 2, 0, 0, 0, 0, -1]

const INCOMPLETE = -1
const FAILED = -2

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

function violation (code: GuardViolationCode, clause: string, message: string): GuardViolation {
  return { code, clause, message }
}

const malformed = (message: string): GuardViolation => violation('malformed_packet', 'MQTT-4.8.0-1', message)

/**
 * Incremental scanner over one connection's inbound bytes. Frames are found by
 * the fixed header alone; a packet is released only once all of it has
 * arrived and passed the checks. After the first violation nothing passes.
 */
export class MqttFrameGuard {
  private readonly maxPacketBytes: number
  private readonly acks: AckTracker | undefined
  private seenConnect = false
  private failure: GuardViolation | undefined
  // The frame currently split across chunks.
  private pending: Buffer[] = []
  private pendingBytes = 0
  private frameLen = INCOMPLETE // total length, INCOMPLETE while its fixed header is split
  private headerLen = 0 // fixed-header length of the frame last read by readHeader

  constructor (options: FrameGuardOptions) {
    this.maxPacketBytes = options.maxPacketBytes
    this.acks = options.acks
  }

  get violation (): GuardViolation | undefined {
    return this.failure
  }

  push (chunk: Buffer): GuardResult {
    const pass: Buffer[] = []
    if (this.failure) return { pass }
    let off = 0
    if (this.pendingBytes > 0) {
      off = this.completePending(chunk, pass)
      if (off < 0) return this.result(pass)
    }
    const start = off
    while (off < chunk.length) {
      const total = this.readHeader(chunk, off)
      if (total === FAILED) break
      if (total === INCOMPLETE || off + total > chunk.length) {
        this.frameLen = total
        break
      }
      const problem = this.check(chunk, off, off + this.headerLen, off + total)
      if (problem) {
        this.failure = problem
        break
      }
      off += total
    }
    if (off > start) pass.push(start === 0 && off === chunk.length ? chunk : chunk.subarray(start, off))
    if (!this.failure && off < chunk.length) {
      const tail = chunk.subarray(off)
      this.pending = [tail]
      this.pendingBytes = tail.length
    }
    return this.result(pass)
  }

  private result (pass: Buffer[]): GuardResult {
    if (!this.failure) return { pass }
    this.pending = []
    this.pendingBytes = 0
    return { pass, violation: this.failure }
  }

  /** Feeds the head of `chunk` to the split frame; returns the bytes consumed, or -1 if all were. */
  private completePending (chunk: Buffer, pass: Buffer[]): number {
    if (this.frameLen === INCOMPLETE) {
      // At most 4 header bytes are pending; join them with the next few to read the header.
      const head = Buffer.concat([...this.pending, chunk.subarray(0, 5)])
      const total = this.readHeader(head, 0)
      if (total === FAILED) return -1
      if (total === INCOMPLETE) {
        this.pending.push(chunk)
        this.pendingBytes += chunk.length
        return -1
      }
      this.frameLen = total
    }
    const missing = this.frameLen - this.pendingBytes
    if (chunk.length < missing) {
      this.pending.push(chunk)
      this.pendingBytes += chunk.length
      return -1
    }
    this.pending.push(chunk.subarray(0, missing))
    const frame = Buffer.concat(this.pending, this.frameLen)
    this.pending = []
    this.pendingBytes = 0
    this.frameLen = INCOMPLETE
    const problem = this.check(frame, 0, this.headerLen, frame.length)
    if (problem) {
      this.failure = problem
      return -1
    }
    pass.push(frame)
    return missing
  }

  /**
   * Reads the fixed header at `off`: returns the frame's total length, or
   * INCOMPLETE / FAILED. Checks that need only the header run here, once per frame.
   */
  private readHeader (buf: Buffer, off: number): number {
    let remaining = 0
    let multiplier = 1
    let i = 1
    for (;;) {
      if (off + i >= buf.length) return INCOMPLETE
      const byte = buf[off + i]!
      remaining += (byte & 0x7f) * multiplier
      if ((byte & 0x80) === 0) break
      if (i === 4) {
        return this.fail(violation('malformed_remaining_length', 'MQTT-4.8.0-1',
          'remaining length uses more than 4 bytes (section 2.2.3)'))
      }
      multiplier *= 128
      i++
    }
    this.headerLen = i + 1
    const total = this.headerLen + remaining
    if (total > this.maxPacketBytes) {
      // No 3.1.1 clause: a server resource limit, enforced before the body is buffered.
      return this.fail(violation('packet_too_large', 'server-limit',
        `packet of ${total} bytes exceeds the ${this.maxPacketBytes} byte limit`))
    }
    const b0 = buf[off]!
    const type = b0 >> 4
    const flags = b0 & 0x0f
    if (type === 0 || type === 15) {
      return this.fail(violation('reserved_packet_type', 'MQTT-4.8.0-1', `reserved packet type ${type}`))
    }
    if (!this.seenConnect) {
      if (type !== CONNECT) {
        return this.fail(violation('connect_expected', 'MQTT-3.1.0-1', 'first packet must be CONNECT'))
      }
      this.seenConnect = true
    } else if (type === CONNECT) {
      return this.fail(violation('duplicate_connect', 'MQTT-3.1.0-2', 'second CONNECT on one connection'))
    }
    const required = REQUIRED_FLAGS[type]!
    if (required >= 0 && flags !== required) {
      return this.fail(violation('reserved_flags', 'MQTT-2.2.2-2', `invalid fixed-header flags for packet type ${type}`))
    }
    if (type === PUBLISH) {
      const qos = (flags >> 1) & 3
      if (qos === 3) return this.fail(violation('invalid_qos', 'MQTT-3.3.1-4', 'PUBLISH with QoS 3'))
      if (qos === 0 && (flags & 8) !== 0) {
        return this.fail(violation('reserved_flags', 'MQTT-3.3.1-2', 'DUP set on a QoS 0 PUBLISH'))
      }
    }
    return total
  }

  /** The packet's own checks, then (acknowledgements of what the broker sent) the answer it owes. */
  private check (buf: Buffer, off: number, body: number, end: number): GuardViolation | undefined {
    const problem = checkPacket(buf, off, body, end)
    if (problem || this.acks === undefined) return problem
    const type = buf[off]! >> 4
    return type === PUBACK || type === PUBREC || type === PUBCOMP ? this.acks.inbound(type, buf.readUInt16BE(body)) : undefined
  }

  private fail (v: GuardViolation): number {
    this.failure = v
    return FAILED
  }
}

/** Checks one whole packet: fixed header at `off`, body from `body` to `end`. */
function checkPacket (buf: Buffer, off: number, body: number, end: number): GuardViolation | undefined {
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

/**
 * Wraps a client transport (net.Socket, ws createWebSocketStream, ...) so that
 * only guarded bytes reach the broker: `broker.handle(guardConnection(sock, opts, report))`.
 */
export function guardConnection (
  socket: Duplex,
  options: GuardConnectionOptions,
  onViolation: (v: GuardViolation) => void,
): Duplex {
  // Every connection tracks what the broker sent it, so a wrong acknowledgement closes it [MQTT-4.8.0-1].
  const acks = options.acks ?? new AckTracker()
  const guard = new MqttFrameGuard({ ...options, acks })
  const lingerMs = options.lingerMs ?? 2_000
  let waitingWrite: ((err?: Error | null) => void) | null = null
  let readableEnded = false
  let lingering = false

  const releaseWrite = (err?: Error): void => {
    const cb = waitingWrite
    waitingWrite = null
    if (cb) cb(err ?? null)
  }

  const onData = (chunk: Buffer | string): void => {
    const { pass, violation } = guard.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk))
    if (violation) {
      refuse(violation)
      return
    }
    let more = true
    for (const bytes of pass) more = conn.push(bytes) && more
    if (!more) socket.pause()
  }
  const onEnd = (): void => {
    readableEnded = true
    conn.push(null)
  }
  const onError = (err: Error): void => {
    conn.destroy(err)
  }
  const onClose = (): void => {
    // After a clean end, let the broker drain what is already queued.
    releaseWrite(new Error('connection closed'))
    if (!readableEnded) conn.destroy()
  }
  const onDrain = (): void => releaseWrite()

  const detach = (): void => {
    socket.removeListener('data', onData)
    socket.removeListener('end', onEnd)
    socket.removeListener('error', onError)
    socket.removeListener('close', onClose)
    socket.removeListener('drain', onDrain)
    socket.on('error', noop) // a late error from the dying socket must not crash the process
  }

  const conn = new Duplex({
    allowHalfOpen: false,
    read () {
      if (!guard.violation) socket.resume()
    },
    write (chunk: Buffer, _encoding, callback) {
      // A destroyed socket never drains: fail now instead of parking the callback.
      if (socket.destroyed) {
        callback(new Error('connection closed'))
        return
      }
      acks.outbound(chunk)
      if (socket.write(chunk)) callback()
      else waitingWrite = callback
    },
    // What the broker wrote while this stream was corked (acknowledgements of one batch) leaves in one
    // system call instead of one per packet.
    writev (chunks: Array<{ chunk: Buffer }>, callback) {
      if (socket.destroyed) {
        callback(new Error('connection closed'))
        return
      }
      socket.cork()
      let ok = true
      for (const c of chunks) {
        acks.outbound(c.chunk)
        ok = socket.write(c.chunk)
      }
      socket.uncork()
      if (ok) callback()
      else waitingWrite = callback
    },
    final (callback) {
      if (!socket.destroyed && !socket.writableEnded) socket.end()
      callback()
    },
    destroy (err, callback) {
      detach()
      if (waitingWrite) {
        const cb = waitingWrite
        waitingWrite = null
        process.nextTick(cb, err ?? new Error('connection closed'))
      }
      if (!lingering && !socket.destroyed) socket.destroy()
      callback(err)
    },
  })

  const refuse = (v: GuardViolation): void => {
    socket.removeListener('data', onData)
    socket.pause()
    let reportError: Error | undefined
    try {
      onViolation(v)
    } catch (err) {
      // Surface a failing reporter through the broker's connection error path.
      reportError = err instanceof Error ? err : new Error(String(err))
    }
    const connack = refusalConnack(v)
    if (connack && socket.writable) {
      lingering = true
      const timer = setTimeout(() => socket.destroy(), lingerMs)
      timer.unref()
      socket.end(connack, () => {
        clearTimeout(timer)
        socket.destroy()
      })
    }
    conn.destroy(reportError)
  }

  socket.on('data', onData)
  socket.on('end', onEnd)
  socket.on('error', onError)
  socket.on('close', onClose)
  socket.on('drain', onDrain)
  if (socket.destroyed) process.nextTick(() => conn.destroy())
  return conn
}

function noop (): void {}
