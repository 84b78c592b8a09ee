// Hand-built MQTT 3.1.1 packets for tests, so that tests can send exactly the
// bytes a broken or hostile client would (MQTT.js refuses to build them).
// The byte-level pieces are protocol/mqtt-bytes.ts.

import { field, frame } from '../../protocol/mqtt-bytes.ts'

export { DISCONNECT, field, frame, PINGREQ, remainingLength } from '../../protocol/mqtt-bytes.ts'

export type Bytes = Buffer | string

function buf (b: Bytes): Buffer {
  return typeof b === 'string' ? Buffer.from(b, 'utf8') : b
}

export interface ConnectSpec {
  clientId: Bytes
  clean?: boolean
  keepalive?: number
  username?: Bytes
  password?: Bytes
  will?: { topic: Bytes; payload: Bytes; qos?: number; retain?: boolean }
  /** Raw flags override (reserved bit etc.). */
  flags?: number
  protocolName?: string
  protocolLevel?: number
}

export function connect (spec: ConnectSpec): Buffer {
  let flags = 0
  if (spec.clean ?? true) flags |= 0x02
  if (spec.will) {
    flags |= 0x04 | ((spec.will.qos ?? 0) << 3)
    if (spec.will.retain) flags |= 0x20
  }
  if (spec.password !== undefined) flags |= 0x40
  if (spec.username !== undefined) flags |= 0x80
  if (spec.flags !== undefined) flags = spec.flags
  const keepalive = Buffer.alloc(2)
  keepalive.writeUInt16BE(spec.keepalive ?? 60)
  const parts = [
    field(spec.protocolName ?? 'MQTT'),
    Buffer.from([spec.protocolLevel ?? 4, flags]),
    keepalive,
    field(spec.clientId),
  ]
  if (spec.will) parts.push(field(spec.will.topic), field(spec.will.payload))
  if (spec.username !== undefined) parts.push(field(spec.username))
  if (spec.password !== undefined) parts.push(field(spec.password))
  return frame(0x10, Buffer.concat(parts))
}

export interface PublishSpec {
  topic: Bytes
  payload?: Bytes
  qos?: number
  packetId?: number
  retain?: boolean
  dup?: boolean
}

export function publish (spec: PublishSpec): Buffer {
  const qos = spec.qos ?? 0
  const first = 0x30 | (spec.dup ? 0x08 : 0) | (qos << 1) | (spec.retain ? 0x01 : 0)
  const parts = [field(spec.topic)]
  if (qos > 0) {
    const id = Buffer.alloc(2)
    id.writeUInt16BE(spec.packetId ?? 1)
    parts.push(id)
  }
  parts.push(buf(spec.payload ?? ''))
  return frame(first, Buffer.concat(parts))
}

export function subscribe (packetId: number, filters: Array<[Bytes, number]>, flags = 0x02): Buffer {
  const id = Buffer.alloc(2)
  id.writeUInt16BE(packetId)
  const parts: Buffer[] = [id]
  for (const [filter, qos] of filters) parts.push(field(filter), Buffer.from([qos]))
  return frame(0x80 | flags, Buffer.concat(parts))
}

/** An acknowledgement (fixed header + packet id): PUBACK 0x40, PUBREC 0x50, PUBREL 0x62, PUBCOMP 0x70. */
export function ack (firstByte: number, packetId: number): Buffer {
  const id = Buffer.alloc(2)
  id.writeUInt16BE(packetId)
  return frame(firstByte, id)
}

export const puback = (packetId: number): Buffer => ack(0x40, packetId)
export const pubrec = (packetId: number): Buffer => ack(0x50, packetId)
export const pubrel = (packetId: number): Buffer => ack(0x62, packetId)
export const pubcomp = (packetId: number): Buffer => ack(0x70, packetId)

/** The packets in `bytes` (whole frames only), each as its first byte, packet id (if any) and body. */
export function parsePackets (bytes: Buffer): Array<{ type: number; flags: number; body: Buffer }> {
  const out: Array<{ type: number; flags: number; body: Buffer }> = []
  let off = 0
  while (off + 2 <= bytes.length) {
    let len = 0
    let mul = 1
    let i = off + 1
    for (;;) {
      const b = bytes[i++]!
      len += (b & 0x7f) * mul
      mul *= 128
      if ((b & 0x80) === 0) break
    }
    if (i + len > bytes.length) break
    out.push({ type: bytes[off]! >> 4, flags: bytes[off]! & 0x0f, body: bytes.subarray(i, i + len) })
    off = i + len
  }
  return out
}
