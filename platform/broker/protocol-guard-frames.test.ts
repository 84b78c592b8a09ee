import { describe, expect, it } from 'vitest'
import { connect, field, frame, PINGREQ, publish, subscribe } from './mqtt-bytes.test-kit.ts'
import { MqttFrameGuard } from './protocol-guard-frames.ts'
import type { GuardViolationCode } from './protocol-guard-packets.ts'
import { bytewise, CONNECT, feed, LIMIT, randomSplit, validSession } from './protocol-guard.test-kit.ts'

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

describe('MqttFrameGuard: violations in the fixed header', () => {
  const cases: Array<[string, Buffer[], GuardViolationCode]> = [
    ['first packet is not CONNECT', [PINGREQ], 'connect_expected'],
    ['second CONNECT', [CONNECT, CONNECT], 'duplicate_connect'],
    ['PUBLISH QoS 3', [CONNECT, frame(0x36, Buffer.concat([field('a'), Buffer.from([0, 1])]))], 'invalid_qos'],
    ['DUP on QoS 0', [CONNECT, publish({ topic: 'a', dup: true })], 'reserved_flags'],
    ['SUBSCRIBE with flags 0', [CONNECT, subscribe(1, [['a', 0]], 0x00)], 'reserved_flags'],
    ['reserved packet type 0', [CONNECT, Buffer.from([0x00, 0x00])], 'reserved_packet_type'],
    ['reserved packet type 15', [CONNECT, Buffer.from([0xf0, 0x00])], 'reserved_packet_type'],
    ['remaining length of 5 bytes', [CONNECT, Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01])], 'malformed_remaining_length'],
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
})
