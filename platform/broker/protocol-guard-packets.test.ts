import { describe, expect, it } from 'vitest'
import { connect, frame, puback, publish, subscribe } from './mqtt-bytes.test-kit.ts'
import { MqttFrameGuard } from './protocol-guard-frames.ts'
import { refusalConnack, type GuardViolationCode } from './protocol-guard-packets.ts'
import { bytewise, CONNECT, feed, LIMIT } from './protocol-guard.test-kit.ts'

describe('packet checks', () => {
  const c = (spec: Parameters<typeof connect>[0]): Buffer => connect(spec)
  const cases: Array<[string, Buffer[], GuardViolationCode]> = [
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
    ['SUBSCRIBE requested QoS 3', [CONNECT, subscribe(1, [['a', 3]])], 'invalid_qos'],
    ['SUBSCRIBE without filters', [CONNECT, subscribe(1, [])], 'malformed_packet'],
    ['CONNECT reserved flag', [c({ clientId: 'a', flags: 0x03 })], 'reserved_flags'],
    ['will QoS without will flag', [c({ clientId: 'a', flags: 0x0a })], 'invalid_will'],
    ['password without user name', [c({ clientId: 'a', flags: 0x42, password: 'p' })], 'malformed_packet'],
    ['protocol level 5', [c({ clientId: 'a', protocolLevel: 5 })], 'unsupported_protocol'],
    ['unknown protocol name', [c({ clientId: 'a', protocolName: 'MQTX' })], 'malformed_packet'],
    ['trailing bytes after CONNECT', [frame(0x10, Buffer.concat([connect({ clientId: 'a' }).subarray(2), Buffer.from([1])]))], 'malformed_packet'],
    ['PINGREQ with a body', [CONNECT, Buffer.from([0xc0, 0x01, 0x00])], 'malformed_packet'],
  ]

  it.each(cases)('%s', (_name, packets, code) => {
    expect(feed([Buffer.concat(packets)]).code).toBe(code)
    // The same bytes one at a time are judged the same way.
    expect(feed(bytewise(Buffer.concat(packets))).code).toBe(code)
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
