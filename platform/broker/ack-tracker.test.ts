import { describe, expect, it } from 'vitest'
import { AckTracker, MAX_TRACKED_IDS } from './ack-tracker.ts'
import { ack, publish } from './mqtt-bytes.test-kit.ts'

const PUBACK = 4
const PUBREC = 5
const PUBCOMP = 7

/** Feeds `bytes` to the tracker one byte at a time, as a slow socket write might split them. */
function dribble (t: AckTracker, bytes: Buffer): void {
  for (let i = 0; i < bytes.length; i++) t.outbound(bytes.subarray(i, i + 1))
}

describe('AckTracker', () => {
  it('reads packet ids from frames split anywhere, past topics and payloads of any length', () => {
    const t = new AckTracker()
    const long = 'x'.repeat(300) // a two-byte remaining length
    dribble(t, Buffer.concat([
      publish({ topic: 'a/b', payload: long, qos: 1, packetId: 1 }),
      publish({ topic: 'q0', payload: 'zero' }), // QoS 0: no id
      publish({ topic: long, payload: '', qos: 2, packetId: 2 }),
    ]))
    expect(t.inFlight).toBe(2)
    expect(t.inbound(PUBREC, 1)?.code).toBe('wrong_ack_type')
    expect(t.inbound(PUBACK, 2)?.message).toMatch(/PUBACK for packet id 2, which is owed PUBREC/)
    expect(t.inbound(PUBACK, 1)).toBeUndefined()
    expect(t.inbound(PUBREC, 2)).toBeUndefined()
    // Until the broker's PUBREL goes out, PUBCOMP is early; after it, PUBCOMP ends the flow.
    expect(t.inbound(PUBCOMP, 2)?.code).toBe('wrong_ack_type')
    t.outbound(ack(0x62, 2))
    expect(t.inbound(PUBREC, 2)?.code).toBe('wrong_ack_type')
    expect(t.inbound(PUBCOMP, 2)).toBeUndefined()
    expect(t.inFlight).toBe(0)
  })

  it('tolerates unknown ids and forgets the oldest past its bound', () => {
    const t = new AckTracker()
    expect(t.inbound(PUBREC, 9)).toBeUndefined()
    for (let id = 1; id <= MAX_TRACKED_IDS + 1; id++) t.outbound(publish({ topic: 't', qos: 1, packetId: id }))
    expect(t.inFlight).toBe(MAX_TRACKED_IDS)
    expect(t.inbound(PUBREC, 1)).toBeUndefined() // forgotten: unknown
    expect(t.inbound(PUBREC, 2)?.code).toBe('wrong_ack_type')
  })
})
