// Incremental scanner over one connection's inbound MQTT bytes: finds frames
// by the fixed header alone, checks what the header says (remaining length,
// size limit, packet type and flags, CONNECT first and once), and releases a
// packet only once all of it has arrived and passed the packet checks
// (protocol-guard-packets.ts) and, for acknowledgements, the ack tracker.
//
// Clauses cite the MQTT 3.1.1 OASIS standard conformance statements.

import type { AckTracker } from './ack-tracker.ts'
import { checkPacket, CONNECT, PUBACK, PUBCOMP, PUBLISH, PUBREC, violation, type GuardViolation } from './protocol-guard-packets.ts'

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

// Table 2.2 - Flag Bits: required low nibble per packet type; -1 = not fixed here.
const REQUIRED_FLAGS = [-1, 0, 0, -1, 0, 0, 2, 0, 2, 0, 2, 0, 0, 0, 0, -1]

const INCOMPLETE = -1
const FAILED = -2

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
