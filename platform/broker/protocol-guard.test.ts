import { describe, expect, it } from 'vitest'
import { connect, DISCONNECT, field, frame, PINGREQ, puback, publish, subscribe } from './mqtt-bytes.test-kit.ts'
import { MqttFrameGuard, refusalConnack, type GuardViolationCode } from './protocol-guard.ts'

const LIMIT = 4096
const CONNECT = connect({ clientId: 'reader-01', username: 'reader-01', password: 's3cret', will: { topic: 'rh/v1/b/reader-01/status', payload: '{}', qos: 1, retain: true } })

function validSession (): Buffer[] {
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
function feed (chunks: Buffer[], limit = LIMIT): { out: Buffer; releasedAt: number[]; code?: GuardViolationCode } {
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

function bytewise (b: Buffer): Buffer[] {
  return [...b].map((x) => Buffer.from([x]))
}

/** Deterministic pseudo-random split of `b` into chunks of 1..maxLen bytes. */
function randomSplit (b: Buffer, seed: number, maxLen: number): Buffer[] {
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

describe('MqttFrameGuard: valid traffic', () => {
  const all = Buffer.concat(validSession())

  it('passes a whole session given in one chunk, unchanged', () => {
    const r = feed([all])
    expect(r.code).toBeUndefined()
    expect(r.out.equals(all)).toBe(true)
  })

  it('passes the same bytes fed one byte at a time, releasing each packet only when complete', () => {
    const r = feed(bytewise(all))
    expect(r.code).toBeUndefined()
    expect(r.out.equals(all)).toBe(true)
    // Each release happens at the chunk holding the last byte of a packet.
    let end = 0
    const packetEnds = validSession().map((p) => (end += p.length) - 1)
    expect(r.releasedAt).toEqual(packetEnds)
  })

  it('passes the same bytes under many random splits', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const r = feed(randomSplit(all, seed, 1 + (seed % 40)))
      expect(r.code).toBeUndefined()
      expect(r.out.equals(all)).toBe(true)
    }
  })

  it('accepts a packet of exactly the limit and a 4-byte remaining length up to it', () => {
    const p = publish({ topic: 'rh/v1/b/d/heartbeat', payload: 'x'.repeat(200_000) })
    const r = feed([CONNECT, ...randomSplit(p, 3, 5000)], p.length)
    expect(r.code).toBeUndefined()
    expect(r.out.length).toBe(CONNECT.length + p.length)
  })

  it('accepts an empty client id with clean session 1 and MQTT 3.1 (MQIsdp, level 3)', () => {
    expect(feed([connect({ clientId: '', clean: true })]).code).toBeUndefined()
    expect(feed([connect({ clientId: 'x', protocolName: 'MQIsdp', protocolLevel: 3 })]).code).toBeUndefined()
  })
})

describe('MqttFrameGuard: violations', () => {
  const c = (spec: Parameters<typeof connect>[0]): Buffer => connect(spec)
  const cases: Array<[string, Buffer[], GuardViolationCode]> = [
    ['first packet is not CONNECT', [PINGREQ], 'connect_expected'],
    ['second CONNECT', [CONNECT, CONNECT], 'duplicate_connect'],
    ['invalid UTF-8 client id', [c({ clientId: Buffer.from([0x61, 0xc3, 0x28]) })], 'invalid_utf8'],
    ['overlong UTF-8 in client id', [c({ clientId: Buffer.from([0xc0, 0xaf]) })], 'invalid_utf8'],
    ['UTF-16 surrogate in client id', [c({ clientId: Buffer.from([0xed, 0xa0, 0x80]) })], 'invalid_utf8'],
    ['U+0000 in client id', [c({ clientId: Buffer.from([0x61, 0x00]) })], 'utf8_null'],
    ['U+0000 in user name', [c({ clientId: 'a', username: Buffer.from([0x00]), password: 'p' })], 'utf8_null'],
    ['U+0000 in topic', [CONNECT, publish({ topic: Buffer.from('rh/v1/b/\u0000/status') })], 'utf8_null'],
    ['wildcard in topic name', [CONNECT, publish({ topic: 'rh/v1/+/d/status' })], 'invalid_topic'],
    ['empty topic name', [CONNECT, publish({ topic: '' })], 'invalid_topic'],
    ['zero-length client id with clean session 0', [c({ clientId: '', clean: false })], 'identifier_rejected'],
    ['packet id 0 on a QoS 1 PUBLISH', [CONNECT, publish({ topic: 'a/b', qos: 1, packetId: 0 })], 'zero_packet_id'],
    ['packet id 0 on PUBACK', [CONNECT, puback(0)], 'zero_packet_id'],
    ['packet id 0 on SUBSCRIBE', [CONNECT, subscribe(0, [['a', 0]])], 'zero_packet_id'],
    ['will QoS 3', [c({ clientId: 'a', will: { topic: 't', payload: 'x', qos: 3 } })], 'invalid_qos'],
    ['PUBLISH QoS 3', [CONNECT, frame(0x36, Buffer.concat([field('a'), Buffer.from([0, 1])]))], 'invalid_qos'],
    ['DUP on QoS 0', [CONNECT, publish({ topic: 'a', dup: true })], 'reserved_flags'],
    ['SUBSCRIBE with flags 0', [CONNECT, subscribe(1, [['a', 0]], 0x00)], 'reserved_flags'],
    ['SUBSCRIBE requested QoS 3', [CONNECT, subscribe(1, [['a', 3]])], 'invalid_qos'],
    ['SUBSCRIBE without filters', [CONNECT, subscribe(1, [])], 'malformed_packet'],
    ['CONNECT reserved flag', [c({ clientId: 'a', flags: 0x03 })], 'reserved_flags'],
    ['will QoS without will flag', [c({ clientId: 'a', flags: 0x0a })], 'invalid_will'],
    ['password without user name', [c({ clientId: 'a', flags: 0x42, password: 'p' })], 'malformed_packet'],
    ['protocol level 5', [c({ clientId: 'a', protocolLevel: 5 })], 'unsupported_protocol'],
    ['unknown protocol name', [c({ clientId: 'a', protocolName: 'MQTX' })], 'malformed_packet'],
    ['trailing bytes after CONNECT', [frame(0x10, Buffer.concat([connect({ clientId: 'a' }).subarray(2), Buffer.from([1])]))], 'malformed_packet'],
    ['reserved packet type 0', [CONNECT, Buffer.from([0x00, 0x00])], 'reserved_packet_type'],
    ['reserved packet type 15', [CONNECT, Buffer.from([0xf0, 0x00])], 'reserved_packet_type'],
    ['remaining length of 5 bytes', [CONNECT, Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01])], 'malformed_remaining_length'],
    ['PINGREQ with a body', [CONNECT, Buffer.from([0xc0, 0x01, 0x00])], 'malformed_packet'],
    ['oversize packet', [CONNECT, publish({ topic: 'a', payload: 'x'.repeat(LIMIT) })], 'packet_too_large'],
  ]

  it.each(cases)('%s', (_name, packets, code) => {
    expect(feed([Buffer.concat(packets)]).code).toBe(code)
    // The same bytes one at a time are judged the same way.
    expect(feed(bytewise(Buffer.concat(packets))).code).toBe(code)
  })

  it('refuses an oversize packet from its fixed header, before the body arrives', () => {
    const big = publish({ topic: 'a', payload: 'x'.repeat(LIMIT) })
    const guard = new MqttFrameGuard({ maxPacketBytes: LIMIT })
    expect(guard.push(CONNECT).violation).toBeUndefined()
    expect(guard.push(big.subarray(0, 4)).violation?.code).toBe('packet_too_large')
  })

  it('releases the valid packets before a violation and nothing after it', () => {
    const good = publish({ topic: 'a/b', qos: 1, packetId: 3, payload: 'ok' })
    const bad = publish({ topic: 'a/b', qos: 1, packetId: 0 })
    const guard = new MqttFrameGuard({ maxPacketBytes: LIMIT })
    const first = guard.push(Buffer.concat([CONNECT, good, bad.subarray(0, 3)]))
    expect(Buffer.concat(first.pass).equals(Buffer.concat([CONNECT, good]))).toBe(true)
    const second = guard.push(Buffer.concat([bad.subarray(3), PINGREQ]))
    expect(second.pass).toEqual([])
    expect(second.violation?.code).toBe('zero_packet_id')
    expect(guard.push(PINGREQ)).toEqual({ pass: [] })
    expect(guard.violation?.clause).toBe('MQTT-2.3.1-1')
  })

  it('owes a CONNACK only for the refusals MQTT 3.1.1 answers with one', () => {
    const guard = new MqttFrameGuard({ maxPacketBytes: LIMIT })
    const v = guard.push(connect({ clientId: '', clean: false })).violation!
    expect(v.clause).toBe('MQTT-3.1.3-8')
    expect([...refusalConnack(v)!]).toEqual([0x20, 0x02, 0x00, 0x02])
    const level = new MqttFrameGuard({ maxPacketBytes: LIMIT }).push(connect({ clientId: 'a', protocolLevel: 5 })).violation!
    expect([...refusalConnack(level)!]).toEqual([0x20, 0x02, 0x00, 0x01])
    const utf = new MqttFrameGuard({ maxPacketBytes: LIMIT }).push(connect({ clientId: Buffer.from([0xff]) })).violation!
    expect(refusalConnack(utf)).toBeUndefined()
  })
})

describe('guardConnection: writes', () => {
  it('sends what the broker wrote while corked in one socket write, bytes in order', async () => {
    const { createServer, connect: connectTcp } = await import('node:net')
    const { guardConnection } = await import('./protocol-guard.ts')
    const received: Buffer[] = []
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as { port: number }).port
    const accepted = new Promise<import('node:net').Socket>((resolve) => server.once('connection', resolve))
    const client = connectTcp(port, '127.0.0.1')
    client.on('data', (d: Buffer) => received.push(d))
    const socket = await accepted
    // What reaches the socket's handle: _write per single chunk, _writev per batch (one system call each).
    const calls: string[] = []
    const raw = socket as unknown as { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void }
    const [w, wv] = [raw._write.bind(socket), raw._writev.bind(socket)]
    raw._write = (...a) => { calls.push('write'); w(...a) }
    raw._writev = (...a) => { calls.push(`writev ${(a[0] as unknown[]).length}`); wv(...a) }
    const conn = guardConnection(socket, { maxPacketBytes: 1024 }, () => {})
    try {
      conn.cork()
      for (let id = 1; id <= 20; id++) conn.write(puback(id))
      process.nextTick(() => conn.uncork())
      const expected = Buffer.concat(Array.from({ length: 20 }, (_, i) => puback(i + 1)))
      await expect.poll(() => Buffer.concat(received).length).toBe(expected.length)
      expect(Buffer.concat(received)).toEqual(expected)
      expect(calls).toEqual(['writev 20'])
    } finally {
      conn.destroy()
      client.destroy()
      await new Promise((resolve) => server.close(resolve))
    }
  })
})
