// Which acknowledgement the client owes for each message the broker sent it.
// MQTT 3.1.1 section 4.3: a QoS 1 PUBLISH is answered by PUBACK; a QoS 2
// PUBLISH by PUBREC, and the broker's PUBREL that follows by PUBCOMP. Any
// other answer to a packet id in flight is a protocol violation, and the
// server closes the connection [MQTT-4.8.0-1]; without
// this check Aedes keeps the connection and the message stays in flight.
//
// The tracker reads the broker's outbound bytes as they are written (the
// frames arrive in pieces: mqtt-packet writes a PUBLISH field by field) and
// keeps, per connection, the packet ids in flight with the answer each
// expects. It keeps no payload: only the few bytes up to the packet id.
//
// An id it does not know (never sent on this connection, or forgotten past
// the bound) is let through: after a reconnect with CleanSession 0 a client
// may acknowledge what the broker sent on the previous connection, and Aedes
// re-sends in-flight messages on the new one (tracked here before the client
// can answer them). Aedes ignores an acknowledgement it cannot match.

import type { GuardViolation } from './protocol-guard.ts'

const PUBLISH = 3
const PUBACK = 4
const PUBREC = 5
const PUBREL = 6
const PUBCOMP = 7

/** What the client owes for one packet id. */
type Owed = typeof PUBACK | typeof PUBREC | typeof PUBCOMP

const NAMES: Record<number, string> = { [PUBACK]: 'PUBACK', [PUBREC]: 'PUBREC', [PUBCOMP]: 'PUBCOMP' }

/** Ids in flight kept per connection; the oldest is forgotten first (and then tolerated as unknown). */
export const MAX_TRACKED_IDS = 1024

// Outbound parser states.
const HEADER = 0 // reading the fixed header
const TOPIC_LENGTH = 1 // PUBLISH with QoS > 0: the topic's 2-byte length
const SKIP_TOPIC = 2
const PACKET_ID = 3 // 2 bytes
const SKIP = 4 // the rest of the frame

export class AckTracker {
  private readonly owed = new Map<number, Owed>()
  private state = HEADER
  private type = 0
  private qos = 0
  private remaining = 0 // bytes of the current frame's body not yet consumed
  private header: number[] = []
  private word: number[] = []
  private skip = 0

  /** How many packet ids are in flight (for tests and stats). */
  get inFlight (): number {
    return this.owed.size
  }

  /** Reads bytes the broker writes to the client. Never throws on what it reads. */
  outbound (chunk: Uint8Array): void {
    let i = 0
    while (i < chunk.length) {
      switch (this.state) {
        case HEADER:
          i = this.readHeader(chunk, i)
          break
        case TOPIC_LENGTH:
        case PACKET_ID:
          this.word.push(chunk[i++]!)
          this.remaining--
          if (this.word.length === 2) this.wordRead((this.word[0]! << 8) | this.word[1]!)
          break
        default: { // SKIP_TOPIC, SKIP
          const n = Math.min(this.skip, chunk.length - i)
          i += n
          this.skip -= n
          this.remaining -= n
          if (this.skip === 0) this.endOfSkip()
        }
      }
    }
  }

  /**
   * Checks an acknowledgement from the client (PUBACK, PUBREC or PUBCOMP) and
   * records its effect; a violation when the id is in flight and expects
   * another answer.
   */
  inbound (type: number, id: number): GuardViolation | undefined {
    const owed = this.owed.get(id)
    if (owed === undefined) return undefined
    if (type !== owed) {
      return {
        code: 'wrong_ack_type',
        clause: 'MQTT-4.8.0-1',
        message: `${NAMES[type] ?? `packet type ${type}`} for packet id ${id}, which is owed ${NAMES[owed]} (MQTT 3.1.1 section 4.3)`,
      }
    }
    // PUBREC: the broker answers with PUBREL (seen on the way out), which then expects PUBCOMP.
    if (type !== PUBREC) this.owed.delete(id)
    return undefined
  }

  private readHeader (chunk: Uint8Array, i: number): number {
    this.header.push(chunk[i++]!)
    const h = this.header
    if (h.length < 2 || (h[h.length - 1]! & 0x80) !== 0) {
      if (h.length === 5) this.resync() // not a frame the broker would write: stop tracking rather than guess
      return i
    }
    let len = 0
    for (let k = h.length - 1; k >= 1; k--) len = len * 128 + (h[k]! & 0x7f)
    this.type = h[0]! >> 4
    this.qos = (h[0]! >> 1) & 3
    this.remaining = len
    this.header = []
    if (this.type === PUBLISH && this.qos > 0 && len >= 2) this.state = TOPIC_LENGTH
    else if (this.type === PUBREL && len >= 2) this.state = PACKET_ID
    else this.skipRest()
    return i
  }

  private wordRead (value: number): void {
    this.word = []
    if (this.state === TOPIC_LENGTH) {
      if (value + 2 > this.remaining) return this.skipRest()
      this.state = SKIP_TOPIC
      this.skip = value
      if (value === 0) this.endOfSkip()
      return
    }
    // PACKET_ID of a PUBLISH (QoS 1 or 2) or of a PUBREL.
    this.record(value, this.type === PUBREL ? PUBCOMP : this.qos === 1 ? PUBACK : PUBREC)
    this.skipRest()
  }

  private endOfSkip (): void {
    if (this.state === SKIP_TOPIC) {
      this.state = PACKET_ID
      return
    }
    this.state = HEADER
  }

  private skipRest (): void {
    this.state = SKIP
    this.skip = this.remaining
    if (this.skip === 0) this.state = HEADER
  }

  private record (id: number, owed: Owed): void {
    this.owed.delete(id) // re-inserted: newest last
    this.owed.set(id, owed)
    if (this.owed.size > MAX_TRACKED_IDS) this.owed.delete(this.owed.keys().next().value as number)
  }

  private resync (): void {
    this.owed.clear()
    this.header = []
    this.state = SKIP
    this.skip = Infinity
  }
}
