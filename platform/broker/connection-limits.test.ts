// Connection limits against the real broker on real sockets: in all, per
// remote address (loopback addresses 127.0.0.x stand for the sites), per
// person account; each refusal is CONNACK 3 or 5, counted, and frees nothing
// it did not take.

import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { deviceTopic, LAST_WILL_PAYLOAD } from '../../protocol/index.ts'
import { eventually, startHarness, type Harness, type RawClient } from './broker.test-kit.ts'
import { connect } from './mqtt-bytes.test-kit.ts'

let h: Harness
beforeEach(async () => {
  h = await startHarness({ limits: { maxConnections: 6, maxPerAddress: 3, maxPerAccount: 2 } })
})
afterEach(async () => {
  await h.stop()
})

const CONNACK_3 = [0x20, 0x02, 0x00, 0x03]

/** A raw connection that sends a device's CONNECT; resolves with the first 4 bytes it is answered. */
async function connectRaw (id: string, from = '127.0.0.1'): Promise<{ raw: RawClient; answer: number[] }> {
  const d = h.directory.add(id)
  const raw = await h.raw(from)
  raw.send(connect({
    clientId: d.deviceId, username: d.deviceId, password: d.secret, keepalive: 30,
    will: { topic: deviceTopic(d.buildingId, d.deviceId, 'status'), payload: LAST_WILL_PAYLOAD, qos: 1, retain: true },
  }))
  return { raw, answer: [...await raw.waitBytes(4)] }
}

const refused = () => h.broker.stats.totals().refusedConnections

describe('connection limits', () => {
  it('refuses a fourth connection from one address with CONNACK 3, and admits one again once a slot is free', async () => {
    const idle = [await h.raw(), await h.raw()] // sockets count before they send CONNECT
    expect((await connectRaw('reader-1')).answer).toEqual([0x20, 0x02, 0x00, 0x00])
    const over = await connectRaw('reader-2')
    expect(over.answer).toEqual(CONNACK_3)
    await over.raw.waitClosed()
    expect(refused()).toEqual({ too_many_connections_from_address: 1 })
    expect(h.directory.lookups).toBe(1) // the refused login never reached the directory
    // Another address is not affected.
    expect((await connectRaw('reader-3', '127.0.0.2')).answer).toEqual([0x20, 0x02, 0x00, 0x00])
    idle[0]!.socket.destroy()
    await eventually(() => idle[0]!.closed)
    // The slot is free once the broker has seen the socket close, a moment after the client has: try until then.
    let answer: number[] = CONNACK_3
    for (let attempt = 0; answer[3] !== 0 && attempt < 100; attempt++) answer = (await connectRaw(`reader-2-${attempt}`)).answer
    expect(answer).toEqual([0x20, 0x02, 0x00, 0x00])
    const log = h.logs.find((l) => l.reason === 'too_many_connections_from_address')
    expect(log).toMatchObject({ returnCode: 3, remoteAddress: '127.0.0.1', maxPerAddress: 3 })
  })

  it('refuses past the total over all addresses, and logs the flood in one line per interval', async () => {
    for (let i = 0; i < 6; i++) await h.raw(`127.0.0.${10 + i}`)
    for (let i = 0; i < 3; i++) {
      const over = await connectRaw(`late-${i}`, '127.0.0.20')
      expect(over.answer).toEqual(CONNACK_3)
    }
    expect(refused()).toEqual({ too_many_connections: 3 })
    expect(h.logs.filter((l) => l.reason === 'too_many_connections')).toHaveLength(1)
  })

  it('closes an over-limit socket that never sends CONNECT', async () => {
    for (let i = 0; i < 3; i++) await h.raw()
    const silent = await h.raw()
    await silent.waitClosed(4000)
    expect(silent.received.length).toBe(0)
  })

  it('lets a person account hold two alert connections, a third is refused with 5, a take-over is not', async () => {
    const police = h.people.add('police-s1', 'police', '/d1/s1/')
    await h.person(police, { clientId: 'dispatch:police-s1:a' })
    const b = await h.person(police, { clientId: 'dispatch:police-s1:b' })
    expect(await h.personRefusal(police, { clientId: 'dispatch:police-s1:c' })).toBe(5)
    expect(refused()).toEqual({ too_many_connections_for_account: 1 })
    // Taking over a client id the account holds replaces that connection.
    await h.person(police, { clientId: 'dispatch:police-s1:a' })
    await b.endAsync()
    await eventually(() => h.broker.stats.totals().connectedPeople === 1)
    await h.person(police, { clientId: 'dispatch:police-s1:c' })
    // Another account has its own slots.
    await h.person(h.people.add('police-s2', 'police', '/d1/s2/'), { clientId: 'dispatch:police-s2' })
  })
})
