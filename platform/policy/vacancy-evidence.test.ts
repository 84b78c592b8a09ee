// Vacancy with the door cameras' evidence, on both databases: a house whose
// rooms stand empty by the registry and the cards is proposed as a whole only
// when its cameras saw nobody at its doors for the vacancy period either; a
// person seen holds the house (not a room, which has no camera) and the rooms
// are proposed one by one meanwhile.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASE_KINDS } from '../../test/support/databases.ts'
import { callApi, startTestPlatform, type TestPlatform } from '../../test/support/platform.ts'
import { VacancyProposals } from './vacancy.ts'

const DAY = 86_400_000

describe.each(DATABASE_KINDS)('vacancy and the door cameras (%s)', (kind) => {
  let tp: TestPlatform
  let vacancy: VacancyProposals
  let camera: string
  let n = 0
  const api = (who: string, method: string, url: string, body?: unknown) => callApi(tp, who, method, url, body)
  /** A camera event as the broker logs it, `daysAgo` on the device clock. */
  const logged = async (channel: string, payload: Record<string, unknown>, daysAgo: number): Promise<void> => {
    const at = new Date(Date.now() - daysAgo * DAY)
    n++
    await tp.platform.db.query(
      `insert into events (device_id, event_id, seq, building_id, channel, door, at, received_at, payload) values ($1, $2, $3, 'vac-b9', $4, 'gate', $5, $5, $6)`,
      [camera, `vac-${n}`, n, channel, at, { eventId: `vac-${n}`, seq: n, ts: at.toISOString(), door: 'gate', ...payload }])
  }
  const waiting = async (): Promise<Array<{ roomId: string | null; vacantSince: string; lastSeenAt: string | null }>> =>
    ((await api('grid-chen', 'GET', '/vacancy-proposals?buildingId=vac-b9')).body as Array<{ roomId: string | null; vacantSince: string; lastSeenAt: string | null }>)
      .sort((a, b) => String(a.roomId).localeCompare(String(b.roomId)))

  beforeAll(async () => {
    tp = await startTestPlatform(kind)
    vacancy = new VacancyProposals(tp.platform.registry.ctx)
    expect((await api('admin', 'POST', '/buildings', { id: 'vac-b9', gridId: 'lianhua-g1', name: 'Lianhua Lane 30', address: '30 Lianhua Lane' })).status).toBe(201)
    for (const id of ['vac-b9-1', 'vac-b9-2']) expect((await api('admin', 'POST', '/buildings/vac-b9/rooms', { id, number: id.slice(-1), capacity: 2 })).status).toBe(201)
    const cam = await api('admin', 'POST', '/buildings/vac-b9/devices', { door: 'gate', kind: 'camera', vendor: 'Acme Access', model: 'AC-10' })
    expect(cam.status).toBe(201)
    camera = cam.body.device.id as string
    // On the register for 120 days; nobody ever registered or used a card there.
    await tp.platform.db.query(`update rooms set created_at = $1 where building_id = 'vac-b9'`, [new Date(Date.now() - 120 * DAY)])
  }, 120_000)
  afterAll(async () => { await tp?.dispose() })

  it('line periods that counted nobody are no evidence: the empty house is proposed whole', async () => {
    await logged('event/line', { in: 0, out: 0, periodS: 60 }, 20)
    expect(await vacancy.proposeAll(Date.now())).toMatchObject({ proposed: 1 })
    expect(await waiting()).toEqual([expect.objectContaining({ roomId: null, lastSeenAt: null })])
  })

  it('a person seen at a door holds the house: its proposal gives way to the rooms\' until 90 days after the sighting', async () => {
    await logged('event/person', { count: 1 }, 10)
    expect(await vacancy.proposeAll(Date.now())).toEqual({ proposed: 2, superseded: 1 })
    expect((await waiting()).map((p) => p.roomId)).toEqual(['vac-b9-1', 'vac-b9-2'])
    const sighting = new Date(Date.now() - 10 * DAY)
    // 85 days on, the sighting is 95 days old: the house stands empty since then.
    expect(await vacancy.proposeAll(Date.now() + 85 * DAY)).toEqual({ proposed: 1, superseded: 2 })
    const [house] = await waiting()
    expect(house).toMatchObject({ roomId: null })
    expect(Math.abs(Date.parse(house!.vacantSince) - sighting.getTime())).toBeLessThan(60_000)
    expect(house!.lastSeenAt).toBe(house!.vacantSince)
  })

  it('people a line crossing counted (going out too) are evidence as well', async () => {
    await logged('event/line', { in: 0, out: 2, periodS: 60 }, 5)
    expect(await vacancy.proposeAll(Date.now())).toEqual({ proposed: 2, superseded: 1 })
    expect((await waiting()).map((p) => p.roomId)).toEqual(['vac-b9-1', 'vac-b9-2'])
  })
})
