// A cloned card, end to end on both databases: landlords record where their
// buildings are (PATCH /buildings/{id} location), each building has a reader
// on a real socket, and one card number shows up at both gates three minutes
// apart, ten kilometres away. The platform raises impossible_travel at both
// buildings, besides the foreign_credential of the one that saw the copy. Each
// landlord reads only their own side (their door, device, event, and the card
// only if it is theirs); the police, who see both buildings, see both alerts.
// No alert, stored or returned, carries the card number.

import type { MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASE_KINDS } from './support/databases.ts'
import { connectDevice } from './support/mqtt-device.ts'
import { callApi, provisionReader, startTestPlatform, type TestPlatform } from './support/platform.ts'
import { until } from './support/wait.ts'

interface Alert {
  id: string; type: string; dedupKey: string; buildingId: string; door: string | null; deviceId: string | null; credentialId: string | null
  residentId: string | null; severity: string; evidence: string[]; explanation: string
}

const B1 = { lat: 23.0215, lon: 113.1214 }
/** 10 km north of B1. */
const B2 = { lat: 23.0215 + 10 / 111.195, lon: 113.1214 }

describe.each(DATABASE_KINDS)('impossible travel end to end (%s)', (kind) => {
  let tp: TestPlatform
  const readers: Record<string, { client: MqttClient; clientId: string; seq: number }> = {}
  let n = 0
  const api = (who: string, method: string, url: string, body?: object) => callApi(tp, who, method, url, body)

  beforeAll(async () => {
    tp = await startTestPlatform(kind, { pipeline: { tickMs: 100, sweepMs: 200 } })
    for (const b of ['demo-b1', 'demo-b2']) {
      const details = await provisionReader(tp, 'admin', b, `${b}-travel-${kind}`)
      readers[b] = { client: await connectDevice(details), clientId: details.clientId, seq: 0 }
    }
  }, 120_000)
  afterAll(async () => {
    for (const r of Object.values(readers)) await r.client.endAsync(true)
    await tp?.dispose()
  })

  it('records a building\'s location for its landlord and administrators only, within the globe', async () => {
    const set = await api('landlord-li', 'PATCH', '/buildings/demo-b1', { location: B1 })
    expect(set.status).toBe(200)
    expect(set.body.location).toEqual(B1)
    expect((await api('landlord-li', 'GET', '/buildings/demo-b1')).body.location).toEqual(B1)
    expect((await api('landlord-wang', 'GET', '/buildings/demo-b2')).body.location).toBeNull()
    for (const location of [{ lat: 91, lon: 0 }, { lat: 0, lon: 180.5 }, { lat: 0 }, { lat: 23, lon: 113, alt: 5 }]) {
      expect((await api('landlord-wang', 'PATCH', '/buildings/demo-b2', { location })).status).toBe(400)
    }
    expect((await api('landlord-li', 'PATCH', '/buildings/demo-b2', { location: B2 })).status).toBe(404)
    expect((await api('police-zumiao', 'PATCH', '/buildings/demo-b2', { location: B2 })).status).toBe(403)
    expect((await api('landlord-wang', 'PATCH', '/buildings/demo-b2', { location: B2 })).body.location).toEqual(B2)
    await until('the pipeline to know both', () => tp.platform.view.location('demo-b2') !== undefined)
    const created = await api('admin', 'POST', '/buildings', { gridId: 'lianhua-g1', name: 'Far', address: 'x', location: { lat: -33.9, lon: 18.4 } })
    expect([created.status, created.body.location]).toEqual([201, { lat: -33.9, lon: 18.4 }])
    expect((await api('admin', 'PATCH', `/buildings/${created.body.id}`, { location: null })).body.location).toBeNull()
  })

  async function swipe (building: string, value: string, shiftMs: number): Promise<void> {
    const r = readers[building]!
    r.seq++
    n++
    await r.client.publishAsync(`rh/v1/${building}/${r.clientId}/event/access`, JSON.stringify({
      eventId: `travel-${kind}-${n}`, seq: r.seq, ts: new Date(Date.now() + shiftMs).toISOString(), door: 'main-gate', direction: 'in',
      credential: { kind: 'card', value }, result: building === 'demo-b1' ? 'granted' : 'denied',
      ...(building === 'demo-b1' ? {} : { reason: 'unknown_credential' }),
    }), { qos: 1 })
  }

  it('one card at both gates three minutes apart: each building reads its own side, the police both', async () => {
    // Zhang Wei's card (demo-b1, room 101) at home, then a copy at demo-b2.
    await swipe('demo-b1', '04A1B2C3', -3 * 60_000)
    await swipe('demo-b2', '04A1B2C3', 0)
    let found: Alert[] = []
    await until('the impossible_travel alerts', async () => {
      found = (await api('police-zumiao', 'GET', '/alerts?type=impossible_travel')).body.items
      return found.length > 1
    }, 8000)
    const zhang = (await api('landlord-li', 'GET', '/buildings/demo-b1/registrations')).body
      .find((g: { roomId: string }) => g.roomId === 'demo-b1-101') as { id: string }
    const card = (await api('landlord-li', 'GET', `/registrations/${zhang.id}/credentials`)).body[0] as { id: string }
    const b1 = readers['demo-b1']!.clientId
    const b2 = readers['demo-b2']!.clientId
    // The police see both sides: one alert per building, paired by the card's digest at the end of their keys.
    const byBuilding = new Map(found.map((a) => [a.buildingId, a]))
    const own = byBuilding.get('demo-b1')!
    const copy = byBuilding.get('demo-b2')!
    expect(own).toMatchObject({ credentialId: card.id, residentId: expect.any(String), deviceId: b1, door: 'main-gate', severity: 'major' })
    expect(copy).toMatchObject({ credentialId: null, residentId: null, deviceId: b2, door: 'main-gate', severity: 'major' })
    expect(own.dedupKey.replace('demo-b1', '')).toBe(copy.dedupKey.replace('demo-b2', ''))
    expect(own.evidence).toEqual([expect.stringMatching(new RegExp(`^${b1}/`))])
    expect(copy.evidence).toEqual([expect.stringMatching(new RegExp(`^${b2}/`))])
    expect(own.explanation).toContain('…B2C3')
    // Landlord Wang, whose gate saw the copy, reads his side and the foreign card: nothing of demo-b1 but "another building".
    const wang = [
      ...(await api('landlord-wang', 'GET', '/alerts?type=impossible_travel')).body.items,
      ...(await api('landlord-wang', 'GET', '/alerts?type=foreign_credential')).body.items,
    ] as Alert[]
    expect(wang.map((a) => [a.type, a.buildingId])).toEqual([['impossible_travel', 'demo-b2'], ['foreign_credential', 'demo-b2']])
    for (const a of wang) {
      expect(a.explanation).toContain('another building')
      const read = JSON.stringify((await api('landlord-wang', 'GET', `/alerts/${a.id}`)).body)
      for (const theirs of ['demo-b1', b1, card.id, own.residentId!, zhang.id, '101']) expect(read).not.toContain(theirs)
    }
    // Landlord Li reads his side only.
    const li = (await api('landlord-li', 'GET', '/alerts?type=impossible_travel')).body.items as Alert[]
    expect(li.map((a) => a.id)).toEqual([own.id])
    for (const theirs of ['demo-b2', b2]) expect(JSON.stringify(li)).not.toContain(theirs)
    // No stored alert, and nothing the API returns, carries the card number.
    const rows = await tp.platform.db.query<{ row: string }>('select row_to_json(a)::text as row from alerts a')
    for (const r of rows.rows) expect(r.row).not.toContain('04A1B2C3')
    expect(JSON.stringify((await api('admin', 'GET', '/alerts?limit=1000')).body)).not.toContain('04A1B2C3')
  })

  it('the same card an hour later at the other gate is a journey, not a copy', async () => {
    await swipe('demo-b1', '04A1B2C3', 60 * 60_000)
    await swipe('demo-b2', '04A1B2C3', 2 * 60 * 60_000)
    // A later alert of its own: once raised, every swipe before it was judged.
    await swipe('demo-b1', `0E5E${kind === 'pglite' ? '01' : '02'}`, 2 * 60 * 60_000)
    await until('the unknown card', async () => (await api('admin', 'GET', '/alerts?type=unknown_credential&buildingId=demo-b1')).body.items.length > 0, 8000)
    // Its key names it by digest: neither the stored row nor the landlord's read carries the number.
    const unknown = `0E5E${kind === 'pglite' ? '01' : '02'}`
    const stored = await tp.platform.db.query<{ row: string }>(`select row_to_json(a)::text as row from alerts a where type = 'unknown_credential'`)
    expect(stored.rows.length).toBeGreaterThan(0)
    for (const r of stored.rows) expect(r.row).not.toContain(unknown)
    const read = (await api('landlord-li', 'GET', '/alerts?type=unknown_credential')).body.items as Alert[]
    expect(read[0]!.dedupKey).toMatch(/^unknown_credential:demo-b1:card:hmac-sha256:[A-Za-z0-9_-]{22}$/)
    expect(JSON.stringify(read)).not.toContain(unknown)
    const all = (await api('admin', 'GET', '/alerts?type=impossible_travel')).body.items as Alert[]
    expect(all).toHaveLength(2)
    for (const a of all) expect(a).toMatchObject({ count: 1, evidence: [expect.any(String)] })
  })
})
