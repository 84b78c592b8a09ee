// End to end on both databases: an access event whose
// card value holds U+0000 was acknowledged, its alert could not be written,
// and every later alert waited behind it. Now the edge refuses it (the
// protocol's string rule): acknowledged, dropped, answered with an error reply
// naming the field, counted; and the next swipe's alert arrives as usual.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ErrorReply } from '../protocol/index.ts'
import { DATABASE_KINDS } from './support/databases.ts'
import { connectReader } from './support/mqtt-device.ts'
import { callApi, provisionReader, startTestPlatform, type TestPlatform } from './support/platform.ts'
import { until } from './support/wait.ts'

const swipe = (n: number, value: string): string => JSON.stringify({
  eventId: `unstorable-${n}`, seq: n, ts: new Date().toISOString(), door: 'main-gate', direction: 'in',
  credential: { kind: 'card', value }, result: 'denied', reason: 'unknown_credential',
})

describe.each(DATABASE_KINDS)('a card value the database cannot store, on %s', (kind) => {
  let tp: TestPlatform
  beforeAll(async () => { tp = await startTestPlatform(kind) }, 60_000)
  afterAll(async () => { await tp?.dispose() })

  it('is refused at the edge with an error reply, and alerting goes on', async () => {
    const details = await provisionReader(tp, 'landlord-li', 'demo-b1')
    const { client, box } = await connectReader(details)
    const topic = details.publish[0]!
    await client.publishAsync(topic, swipe(1, 'CARD\u00000001'), { qos: 1 })
    const err = await box.next(/\/error$/) as ErrorReply
    expect(err).toMatchObject({ code: 'schema_invalid', eventId: 'unstorable-1', topic })
    expect(err.errors?.map((e) => e.path)).toEqual(['/credential/value'])
    await client.publishAsync(topic, swipe(2, 'CARD\ud8000002'), { qos: 1 })
    expect(await box.next(/\/error$/)).toMatchObject({ code: 'schema_invalid', eventId: 'unstorable-2' })
    // The next swipe of an unknown card opens its alert: nothing waits behind the refused ones.
    await client.publishAsync(topic, swipe(3, 'CARD0003'), { qos: 1 })
    // Alert keys name a card by its keyed digest, never by its number.
    const key = `unknown_credential:demo-b1:${tp.platform.registry.ctx.secrets.presentedKey('card', 'CARD0003')}`
    await until('the alert of the next swipe', async () =>
      (await callApi(tp, 'admin', 'GET', '/alerts?type=unknown_credential&buildingId=demo-b1')).body.items
        .some((a: { dedupKey: string }) => a.dedupKey === key), 10_000)
    const device = await callApi(tp, 'landlord-li', 'GET', `/devices/${details.clientId}`)
    expect(device.body.status).toMatchObject({ accepted: 1, rejected: 2, rejectedByCode: { schema_invalid: 2 } })
    const stats = await callApi(tp, 'admin', 'GET', '/broker/stats')
    expect(stats.body.pipeline).toMatchObject({ setAside: 0, uncommitted: 0, ruleFailures: {}, rulesStopped: false })
    await client.endAsync(true)
  })
})
