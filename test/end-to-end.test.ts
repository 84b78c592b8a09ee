// The first user path, end to end, on both databases: a landlord creates a
// building and a room, provisions a reader, registers a tenant with a card;
// the reader connects over a real socket with the issued credentials, gets its
// allow-list (the card as a digest under the reader's own key), publishes a
// swipe that is accepted and a malformed message that is rejected and counted;
// deregistration revokes the card on the reader.

import mqtt, { type MqttClient } from 'mqtt'
import { firstValueFrom, filter, take, timeout } from 'rxjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AllowlistSync, ErrorReply } from '../protocol/index.ts'
import { allowlistKeyId, parseAllowlistKey, presentedDigest, PROTOCOL_REVISION, sampleUplinks } from '../protocol/index.ts'
import { DATABASE_KINDS } from './support/databases.ts'
import { residentIdNumber } from './support/id-numbers.ts'
import { inbox } from './support/mqtt-device.ts'
import { callApi, startTestPlatform, type TestPlatform } from './support/platform.ts'

describe.each(DATABASE_KINDS)('first path end to end (%s)', (kind) => {
  let tp: TestPlatform
  let reader: MqttClient | undefined
  beforeAll(async () => { tp = await startTestPlatform(kind) }, 60_000)
  afterAll(async () => {
    await reader?.endAsync(true)
    await tp?.dispose()
  })

  const api = (method: string, url: string, payload?: object, who = 'landlord-li') => callApi(tp, who, method, url, payload)

  it('registers a tenant whose card reaches the reader, accepts a swipe, rejects and counts a malformed message', async () => {
    const building = await api('POST', '/buildings', { gridId: 'lianhua-g1', name: 'E2E block', address: '1 Test Road' })
    expect(building.status).toBe(201)
    const room = await api('POST', `/buildings/${building.body.id}/rooms`, { number: '301', capacity: 2 })
    expect(room.status).toBe(201)
    const provisioned = await api('POST', `/buildings/${building.body.id}/devices`, { door: 'main-gate', kind: 'reader', vendor: 'Acme Access', model: 'AR-200' })
    expect(provisioned.status).toBe(201)
    const creds = provisioned.body.mqtt
    expect(creds.password).toMatch(/^[A-Za-z0-9_-]{32}$/)
    expect(creds).toMatchObject({ allowlistKey: expect.stringMatching(/^[0-9a-f]{64}$/), protocolRevision: PROTOCOL_REVISION })
    const key = parseAllowlistKey(creds.allowlistKey)
    for (const secret of [creds.password, creds.allowlistKey]) expect(JSON.stringify(await api('GET', `/devices/${creds.clientId}`))).not.toContain(secret)

    // The reader connects with the issued credentials and subscribes as the spec says.
    reader = await mqtt.connectAsync(tp.mqttUrl, {
      clientId: creds.clientId, username: creds.username, password: creds.password, clean: true, reconnectPeriod: 0,
      will: { topic: creds.will.topic, payload: Buffer.from(creds.will.payload), qos: 1, retain: true },
    })
    const box = inbox(reader)
    await reader.subscribeAsync(creds.subscribe as string[], { qos: 1 })
    const full = await box.next(/command\/allowlist-sync$/) as AllowlistSync
    expect(full).toMatchObject({ mode: 'full', upsert: [], remove: [], keyId: allowlistKeyId(key) })

    // Register a tenant with a card: the reader receives the delta.
    const idNumber = residentIdNumber(4242)
    const reg = await api('POST', `/rooms/${room.body.id}/registrations`, {
      resident: { name: 'Tenant E2E', idType: 'resident_id', idNumber },
      permitValidUntil: '2027-05-31',
      credentials: [{ kind: 'card', value: '0a1b2c3d' }],
    })
    expect(reg.status).toBe(201)
    expect(JSON.stringify(reg.body)).not.toContain(idNumber)
    expect(reg.body.registration.resident.idNumberMasked).toBe(`${idNumber.slice(0, 2)}****************`)
    const cardId = reg.body.credentials[0].id
    const delta = await box.next(/command\/allowlist-sync$/) as AllowlistSync
    expect(delta).toMatchObject({ mode: 'delta', baseVersion: full.version, version: full.version + 1, remove: [] })
    // The entry ends with the residence permit: the midnight after its last day in the building's zone.
    expect(delta.upsert).toEqual([{ credentialId: cardId, kind: 'card', digest: presentedDigest(key, 'card', '0a1b2c3d'), validUntil: '2027-05-31T16:00:00.000Z' }])
    await reader.publishAsync(creds.publish.find((t: string) => t.endsWith('/reply')), JSON.stringify({ requestId: delta.requestId, command: 'allowlist-sync', status: 'ok', data: { version: delta.version } }), { qos: 1 })

    // A valid swipe is acknowledged and reaches the pipeline stream.
    const accessTopic = creds.publish.find((t: string) => t.endsWith('/event/access'))
    const swipe = { ...sampleUplinks()['event/access'], eventId: 'e2e-swipe-1', seq: 1, credential: { kind: 'card', value: '0A1B2C3D', credentialId: cardId } }
    const seen = firstValueFrom(tp.platform.accepted$.pipe(filter((m) => m.channel === 'event/access' && m.deviceId === creds.clientId), take(1), timeout(5000)))
    await reader.publishAsync(accessTopic, JSON.stringify(swipe), { qos: 1 })
    expect((await seen).payload).toEqual(swipe)

    // A redelivered copy (same eventId) is acknowledged but has no second effect.
    const copies: unknown[] = []
    const copySub = tp.platform.accepted$.subscribe((m) => { if (m.channel === 'event/access') copies.push(m) })
    await reader.publishAsync(accessTopic, JSON.stringify(swipe), { qos: 1 })
    copySub.unsubscribe()
    expect(copies).toEqual([])
    const from = '2025-01-01T00:00:00Z'
    const history = await api('GET', `/credentials/${cardId}/events?from=${from}&to=2026-01-01T00:00:00Z`)
    expect(history.status).toBe(200)
    expect(history.body.map((e: { eventId: string }) => e.eventId)).toEqual(['e2e-swipe-1'])

    // A malformed swipe is acknowledged, answered on the error topic, counted, and goes no further.
    const downstream: unknown[] = []
    const sub = tp.platform.accepted$.subscribe((m) => { if (m.channel === 'event/access') downstream.push(m) })
    await reader.publishAsync(accessTopic, JSON.stringify({ ...swipe, eventId: 'e2e-swipe-2', seq: 2, direction: 'sideways' }), { qos: 1 })
    const err = await box.next(/\/error$/) as ErrorReply
    expect(err).toMatchObject({ code: 'schema_invalid', eventId: 'e2e-swipe-2', topic: accessTopic })
    await reader.publishAsync(accessTopic, '{not json', { qos: 1 })
    expect(await box.next(/\/error$/)).toMatchObject({ code: 'not_json' })
    // A new event reusing a seq (a counter that went back) is not taken for a redelivery: the device hears of it.
    await reader.publishAsync(accessTopic, JSON.stringify({ ...swipe, eventId: 'e2e-swipe-3', seq: 1 }), { qos: 1 })
    expect(await box.next(/\/error$/)).toMatchObject({ code: 'seq_reused', eventId: 'e2e-swipe-3', topic: accessTopic })
    sub.unsubscribe()
    expect(downstream).toEqual([])
    const status = await api('GET', `/devices/${creds.clientId}`)
    expect(status.body.status).toMatchObject({ connected: true, accepted: 3, rejected: 3, rejectedByCode: { schema_invalid: 1, not_json: 1, seq_reused: 1 } })
    expect(status.body.status.lastRejected.code).toBe('seq_reused')

    // A wrong secret is refused with CONNACK 4 and counted broker-wide.
    const wrong = await mqtt.connectAsync(tp.mqttUrl, { clientId: creds.clientId, username: creds.username, password: 'not-the-secret', reconnectPeriod: 0 }).catch((e: Error) => e)
    expect(wrong).toBeInstanceOf(Error)
    const totals = await api('GET', '/broker/stats', undefined, 'admin')
    expect(Object.values(totals.body.refusedConnections as Record<string, number>).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1)
    expect(totals.body.rejected).toMatchObject({ schema_invalid: expect.any(Number), not_json: expect.any(Number) })
    expect(totals.body.eventLog).toMatchObject({ journalFailed: false, setAside: 0 })
    expect(totals.body.eventLog.journaled).toBeGreaterThanOrEqual(1)

    // Deregistering revokes the card on the reader.
    const dereg = await api('POST', `/registrations/${reg.body.registration.id}/deregister`, { reason: 'moved_out' })
    expect(dereg.body).toMatchObject({ status: 'departed', departureReason: 'moved_out' })
    const removal = await box.next(/command\/allowlist-sync$/) as AllowlistSync
    expect(removal).toMatchObject({ mode: 'delta', baseVersion: delta.version, upsert: [], remove: [cardId] })

    // A reader that missed a version asks again and gets a full list.
    await reader.publishAsync(creds.publish.find((t: string) => t.endsWith('/reply')), JSON.stringify({
      requestId: removal.requestId, command: 'allowlist-sync', status: 'error', error: { code: 'version_gap', message: 'have 1' },
    }), { qos: 1 })
    const resync = await box.next(/command\/allowlist-sync$/) as AllowlistSync
    expect(resync).toMatchObject({ mode: 'full', version: removal.version, upsert: [] })

    // The history is all there, in order.
    const ledger = await api('GET', `/buildings/${building.body.id}/ledger`)
    expect(ledger.body.map((e: { action: string }) => e.action)).toEqual([
      'building.created', 'room.created', 'device.provisioned', 'registration.arrived', 'credential.issued',
      'registration.departed', 'credential.revoked',
    ])
  })

  it('shows ID numbers masked everywhere and reveals them only to police of the area, every read audited', async () => {
    const idNumber = residentIdNumber(777)
    const reg = await api('POST', '/rooms/demo-b1-201/registrations', { resident: { name: 'Audit Case', idType: 'resident_id', idNumber } })
    const residentId = reg.body.registration.resident.id
    for (const [who, url] of [['landlord-li', `/residents/${residentId}`], ['grid-chen', '/buildings/demo-b1/registrations'], ['police-zumiao', `/residents/${residentId}`]] as const) {
      const r = await api('GET', url, undefined, who)
      expect(r.status).toBe(200)
      expect(JSON.stringify(r.body)).not.toContain(idNumber)
    }
    const stored = await tp.platform.db.query<Record<string, unknown>>('select * from residents where id = $1', [residentId])
    expect(JSON.stringify(stored.rows)).not.toContain(idNumber)

    const refused = await api('POST', `/residents/${residentId}/id-number`, { reason: 'curious' }, 'landlord-li')
    expect(refused.status).toBe(403)
    const revealed = await api('POST', `/residents/${residentId}/id-number`, { reason: 'case 2026-0042' }, 'police-zumiao')
    expect(revealed).toMatchObject({ status: 200, body: { idType: 'resident_id', idNumber } })
    const audit = await api('GET', `/audit?subjectId=${residentId}`, undefined, 'admin')
    expect(audit.body.map((e: any) => [e.action, e.actorId, e.detail.reason])).toEqual([
      ['resident.id_number.read', tp.userIds['police-zumiao'], 'case 2026-0042'],
      ['resident.id_number.denied', tp.userIds['landlord-li'], 'curious'],
      // Reading the masked record is audited too.
      ['resident.read', tp.userIds['police-zumiao'], undefined],
      ['resident.read', tp.userIds['landlord-li'], undefined],
    ])
  })

  it('refuses bad input with a coded 4xx and changes nothing', async () => {
    const before = await tp.platform.db.query<{ n: number }>('select count(*)::int as n from registry_ledger')
    const bad = [
      await api('POST', '/rooms/demo-b1-201/registrations', { resident: { name: 'X', idType: 'resident_id', idNumber: '110105194912310021' } }),
      await api('POST', '/rooms/demo-b1-201/registrations', { resident: { name: 'X', idType: 'resident_id', idNumber: residentIdNumber(5) }, surprise: 1 }),
      await api('POST', '/rooms/demo-b1-201/registrations', { resident: { name: 'X', idType: 'resident_id', idNumber: residentIdNumber(6) }, credentials: [{ kind: 'pin', value: '12' }] }),
      await api('POST', '/buildings/demo-b1/rooms', { number: '9', capacity: 0 }),
      await api('POST', '/buildings', { id: 'bad id!', gridId: 'lianhua-g1', name: 'x', address: 'y' }),
      await api('POST', '/buildings', { gridId: 'lianhua', name: 'x', address: 'y' }),
    ]
    expect(bad.map((r) => [r.status, r.body.code])).toEqual([
      [400, 'RH_INVALID_ID_NUMBER'], [400, 'RH_VALIDATION'], [400, 'RH_BAD_REQUEST'], [400, 'RH_VALIDATION'], [400, 'RH_VALIDATION'], [400, 'RH_BAD_REQUEST'],
    ])
    for (const r of bad) expect(r.body.message).toEqual(expect.any(String))
    const after = await tp.platform.db.query<{ n: number }>('select count(*)::int as n from registry_ledger')
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n)
    const residents = await tp.platform.db.query<{ n: number }>(`select count(*)::int as n from residents where name = 'X'`)
    expect(residents.rows[0]!.n).toBe(0)
  })
})
