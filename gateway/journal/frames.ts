// How journal records sit in a segment file: a frame per record,
//   [u32 length][u32 crc32 of the body][body: UTF-8 JSON]
// little-endian. A crash can leave the last frame of the last segment cut
// short (a torn write); `readFrames` stops there and says where the good
// part ends, so the file can be cut back to it.

import { crc32 } from 'node:zlib'

const HEADER = 8
/** A record larger than this is a corrupt length, not a record. */
export const MAX_FRAME_BODY = 4 * 1024 * 1024

export function frame (record: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(record), 'utf8')
  if (body.length > MAX_FRAME_BODY) throw new RangeError(`a journal record of ${body.length} bytes is over ${MAX_FRAME_BODY}`)
  const out = Buffer.allocUnsafe(HEADER + body.length)
  out.writeUInt32LE(body.length, 0)
  out.writeUInt32LE(crc32(body), 4)
  body.copy(out, HEADER)
  return out
}

export interface ReadFrames {
  records: unknown[]
  /** Bytes of whole, intact frames from the start: where the file should end. */
  goodBytes: number
  /** Why reading stopped before the end of the buffer, if it did. */
  stoppedBecause?: 'torn' | 'checksum' | 'length' | 'json'
}

export function readFrames (buf: Buffer): ReadFrames {
  const records: unknown[] = []
  let at = 0
  while (at < buf.length) {
    if (buf.length - at < HEADER) return { records, goodBytes: at, stoppedBecause: 'torn' }
    const length = buf.readUInt32LE(at)
    if (length > MAX_FRAME_BODY) return { records, goodBytes: at, stoppedBecause: 'length' }
    if (buf.length - at - HEADER < length) return { records, goodBytes: at, stoppedBecause: 'torn' }
    const body = buf.subarray(at + HEADER, at + HEADER + length)
    if (crc32(body) !== buf.readUInt32LE(at + 4)) return { records, goodBytes: at, stoppedBecause: 'checksum' }
    try {
      records.push(JSON.parse(body.toString('utf8')))
    } catch {
      return { records, goodBytes: at, stoppedBecause: 'json' }
    }
    at += HEADER + length
  }
  return { records, goodBytes: at }
}
