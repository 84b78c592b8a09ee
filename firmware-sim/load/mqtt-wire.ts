// Just enough MQTT 3.1.1 on the wire for a load generator: CONNECT (built by
// mqtt-packet), QoS 0 and QoS 1 PUBLISH written by hand on prebuilt topics (the
// hot path), PINGREQ, DISCONNECT, and a reader that splits the broker's bytes
// into packets without building objects for them.

import mqttPacket from 'mqtt-packet'
import { remainingLength } from '../../protocol/mqtt-bytes.ts'

export { DISCONNECT, PINGREQ } from '../../protocol/mqtt-bytes.ts'

/** Control packet types the reader reports (the high nibble of the first byte). */
export const CONNACK = 2
export const PUBACK = 4
export const PINGRESP = 13

export interface ConnectFields {
  clientId: string
  username?: string
  password?: string
  keepaliveS: number
  will?: { topic: string; payload: string }
}

export function connectPacket (f: ConnectFields): Buffer {
  return mqttPacket.generate({
    cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: f.keepaliveS, clientId: f.clientId,
    ...(f.username === undefined ? {} : { username: f.username }),
    ...(f.password === undefined ? {} : { password: Buffer.from(f.password) }),
    ...(f.will === undefined ? {} : { will: { topic: f.will.topic, payload: Buffer.from(f.will.payload), qos: 1, retain: true } }),
  })
}

/** A PUBLISH with a prebuilt topic; `packetId` only for QoS 1. */
export function publishPacket (topic: Buffer, payload: string, packetId?: number): Buffer {
  const body = Buffer.byteLength(payload)
  const idBytes = packetId === undefined ? 0 : 2
  const remaining = 2 + topic.length + idBytes + body
  const lenBytes = remainingLength(remaining)
  const buf = Buffer.allocUnsafe(1 + lenBytes.length + remaining)
  let o = 0
  buf[o++] = packetId === undefined ? 0x30 : 0x32
  for (const b of lenBytes) buf[o++] = b
  buf.writeUInt16BE(topic.length, o); o += 2
  topic.copy(buf, o); o += topic.length
  if (packetId !== undefined) { buf.writeUInt16BE(packetId, o); o += 2 }
  buf.write(payload, o)
  return buf
}

/**
 * Splits a byte stream into packets: `onPacket(type, body)` per packet, where
 * `body` is the variable header and payload (a view, valid during the call).
 */
export class PacketReader {
  private pending: Buffer | undefined

  constructor (private readonly onPacket: (type: number, body: Buffer) => void) {}

  feed (chunk: Buffer): void {
    const buf = this.pending === undefined ? chunk : Buffer.concat([this.pending, chunk])
    this.pending = undefined
    let o = 0
    while (o < buf.length) {
      // Fixed header: type, then the remaining length in 1..4 bytes of 7 bits.
      let len = 0
      let mul = 1
      let i = o + 1
      let complete = false
      while (i < buf.length && i < o + 5) {
        const b = buf[i++]!
        len += (b & 0x7f) * mul
        mul *= 128
        if ((b & 0x80) === 0) { complete = true; break }
      }
      if (!complete || i + len > buf.length) break
      this.onPacket(buf[o]! >> 4, buf.subarray(i, i + len))
      o = i + len
    }
    if (o < buf.length) this.pending = Buffer.from(buf.subarray(o))
  }
}
