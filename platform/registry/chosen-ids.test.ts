// Ids of new buildings, rooms and devices, on both databases: a caller who
// does not see everything cannot learn that an id exists outside their scope,
// because the answer to "create this id" never depends on it. Only
// administrators choose ids; everyone else gets one the platform generates,
// valid as an MQTT topic level and client id.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isValidId } from '../../protocol/index.ts'
import { DATABASE_KINDS } from '../../test/support/databases.ts'
import { callApi, startTestPlatform, type TestPlatform } from '../../test/support/platform.ts'
import { registryFingerprint } from '../../test/support/registry-state.ts'

describe.each(DATABASE_KINDS)('ids chosen by callers (%s)', (kind) => {
  let tp: TestPlatform
  beforeAll(async () => { tp = await startTestPlatform(kind) }, 60_000)
  afterAll(async () => { await tp?.dispose() })

  const api = (who: string, method: string, url: string, payload?: object) => callApi(tp, who, method, url, payload)
  const reader = (id?: string) => ({ ...(id === undefined ? {} : { id }), door: 'gate', kind: 'reader', vendor: 'Acme Access', model: 'AR-200' })

  // demo-b1 (landlord-li's) with room demo-b1-101 and reader demo-b1-reader lies outside the scope of
  // landlord-wang (demo-b2) and of grid-zhou (the other jurisdiction).
  const probes: Array<{ name: string; who: string; url: string; taken: object; free: object }> = [
    { name: 'building, by a landlord', who: 'landlord-wang', url: '/buildings',
      taken: { id: 'demo-b1', gridId: 'lianhua-g2', name: 'Mine', address: '1 Road' },
      free: { id: 'never-used-b', gridId: 'lianhua-g2', name: 'Mine', address: '1 Road' } },
    { name: 'building, by a grid worker', who: 'grid-zhou', url: '/buildings',
      taken: { id: 'demo-b1', gridId: 'other-grid', name: 'Mine', address: '1 Road' },
      free: { id: 'never-used-b2', gridId: 'other-grid', name: 'Mine', address: '1 Road' } },
    { name: 'room', who: 'landlord-wang', url: '/buildings/demo-b2/rooms',
      taken: { id: 'demo-b1-101', number: 'P1', capacity: 2 }, free: { id: 'never-used-r', number: 'P2', capacity: 2 } },
    { name: 'device, by a landlord', who: 'landlord-wang', url: '/buildings/demo-b2/devices',
      taken: reader('demo-b1-reader'), free: reader('never-used-d') },
  ]

  it.each(probes)('a $name with an id that exists elsewhere gets the same answer as one that exists nowhere, and changes nothing', async (p) => {
    const before = await registryFingerprint(tp.platform.db)
    const taken = await api(p.who, 'POST', p.url, p.taken)
    const free = await api(p.who, 'POST', p.url, p.free)
    expect(taken.status).toBeGreaterThanOrEqual(400)
    expect(free).toEqual(taken)
    expect(await registryFingerprint(tp.platform.db)).toBe(before)
  })

  it('gives callers who leave the id out one the platform chose, usable in topics and as the MQTT client id', async () => {
    const b = await api('landlord-wang', 'POST', '/buildings', { gridId: 'lianhua-g2', name: 'Lane 30', address: '30 Lianhua Lane' })
    expect(b.status).toBe(201)
    expect(isValidId(b.body.id)).toBe(true)
    const room = await api('landlord-wang', 'POST', `/buildings/${b.body.id}/rooms`, { number: '101', capacity: 2 })
    expect(room.status).toBe(201)
    expect(isValidId(room.body.id)).toBe(true)
    const d = await api('landlord-wang', 'POST', `/buildings/${b.body.id}/devices`, reader())
    expect(d.status).toBe(201)
    expect(isValidId(d.body.device.id)).toBe(true)
    expect(d.body.mqtt).toMatchObject({ clientId: d.body.device.id, username: d.body.device.id })
    expect(d.body.mqtt.will.topic).toBe(`rh/v1/${b.body.id}/${d.body.device.id}/status`)
    // A room number is unique in its building, which the landlord sees anyway.
    expect((await api('landlord-wang', 'POST', `/buildings/${b.body.id}/rooms`, { number: '101', capacity: 2 })).status).toBe(409)
  })

  it('lets administrators, who see everything, choose ids; an id in use is a conflict for them', async () => {
    const chosen = await api('admin', 'POST', '/buildings', { id: `adm-${kind}`, gridId: 'lianhua-g1', name: 'Chosen', address: '2 Road' })
    expect(chosen).toMatchObject({ status: 201, body: { id: `adm-${kind}` } })
    const again = await api('admin', 'POST', '/buildings', { id: 'demo-b1', gridId: 'lianhua-g1', name: 'Chosen', address: '2 Road' })
    expect([again.status, again.body.code]).toEqual([409, 'RH_CONFLICT'])
    const device = await api('admin', 'POST', `/buildings/adm-${kind}/devices`, reader(`adm-${kind}-gate`))
    expect(device).toMatchObject({ status: 201, body: { device: { id: `adm-${kind}-gate` } } })
    expect((await api('admin', 'POST', `/buildings/adm-${kind}/devices`, reader('demo-b1-reader'))).status).toBe(409)
  })
})
