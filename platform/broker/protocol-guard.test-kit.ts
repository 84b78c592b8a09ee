// Shared by the guard's tests: a valid session, and feeding bytes to a frame
// guard in chunks (whole, a byte at a time, random splits).

import { connect, DISCONNECT, PINGREQ, puback, publish, subscribe } from './mqtt-bytes.test-kit.ts'
import { MqttFrameGuard } from './protocol-guard-frames.ts'
import type { GuardViolationCode } from './protocol-guard-packets.ts'

export const LIMIT = 4096
export const CONNECT = connect({ clientId: 'reader-01', username: 'reader-01', password: 's3cret', will: { topic: 'rh/v1/b/reader-01/status', payload: '{}', qos: 1, retain: true } })

export function validSession (): Buffer[] {
  return [
    CONNECT,
    publish({ topic: 'rh/v1/b/reader-01/event/access', payload: '{"x":1}', qos: 1, packetId: 7 }),
    publish({ topic: 'rh/v1/b/reader-01/heartbeat', payload: 'x'.repeat(300), qos: 0 }), // two-byte remaining length
    subscribe(2, [['rh/v1/b/reader-01/command/+', 1], ['rh/v1/b/reader-01/error', 0]]),
    puback(9),
    PINGREQ,
    DISCONNECT,
  ]
}

/** Feeds `chunks` and returns everything released, the chunk index of each release, and the violation. */
export function feed (chunks: Buffer[], limit = LIMIT): { out: Buffer; releasedAt: number[]; code?: GuardViolationCode } {
  const guard = new MqttFrameGuard({ maxPacketBytes: limit })
  const out: Buffer[] = []
  const releasedAt: number[] = []
  let code: GuardViolationCode | undefined
  chunks.forEach((chunk, i) => {
    const r = guard.push(chunk)
    for (const b of r.pass) {
      out.push(b)
      releasedAt.push(i)
    }
    if (r.violation && code === undefined) code = r.violation.code
  })
  return code === undefined ? { out: Buffer.concat(out), releasedAt } : { out: Buffer.concat(out), releasedAt, code }
}

export function bytewise (b: Buffer): Buffer[] {
  return [...b].map((x) => Buffer.from([x]))
}

/** Deterministic pseudo-random split of `b` into chunks of 1..maxLen bytes. */
export function randomSplit (b: Buffer, seed: number, maxLen: number): Buffer[] {
  const out: Buffer[] = []
  let s = seed
  let off = 0
  while (off < b.length) {
    s = (s * 1103515245 + 12345) % 2 ** 31
    const len = 1 + (s % maxLen)
    out.push(b.subarray(off, off + len))
    off += len
  }
  return out
}
