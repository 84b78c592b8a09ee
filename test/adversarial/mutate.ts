// Seeded mutations for the fuzzer: byte-level ones for MQTT frames (flip,
// overwrite, insert, delete, duplicate, truncate, a corrupted remaining
// length, two packets spliced) and structural ones for JSON payloads (a value
// replaced by a hostile one, a field dropped or added, deep nesting, the
// text itself damaged). Pure functions of an Rng: the same seed gives the same
// sequence, so a crash can be replayed.

import type { Rng } from '../../firmware-sim/world/rng.ts'
import { remainingLength } from '../../platform/broker/mqtt-bytes.test-kit.ts'

/** Bytes that sit on boundaries parsers get wrong. */
const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0xc0, 0x30, 0x32, 0x34, 0x62, 0x10, 0x20]

function randomBytes (rng: Rng, n: number): Buffer {
  const out = Buffer.allocUnsafe(n)
  for (let i = 0; i < n; i++) out[i] = rng.int(0, 255)
  return out
}

function byte (rng: Rng): number {
  return rng.chance(0.5) ? rng.pick(INTERESTING_BYTES) : rng.int(0, 255)
}

/** A remaining-length field that lies: too long, too short, five bytes, or the largest value. */
function lyingLength (rng: Rng, actual: number): Buffer {
  switch (rng.int(0, 4)) {
    case 0: return Buffer.from([0xff, 0xff, 0xff, 0x7f]) // 268,435,455: the protocol's largest
    case 1: return Buffer.from([0x80, 0x80, 0x80, 0x80, 0x01]) // five bytes: malformed
    case 2: return Buffer.from([0x80, 0x00]) // a non-minimal zero
    default: return remainingLength(Math.max(0, actual + rng.int(-8, 64)))
  }
}

/** Offset of the variable header (after the fixed header), or the length when the frame is too short to tell. */
function headerEnd (frame: Buffer): number {
  let i = 1
  while (i < frame.length && i < 5 && (frame[i]! & 0x80) !== 0) i++
  return Math.min(i + 1, frame.length)
}

/** One mutation of a valid MQTT frame; `other` is a second frame to splice with. */
export function mutateFrame (rng: Rng, frame: Buffer, other: Buffer): Buffer {
  const b = Buffer.from(frame)
  switch (rng.int(0, 10)) {
    case 0: { // flip bits
      for (let k = rng.int(1, 4); k > 0; k--) {
        const i = rng.int(0, b.length - 1)
        b[i] = b[i]! ^ (1 << rng.int(0, 7))
      }
      return b
    }
    case 1: { // overwrite bytes
      for (let k = rng.int(1, 4); k > 0; k--) b[rng.int(0, b.length - 1)] = byte(rng)
      return b
    }
    case 2: { // insert bytes
      const at = rng.int(0, b.length)
      return Buffer.concat([b.subarray(0, at), randomBytes(rng, rng.int(1, 16)), b.subarray(at)])
    }
    case 3: { // delete a range
      const at = rng.int(0, b.length - 1)
      return Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + rng.int(1, 8)))])
    }
    case 4: { // duplicate a range
      const at = rng.int(0, b.length - 1)
      const end = Math.min(b.length, at + rng.int(1, 32))
      return Buffer.concat([b.subarray(0, end), b.subarray(at, end), b.subarray(end)])
    }
    case 5: // truncate
      return b.subarray(0, rng.int(1, Math.max(1, b.length - 1)))
    case 6: { // a remaining length that lies
      const start = headerEnd(b)
      return Buffer.concat([b.subarray(0, 1), lyingLength(rng, b.length - start), b.subarray(start)])
    }
    case 7: { // another packet type with this body, flags included
      b[0] = (rng.int(0, 15) << 4) | rng.int(0, 15)
      return b
    }
    case 8: { // spliced with another packet
      const cut = rng.int(1, b.length)
      return Buffer.concat([b.subarray(0, cut), other.subarray(rng.int(0, Math.max(0, other.length - 1)))])
    }
    case 9: // the header of this packet, the rest random
      return Buffer.concat([b.subarray(0, headerEnd(b)), randomBytes(rng, rng.int(0, 64))])
    default: { // a string field's bytes made hostile: NUL, an overlong encoding, a lone surrogate
      const bad = rng.pick([[0x00], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xef, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80]])
      const at = rng.int(headerEnd(b), Math.max(headerEnd(b), b.length - 1))
      return Buffer.concat([b.subarray(0, at), Buffer.from(bad), b.subarray(at + 1)])
    }
  }
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json }

/** Values that break the careless: wrong types, extremes, text a database cannot hold. */
export const HOSTILE_VALUES: readonly Json[] = [
  null, true, false, 0, -1, -0, 1.5, 1e308, -1e308, 2 ** 53, 2 ** 63, -(2 ** 63), 4294967296,
  // eslint-disable-next-line no-template-curly-in-string -- '${jndi}' is a hostile value, not a template
  '', ' ', '\u0000', 'a\u0000b', '\ud800', '\udfff', 'x\ud83d', '\u202e', '\ufeff', '%s%n', '${jndi}', '../../etc/passwd',
  '0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '10000-01-01T00:00:00Z', '2025-02-30T00:00:00Z', '2025-01-01T24:00:00Z',
  '2025-01-01T00:00:00+24:00', 'NaN', 'Infinity', '1e999', 'x'.repeat(129), 'x'.repeat(5000), '#', '+', '$SYS', 'rh/v1/#',
  [], [null], {}, { $ref: '#' }, JSON.parse('{"__proto__": {"polluted": true}}') as Json, { constructor: { prototype: { polluted: true } } },
]

function deepNest (depth: number): Json {
  let v: Json = 0
  for (let i = 0; i < depth; i++) v = i % 2 === 0 ? [v] : { a: v }
  return v
}

/** Every path to a value in `v` (object keys and array indices). */
function paths (v: Json, prefix: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  if (v !== null && typeof v === 'object') {
    for (const [k, child] of Object.entries(v)) {
      const p = [...prefix, Array.isArray(v) ? Number(k) : k]
      out.push(p)
      paths(child as Json, p, out)
    }
  }
  return out
}

function setAt (root: Json, path: Array<string | number>, value: Json | undefined): void {
  let node = root as Record<string | number, Json>
  for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, Json>
  const last = path[path.length - 1]!
  if (value === undefined) delete node[last]
  else node[last] = value
}

/**
 * A malformed variant of a valid payload, as the text that is published. Most
 * variants break the schema; a few happen to stay valid (the platform must
 * take those as ordinary events).
 */
export function mutatePayload (rng: Rng, valid: Record<string, unknown>): Buffer {
  // Now and then larger than any payload may be: the broker closes the connection (the others go on).
  if (rng.chance(0.002)) return Buffer.from(JSON.stringify({ ...valid, door: 'x'.repeat(70_000) }))
  const m = mutated(rng, valid)
  // JSON.stringify escapes lone surrogates, so the text always encodes; damaged bytes come as a Buffer.
  return typeof m === 'string' ? Buffer.from(m, 'utf8') : m
}

function mutated (rng: Rng, valid: Record<string, unknown>): string | Buffer {
  const v = structuredClone(valid) as Json
  const at = paths(v)
  switch (rng.int(0, 7)) {
    case 0:
    case 1: { // one value hostile
      const p = rng.pick(at)
      setAt(v, p, rng.pick(HOSTILE_VALUES))
      return JSON.stringify(v)
    }
    case 2: { // a field dropped
      setAt(v, rng.pick(at), undefined)
      return JSON.stringify(v)
    }
    case 3: { // an unknown field, maybe hostile, maybe at the top
      const p = rng.chance(0.5) ? [] : rng.pick(at).slice(0, -1)
      const name = rng.pick(['extra', '__proto__', 'constructor', '', '\u0000', 'seq ', 'x'.repeat(300)])
      const target = p.length === 0 ? v : p.reduce<Json>((n, k) => (n as Record<string | number, Json>)[k]!, v)
      if (target !== null && typeof target === 'object' && !Array.isArray(target)) (target as Record<string, Json>)[name] = rng.pick(HOSTILE_VALUES)
      return JSON.stringify(v)
    }
    case 4: // nested far deeper than any message
      return JSON.stringify({ ...valid, credential: deepNest(rng.int(50, 3000)) })
    case 5: { // the JSON text damaged
      const text = Buffer.from(JSON.stringify(v))
      for (let k = rng.int(1, 3); k > 0; k--) text[rng.int(0, text.length - 1)] = byte(rng)
      return text
    }
    case 6: // the whole payload of another type
      return JSON.stringify(rng.pick(HOSTILE_VALUES))
    default: { // a string with every kind of damage at once
      const p = rng.pick(at)
      setAt(v, p, `${'\u0000'.repeat(rng.int(1, 3))}\ud800${'\u0001'.repeat(rng.int(0, 3))}`)
      return JSON.stringify(v)
    }
  }
}
