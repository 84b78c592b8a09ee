// The allow-list pusher against readers on a real socket, on both databases:
// a reader gets the full list once it subscribes, a delta for every change
// (in order, chained by version), the full list again when it reports a
// version gap, and only its own building's changes; every list is digested
// with the reader's own key and names no credential in the clear. A reader
// without a key (protocol revision 1) gets nothing, and a reader_not_updated
// alert is open for it until it is upgraded and has its list.

import type { MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { allowlistKeyId, parseAllowlistKey, pinSha256, presentedDigest, type AllowlistSync } from '../../protocol/index.ts'
import { DATABASE_KINDS } from '../../test/support/databases.ts'
import { residentIdNumber } from '../../test/support/id-numbers.ts'
import { connectReader, endedAfterEach, type Inbox, type MqttDetails } from '../../test/support/mqtt-device.ts'
import { callApi, provisionReader, startTestPlatform, type TestPlatform } from '../../test/support/platform.ts'
import { until } from '../../test/support/wait.ts'

const SYNC = /\/command\/allowlist-sync$/

interface Reader {
  id: string
  details: MqttDetails
  client: MqttClient
  box: Inbox
  /** The key from provisioning. */
  key: Buffer
  nextSync (): Promise<AllowlistSync>
  reply (sync: AllowlistSync, outcome: { version: number } | { code: string }): Promise<void>
}

describe.each(DATABASE_KINDS)('allow-list pusher (%s)', (kind) => {
  let tp: TestPlatform
  let serial = 0
  const clients = endedAfterEach()
  beforeAll(async () => { tp = await startTestPlatform(kind) }, 60_000)
  afterAll(async () => { await tp?.dispose() })

  const api = (method: string, url: string, payload?: object) => callApi(tp, 'admin', method, url, payload)

  async function reader (buildingId: string): Promise<Reader> {
    const id = `${buildingId}-r${++serial}`
    const details = await provisionReader(tp, 'admin', buildingId, id)
    const { client, box } = await connectReader(details)
    clients.push(client)
    const replyTopic = details.publish.find((t) => t.endsWith('/reply'))!
    return {
      id,
      details,
      client,
      box,
      key: parseAllowlistKey(details.allowlistKey!),
      nextSync: () => box.next(SYNC) as Promise<AllowlistSync>,
      async reply (sync, outcome) {
        const body = 'version' in outcome
          ? { requestId: sync.requestId, command: 'allowlist-sync', status: 'ok', data: { version: outcome.version } }
          : { requestId: sync.requestId, command: 'allowlist-sync', status: 'error', error: { code: outcome.code, message: 'test' } }
        await client.publishAsync(replyTopic, JSON.stringify(body), { qos: 1 })
      },
    }
  }

  function register (roomId: string, idNumber: string, credentials: object[]) {
    return api('POST', `/rooms/${roomId}/registrations`, { resident: { name: 'Pushed', idType: 'resident_id', idNumber }, credentials })
  }

  /** What the reader should hold: the building's version and its active credentials. */
  async function buildingList (buildingId: string): Promise<{ version: number; ids: string[] }> {
    const version = (await api('GET', `/buildings/${buildingId}`)).body.allowlistVersion as number
    const r = await tp.platform.db.query<{ id: string }>(`select id from credentials where building_id = $1 and status = 'active'`, [buildingId])
    return { version, ids: r.rows.map((c) => c.id).sort() }
  }
  const idsOf = (sync: AllowlistSync): string[] => sync.upsert.map((e) => e.credentialId).sort()

  it('sends a reader the full list once it subscribes, then a registration as a delta with validity and windows', async () => {
    const r = await reader('demo-b1')
    const other = await reader('demo-b2')
    const full = await r.nextSync()
    expect(full).toMatchObject({ mode: 'full', remove: [] })
    expect({ version: full.version, ids: idsOf(full) }).toEqual(await buildingList('demo-b1'))
    expect(idsOf(full).length).toBeGreaterThan(0) // the demo tenants' cards
    await other.nextSync()

    const windows = [{ days: [1, 2, 3, 4, 5], from: '07:30', to: '21:00' }]
    const reg = await register('demo-b1-201', residentIdNumber(9001), [
      { kind: 'card', value: 'D1E2F3A4', validFrom: '2026-12-01T00:00:00.000Z', validUntil: '2027-12-01T00:00:00.000Z', windows },
    ])
    expect(reg.status).toBe(201)
    const delta = await r.nextSync()
    expect(delta).toMatchObject({ mode: 'delta', baseVersion: full.version, version: full.version + 1, remove: [], keyId: allowlistKeyId(r.key) })
    expect(delta.upsert).toEqual([{
      credentialId: reg.body.credentials[0].id, kind: 'card', digest: presentedDigest(r.key, 'card', 'D1E2F3A4'),
      validFrom: '2026-12-01T00:00:00.000Z', validUntil: '2027-12-01T00:00:00.000Z', windows,
    }])
    await r.reply(delta, { version: delta.version })
    await until('the pusher records the confirmed version', () => tp.platform.pusher.syncState(r.id)?.confirmedVersion === delta.version)

    // demo-b2's reader heard nothing of demo-b1 (its own settings aside).
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(other.box.messages.filter((m) => !m.topic.endsWith('/command/config'))).toEqual([])
  })

  it('sends changes in order, each delta based on the one before', async () => {
    const r = await reader('demo-b1')
    const full = await r.nextSync()
    const reg = await register('demo-b1-102', residentIdNumber(9002), [])
    const issued: string[] = []
    for (let i = 0; i < 8; i++) {
      const c = await api('POST', `/registrations/${reg.body.registration.id}/credentials`, { kind: 'card', value: `ABCD00${i}0` })
      expect(c.status).toBe(201)
      issued.push(c.body.id)
      if (i % 2 === 1) expect((await api('POST', `/credentials/${c.body.id}/revoke`, { reason: 'lost' })).status).toBe(200)
    }
    const deltas: AllowlistSync[] = []
    for (let i = 0; i < 12; i++) deltas.push(await r.nextSync())
    expect(deltas.map((d) => [d.mode, d.baseVersion, d.version])).toEqual(
      deltas.map((_, i) => ['delta', full.version + i, full.version + i + 1]))
    expect(deltas.flatMap((d) => d.upsert.map((e) => e.credentialId))).toEqual(issued)
    expect(deltas.flatMap((d) => d.remove)).toEqual(issued.filter((_, i) => i % 2 === 1))
  })

  it('sends the full list again to a reader that reports a version gap, and not for other errors', async () => {
    const r = await reader('demo-b1')
    await r.nextSync()
    const reg = await register('demo-b1-201', residentIdNumber(9003), [{ kind: 'qr' }])
    const delta = await r.nextSync()

    await r.reply(delta, { code: 'storage_full' })
    await until('the pusher records the error', () => tp.platform.pusher.syncState(r.id)?.lastError === 'storage_full')
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(r.box.messages.filter((m) => SYNC.test(m.topic))).toEqual([])

    await r.reply(delta, { code: 'version_gap' })
    const resync = await r.nextSync()
    expect(resync).toMatchObject({ mode: 'full', remove: [] })
    expect({ version: resync.version, ids: idsOf(resync) }).toEqual(await buildingList('demo-b1'))
    expect(idsOf(resync)).toContain(reg.body.credentials[0].id)
  })

  it('sends deltas in the order the registry announced them, and a reader that follows the protocol converges, under concurrent changes', async () => {
    const r = await reader('demo-b1')
    // The reader of protocol/README.md 8.1: a full list replaces, a delta applies only to its base version.
    let held = { version: -1, ids: new Set<string>() }
    const deltaVersions: number[] = []
    const replies: Array<Promise<void>> = []
    r.client.on('message', (topic, payload) => {
      if (!SYNC.test(topic)) return
      const sync = JSON.parse(payload.toString()) as AllowlistSync
      if (sync.mode === 'delta') deltaVersions.push(sync.version)
      if (sync.mode === 'delta' && sync.baseVersion !== held.version) { replies.push(r.reply(sync, { code: 'version_gap' })); return }
      const ids = sync.mode === 'full' ? new Set<string>() : held.ids
      for (const id of sync.remove) ids.delete(id)
      for (const e of sync.upsert) ids.add(e.credentialId)
      held = { version: sync.version, ids }
      replies.push(r.reply(sync, { version: sync.version }))
    })
    const announced: number[] = []
    const unsubscribe = tp.platform.registry.events.subscribe({ allowlistChanged: (c) => { if (c.buildingId === 'demo-b1') announced.push(c.version) } })
    try {
      await until('the first full list', () => held.version >= 0)
      const reg = await register('demo-b1-102', residentIdNumber(9006), [])
      for (let round = 0; round < 4; round++) {
        const issued = await Promise.all(Array.from({ length: 8 }, (_, i) =>
          api('POST', `/registrations/${reg.body.registration.id}/credentials`, { kind: 'card', value: `C0${round}${i}0000` })))
        expect(issued.map((c) => c.status)).toEqual(Array(8).fill(201))
        await Promise.all(issued.filter((_, i) => i % 3 === 0).map((c) => api('POST', `/credentials/${c.body.id}/revoke`, { reason: 'lost' })))
      }
      const expected = await buildingList('demo-b1')
      await until('the reader holds the building\'s list', () => held.version === expected.version, 5000)
      expect([...held.ids].sort()).toEqual(expected.ids)
      // A full list after a version gap can bring the reader up to date before the last deltas arrive.
      await until('every announced delta to arrive', () => deltaVersions.length >= announced.length, 5000)
      expect(deltaVersions).toEqual(announced)
      await Promise.all(replies)
    } finally {
      unsubscribe()
    }
  })

  it('digests every entry with the reader\'s own key: no card number, token or PIN hash in the clear, another reader\'s digests differ', async () => {
    const reg = await register('demo-b1-102', residentIdNumber(9007), [
      { kind: 'card', value: 'C0DE1234' }, { kind: 'pin', value: '246813' }, { kind: 'qr', value: 'qr-token-9007' }, { kind: 'face', value: 'face-ref-9007' },
    ])
    expect(reg.status).toBe(201)
    const a = await reader('demo-b1')
    const b = await reader('demo-b1')
    const [fullA, fullB] = [await a.nextSync(), await b.nextSync()]
    expect(fullA.keyId).toBe(allowlistKeyId(a.key))
    expect(fullB.keyId).toBe(allowlistKeyId(b.key))
    expect(fullA.keyId).not.toBe(fullB.keyId)
    expect(fullA.version).toBe(fullB.version)

    // Every active credential of the building, each as the reader computes it from what it reads.
    const values = await tp.platform.db.query<{ id: string; kind: string; value: string }>(
      `select id, kind, value from credentials where building_id = 'demo-b1' and status = 'active'`)
    const presented: Record<string, [string, string]> = Object.fromEntries([
      ...values.rows.filter((c) => c.kind !== 'pin').map((c) => [c.id, [c.kind, c.value]]),
      [reg.body.credentials[1].id, ['pin', '246813']],
    ])
    for (const [r, full] of [[a, fullA], [b, fullB]] as const) {
      expect(full.upsert.length).toBe(values.rows.length)
      for (const e of full.upsert) {
        const [k, v] = presented[e.credentialId] ?? ['?', '?']
        expect({ id: e.credentialId, digest: e.digest }).toEqual({ id: e.credentialId, digest: presentedDigest(r.key, k as 'card', v) })
        expect(e).not.toHaveProperty('value')
      }
    }
    const digestsA = new Set(fullA.upsert.map((e) => e.digest))
    expect(fullB.upsert.filter((e) => digestsA.has(e.digest))).toEqual([])

    // Nothing the building keeps about its credentials travels: not the values, not what the database holds for a PIN.
    const stored = await tp.platform.db.query<{ value: string; secret_sealed: string | null }>(
      `select value, secret_sealed from credentials where building_id = 'demo-b1' and status = 'active'`)
    const wire = JSON.stringify([fullA, fullB])
    for (const c of stored.rows) {
      expect(wire).not.toContain(c.value)
      if (c.secret_sealed !== null) expect(wire).not.toContain(c.secret_sealed)
    }
    for (const secret of ['C0DE1234', 'qr-token-9007', 'face-ref-9007', '246813', pinSha256('246813')]) expect(wire).not.toContain(secret)
    expect(wire).not.toMatch(/sha256:[0-9a-f]{64}/)
  })

  it('after a secret rotation, digests the reader\'s lists with the new key it was given, and no longer with the old one', async () => {
    const r = await reader('demo-b1')
    const before = await r.nextSync()
    const rotated = await api('POST', `/devices/${r.id}/rotate-secret`)
    expect(rotated.status).toBe(200)
    const details = rotated.body.mqtt as MqttDetails
    const key = parseAllowlistKey(details.allowlistKey!)
    expect(key.equals(r.key)).toBe(false)
    await until('the old session ends', () => !r.client.connected)
    const again = await connectReader(details)
    clients.push(again.client)
    const full = await again.box.next(SYNC) as AllowlistSync
    expect(full).toMatchObject({ mode: 'full', version: before.version, keyId: allowlistKeyId(key) })
    const card = full.upsert.find((e) => e.kind === 'card')!
    const value = (await tp.platform.db.query<{ value: string }>('select value from credentials where id = $1', [card.credentialId])).rows[0]!.value
    expect(card.digest).toBe(presentedDigest(key, 'card', value))
    expect(card.digest).not.toBe(presentedDigest(r.key, 'card', value))
  })

  it('sends a reader that connects later the full list as it is then', async () => {
    const reg = await register('demo-b1-101', residentIdNumber(9004), [{ kind: 'card', value: 'FEED0001' }, { kind: 'pin', value: '135790' }])
    const [card, pin] = reg.body.credentials as Array<{ id: string }>
    expect((await api('POST', `/credentials/${card!.id}/revoke`, { reason: 'lost' })).status).toBe(200)

    const late = await reader('demo-b1')
    const full = await late.nextSync()
    expect(full).toMatchObject({ mode: 'full', remove: [] })
    expect({ version: full.version, ids: idsOf(full) }).toEqual(await buildingList('demo-b1'))
    expect(idsOf(full)).toContain(pin!.id)
    expect(idsOf(full)).not.toContain(card!.id)
  })

  it('follows a person who moves: the old building\'s readers drop the card, the new one\'s get theirs', async () => {
    const b1 = await reader('demo-b1')
    const b2 = await reader('demo-b2')
    await b1.nextSync()
    await b2.nextSync()
    const first = await register('demo-b1-201', residentIdNumber(9005), [{ kind: 'card', value: 'AB0000E1' }])
    expect((await b1.nextSync()).upsert.map((e) => e.credentialId)).toEqual([first.body.credentials[0].id])

    const moved = await register('demo-b2-101', residentIdNumber(9005), [{ kind: 'card', value: 'AB0000E2' }])
    expect(moved.body.closedRegistrationId).toBe(first.body.registration.id)
    expect(await b1.nextSync()).toMatchObject({ mode: 'delta', upsert: [], remove: [first.body.credentials[0].id] })
    expect(await b2.nextSync()).toMatchObject({ mode: 'delta', remove: [], upsert: [expect.objectContaining({ credentialId: moved.body.credentials[0].id })] })
  })

  it('keeps a reader_not_updated alert open while a reader refuses its lists with wrong_key, until it takes one', async () => {
    const r = await reader('demo-b1')
    const first = await r.nextSync()
    const live = async () => ((await api('GET', '/alerts?buildingId=demo-b1&type=reader_not_updated&status=live')).body.items as
      Array<{ deviceId: string; explanation: string }>).filter((a) => a.deviceId === r.id)
    await r.reply(first, { code: 'wrong_key' })
    await until('the alert for the refused list', async () => (await live()).length === 1, 5000)
    expect((await live())[0]!.explanation).toContain('wrong_key')

    // A delta it refuses too changes nothing; the list it takes ends the episode.
    await register('demo-b1-102', residentIdNumber(9011), [{ kind: 'card', value: 'FACE0011' }])
    const delta = await r.nextSync()
    await r.reply(delta, { code: 'wrong_key' })
    await r.reply(delta, { version: delta.version })
    await until('the alert resolved', async () => (await live()).length === 0, 5000)
  })

  it('sends a reader of protocol revision 1 (no key) nothing, not even a revocation, and keeps an alert open that says how to upgrade it', async () => {
    const r = await reader('demo-b1')
    await r.nextSync()
    // As a reader stands after its site migrated to revision 2: approved, serving, without a key.
    await tp.platform.db.query('update devices set allowlist_key_sealed = null where id = $1', [r.id])
    await tp.restart()
    const alerts = async (status: 'live' | 'resolved') =>
      ((await api('GET', `/alerts?buildingId=demo-b1&type=reader_not_updated&status=${status}`)).body.items as
        Array<{ deviceId: string; severity: string; explanation: string; autoResolved: boolean }>).filter((a) => a.deviceId === r.id)
    const [open] = await alerts('live')
    expect(open).toMatchObject({ severity: 'major' })
    expect(open!.explanation).toMatch(/before device protocol revision 2/)
    expect(open!.explanation).toContain(`POST /devices/${r.id}/rotate-secret`)
    expect((await api('GET', `/devices/${r.id}`)).body.device.allowlist).toBe('needs_key')

    // Connected again (the broker listens on a new port after the restart), it is sent nothing, while a reader
    // of the same building with a key, connected after it, gets its list and both changes.
    const stale = await connectReader({ ...r.details, url: tp.mqttUrl })
    clients.push(stale.client)
    const healthy = await reader('demo-b1')
    await healthy.nextSync()
    const reg = await register('demo-b1-101', residentIdNumber(9010), [{ kind: 'card', value: 'DEAD0010' }])
    const revokedId = reg.body.credentials[0].id as string
    expect((await api('POST', `/credentials/${revokedId}/revoke`, { reason: 'lost' })).status).toBe(200)
    await healthy.nextSync()
    const revocation = await healthy.nextSync()
    expect(revocation).toMatchObject({ mode: 'delta', remove: [revokedId] })
    // The building's pushes run in order, so every list meant for the stale reader has been decided by now:
    // the pusher sent it none (the healthy reader got up to the revocation), and nothing is on its way.
    expect(tp.platform.pusher.syncState(healthy.id)?.sentVersion).toBe(revocation.version)
    expect(tp.platform.pusher.syncState(r.id)?.sentVersion ?? null).toBeNull()
    expect(stale.box.messages.filter((m) => SYNC.test(m.topic))).toEqual([])
    expect(await alerts('live')).toHaveLength(1)

    // The upgrade: rotate the secret (the landlord's side keeps the approval), install secret and key together.
    const rotated = await api('POST', `/devices/${r.id}/rotate-secret`)
    const fresh = rotated.body.mqtt as MqttDetails
    expect(fresh.allowlistKey).toMatch(/^[0-9a-f]{64}$/)
    await until('the old session ends', () => !stale.client.connected)
    const upgraded = await connectReader(fresh)
    clients.push(upgraded.client)
    const full = await upgraded.box.next(SYNC) as AllowlistSync
    expect(full).toMatchObject({ mode: 'full', keyId: allowlistKeyId(parseAllowlistKey(fresh.allowlistKey!)) })
    expect(idsOf(full)).not.toContain(reg.body.credentials[0].id)
    expect(await alerts('live')).toHaveLength(1)
    const replyTopic = fresh.publish.find((t) => t.endsWith('/reply'))!
    await upgraded.client.publishAsync(replyTopic, JSON.stringify({ requestId: full.requestId, command: 'allowlist-sync', status: 'ok', data: { version: full.version } }), { qos: 1 })
    await until('the alert resolved', async () => (await alerts('resolved')).some((a) => a.autoResolved), 5000)
    expect(await alerts('live')).toEqual([])
  })
})
