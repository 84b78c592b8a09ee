// A cloned card, end to end on both databases: landlords record where their
// buildings are (PATCH /buildings/{id} location), each building has a reader
// on a real socket, and one card number shows up at both gates three minutes
// apart, ten kilometres away. The platform raises impossible_travel at the
// card's own building, besides the foreign_credential of the other one.

import type { MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASE_KINDS } from './support/databases.ts'
import { connectDevice } from './support/mqtt-device.ts'
import { callApi, provisionReader, startTestPlatform, type TestPlatform } from './support/platform.ts'
import { until } from './support/wait.ts'

interface Alert { id: string; type: string; buildingId: string; credentialId: string | null; severity: string; evidence: string[]; explanation: string }

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
    await until('the pipeline to know both', () => tp.platform.view!.location('demo-b2') !== undefined)
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

  it('one card at both gates three minutes apart: impossible_travel at its building, foreign_credential at the other', async () => {
    // Zhang Wei's card (demo-b1, room 101) at home, then a copy at demo-b2.
    await swipe('demo-b1', '04A1B2C3', -3 * 60_000)
    await swipe('demo-b2', '04A1B2C3', 0)
    let found: Alert[] = []
    await until('the impossible_travel alert', async () => {
      found = (await api('police-zumiao', 'GET', '/alerts?type=impossible_travel')).body.items
      return found.length > 0
    }, 8000)
    const zhang = (await api('landlord-li', 'GET', '/buildings/demo-b1/registrations')).body
      .find((g: { roomId: string }) => g.roomId === 'demo-b1-101') as { id: string }
    const card = (await api('landlord-li', 'GET', `/registrations/${zhang.id}/credentials`)).body[0] as { id: string }
    expect(found).toEqual([expect.objectContaining({ buildingId: 'demo-b1', credentialId: card.id, severity: 'major' })])
    expect(found[0]!.evidence).toHaveLength(2)
    expect(found[0]!.explanation).toContain('10.0 km')
    expect(found[0]!.explanation).toContain('…B2C3')
    // Landlord Li sees it; landlord Wang, whose gate saw the copy, has the foreign card.
    expect((await api('landlord-li', 'GET', '/alerts?type=impossible_travel')).body.items).toHaveLength(1)
    expect((await api('landlord-wang', 'GET', '/alerts?type=impossible_travel')).body.items).toHaveLength(0)
    const foreign = (await api('landlord-wang', 'GET', '/alerts?type=foreign_credential')).body.items as Alert[]
    expect(foreign).toEqual([expect.objectContaining({ buildingId: 'demo-b2', credentialId: card.id })])
  })

  it('the same card an hour later at the other gate is a journey, not a copy', async () => {
    await swipe('demo-b1', '04A1B2C3', 60 * 60_000)
    await swipe('demo-b2', '04A1B2C3', 2 * 60 * 60_000)
    // A later alert of its own: once raised, every swipe before it was judged.
    await swipe('demo-b1', `0E5E${kind === 'pglite' ? '01' : '02'}`, 2 * 60 * 60_000)
    await until('the unknown card', async () => (await api('admin', 'GET', '/alerts?type=unknown_credential&buildingId=demo-b1')).body.items.length > 0, 8000)
    const all = (await api('admin', 'GET', '/alerts?type=impossible_travel')).body.items as Alert[]
    expect(all).toHaveLength(1)
    expect(all[0]!.evidence).toHaveLength(2)
  })
})
