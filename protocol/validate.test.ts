import { describe, expect, it } from 'vitest'
import { sampleUplinks } from './samples.ts'
import { MAX_UPLINK_PAYLOAD_BYTES, UPLINK_CHANNELS, type UplinkChannel } from './topics.ts'
import {
  decodeCommand,
  decodeUplink,
  errorReplyFor,
  unknownChannelReply,
  validateErrorReply,
  validateUplink,
  type DecodeFailure,
} from './validate.ts'

const TOPIC = 'rh/v1/bldg-01/reader-01/event/access'
const bytes = (s: string): Buffer => Buffer.from(s, 'utf8')

function fails (r: ReturnType<typeof decodeUplink>): DecodeFailure {
  if (r.ok) throw new Error('expected a failure')
  return r
}

describe('decodeUplink', () => {
  it('decodes every sample', () => {
    for (const c of UPLINK_CHANNELS) {
      const r = decodeUplink(c, bytes(JSON.stringify(sampleUplinks()[c])))
      expect(r).toEqual({ ok: true, value: sampleUplinks()[c] })
    }
  })

  it('accepts a plain Uint8Array', () => {
    const u8 = new TextEncoder().encode(JSON.stringify(sampleUplinks().heartbeat))
    expect(decodeUplink('heartbeat', u8).ok).toBe(true)
  })

  it.each([
    ['empty payload', Buffer.alloc(0)],
    ['garbage', bytes('hello')],
    ['truncated JSON', bytes('{"eventId":"a",')],
    ['ill-formed UTF-8', Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d])],
    ['byte order mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes('{}')])],
    ['UTF-16', Buffer.from('{"a":1}', 'utf16le')],
  ])('reports not_json for %s', (_name, payload) => {
    const r = fails(decodeUplink('event/access', payload))
    expect(r.code).toBe('not_json')
    expect(r.errors).toEqual([])
  })

  it.each([
    ['null', 'null'],
    ['array', '[]'],
    ['number', '42'],
    ['string', '"x"'],
    ['empty object', '{}'],
  ])('reports schema_invalid for JSON %s', (_name, text) => {
    expect(fails(decodeUplink('event/access', bytes(text))).code).toBe('schema_invalid')
  })

  it('refuses payloads over the limit before parsing', () => {
    const big = Buffer.alloc(MAX_UPLINK_PAYLOAD_BYTES + 1, 0x20)
    expect(fails(decodeUplink('heartbeat', big)).code).toBe('payload_too_large')
    expect(fails(decodeUplink('heartbeat', bytes(JSON.stringify(sampleUplinks().heartbeat)), 10)).code)
      .toBe('payload_too_large')
  })

  it('survives deep nesting', () => {
    const deep = bytes(`${'['.repeat(30_000)}${']'.repeat(30_000)}`)
    expect(fails(decodeUplink('status', deep)).code).toBe('schema_invalid')
  })

  it('echoes eventId and gives JSON-pointer paths', () => {
    const bad = { ...sampleUplinks()['event/access'], direction: 'up', 'a/b~c': 1 }
    const r = fails(decodeUplink('event/access', bytes(JSON.stringify(bad))))
    expect(r.code).toBe('schema_invalid')
    expect(r.eventId).toBe(bad.eventId)
    expect(r.errors).toContainEqual({ path: '/direction', message: 'must be one of: "in", "out"' })
    expect(r.errors).toContainEqual({ path: '/a~1b~0c', message: 'is not allowed' })
  })

  it('rejects __proto__ and other unknown keys', () => {
    const text = JSON.stringify(sampleUplinks().heartbeat).replace('{', '{"__proto__":{"x":1},')
    const r = fails(decodeUplink('heartbeat', bytes(text)))
    expect(r.errors.map((e) => e.path)).toContain('/__proto__')
  })

  it('echoes requestId of a rejected reply', () => {
    const r = fails(decodeUplink('reply', bytes('{"requestId":"req-1","command":"config","status":"maybe"}')))
    expect(r.requestId).toBe('req-1')
  })

  it('reports at most 10 errors', () => {
    const junk = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i]))
    const r = validateUplink('event/access', junk)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.errors.length).toBe(10)
  })

  it('explains a bad timestamp in words', () => {
    const r = validateUplink('heartbeat', { ts: '2025-03-01 08:00:00', uptimeS: 1 })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.errors).toEqual([{ path: '/ts', message: expect.stringContaining('RFC 3339') }])
  })

  it('throws for a channel outside the tree', () => {
    expect(() => decodeUplink('event/fire' as UplinkChannel, bytes('{}'))).toThrow(RangeError)
    expect(() => validateUplink('command/config' as UplinkChannel, {})).toThrow(RangeError)
  })

  it('keeps up with a busy broker', () => {
    const payload = bytes(JSON.stringify(sampleUplinks()['event/access']))
    const start = performance.now()
    for (let i = 0; i < 50_000; i++) decodeUplink('event/access', payload)
    expect(performance.now() - start).toBeLessThan(2_000)
  })
})

describe('error replies', () => {
  it('builds a valid ErrorReply from every kind of failure', () => {
    const failures = [
      fails(decodeUplink('event/access', bytes('nope'))),
      fails(decodeUplink('event/access', bytes(JSON.stringify({ ...sampleUplinks()['event/access'], seq: -1 })))),
      fails(decodeUplink('heartbeat', Buffer.alloc(MAX_UPLINK_PAYLOAD_BYTES + 1))),
      fails(decodeUplink('event/access', bytes(JSON.stringify(Object.fromEntries(
        Array.from({ length: 40 }, (_, i) => [`k${i}`.repeat(200), 'x'.repeat(2000)]),
      ))))),
    ]
    for (const f of failures) {
      const reply = errorReplyFor(TOPIC, f)
      expect(reply.code).toBe(f.code)
      expect(validateErrorReply(reply)).toEqual({ ok: true, value: reply })
    }
    expect(validateErrorReply(unknownChannelReply('rh/v1/b/d/event/fire')).ok).toBe(true)
  })

  it('stays a valid ErrorReply when the rejected message carries U+0000 or lone surrogates', () => {
    const access = sampleUplinks()['event/access']
    const failures = [
      // V8 quotes the input in its parse error: a raw NUL byte would travel back in the message.
      fails(decodeUplink('event/access', Buffer.concat([bytes('{"a":'), Buffer.from([0]), bytes('}')]))),
      fails(decodeUplink('event/access', bytes(JSON.stringify({ ...access, 'x\u0000y': 1, 'z\ud800': 2 })))),
      fails(decodeUplink('event/access', bytes(JSON.stringify({ ...access, eventId: 'a\u0000b' })))),
      fails(decodeUplink('reply', bytes(JSON.stringify({ requestId: 'r\ud800', command: 'config', status: 'maybe' })))),
    ]
    for (const f of failures) {
      const reply = errorReplyFor('rh/v1/b/d/event/access\n', f)
      expect(validateErrorReply(reply)).toEqual({ ok: true, value: reply })
    }
    // An id the protocol would refuse is not echoed; the error still points at the field.
    expect(failures[2]!.eventId).toBeUndefined()
    expect(failures[2]!.errors.map((e) => e.path)).toContain('/eventId')
    expect(failures[3]!.requestId).toBeUndefined()
  })
})

describe('decodeCommand', () => {
  it('decodes and rejects commands as a device would', () => {
    const ok = decodeCommand('open-door', bytes('{"requestId":"r1","ts":"2025-03-01T09:00:00Z","door":"main-gate"}'))
    expect(ok.ok).toBe(true)
    const bad = decodeCommand('open-door', bytes('{"requestId":"r2","ts":"2025-03-01T09:00:00Z"}'))
    expect(bad.ok).toBe(false)
    if (!bad.ok) expect(bad.requestId).toBe('r2')
  })
})
