// The KPIs through the API on both databases against a real platform: events
// from a reader and a camera on real sockets reach the KPI log reader, the
// figures follow (registration rate with the unexplained entries, household
// consistency with the holder's own card), scope is the caller's, bad input is
// a 400 that changes nothing, the files are CSV and Excel, the snapshot and
// the monthly report are stored, and after a restart the reader resumes from
// its progress without counting an event twice.

import type { MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASE_KINDS } from '../../test/support/databases.ts'
import { connectDevice, type MqttDetails } from '../../test/support/mqtt-device.ts'
import { callApi, provisionReader, startTestPlatform, type TestPlatform } from '../../test/support/platform.ts'
import { registryFingerprint } from '../../test/support/registry-state.ts'
import { until } from '../../test/support/wait.ts'
import { Kpis } from './kpi-service.ts'

const DAY = 86_400_000

describe.each(DATABASE_KINDS)('KPIs (%s)', (kind) => {
  let tp: TestPlatform
  let reader: MqttDetails
  let camera: MqttDetails
  let clients: MqttClient[] = []
  let zhangCard: string
  let seq = 0
  const api = (who: string, url: string) => callApi(tp, who, 'GET', url)
  const raw = (who: string, url: string) => tp.platform.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${tp.tokens[who]}` } })
  const figure = (body: { figures: Array<{ kpi: string }> }, kpi: string) => body.figures.find((f) => f.kpi === kpi)
  const doorDays = async (): Promise<string> =>
    JSON.stringify((await tp.platform.db.query(`select day::text, door, counted_in, granted_in from kpi_door_days where building_id = 'demo-b1' order by day, door`)).rows)

  const connectBoth = async (): Promise<[MqttClient, MqttClient]> => {
    // The broker's port changes with a restart.
    const c = [await connectDevice({ ...reader, url: tp.mqttUrl }), await connectDevice({ ...camera, url: tp.mqttUrl })] as [MqttClient, MqttClient]
    clients.push(...c)
    return c
  }
  const publish = async (client: MqttClient, device: MqttDetails, channel: string, payload: object): Promise<void> => {
    seq++
    await client.publishAsync(`rh/v1/demo-b1/${device.clientId}/${channel}`, JSON.stringify({ eventId: `${kind}-kpi-${seq}`, seq, ...payload }), { qos: 1 })
  }

  beforeAll(async () => {
    tp = await startTestPlatform(kind, { pipeline: { tickMs: 100, sweepMs: 200 } })
    reader = await provisionReader(tp, 'landlord-li', 'demo-b1')
    const cam = await callApi(tp, 'landlord-li', 'POST', '/buildings/demo-b1/devices', { door: 'main-gate', kind: 'camera', vendor: 'Acme Access', model: 'AC-10' })
    expect(cam.status).toBe(201)
    camera = cam.body.mqtt as MqttDetails
    const r = await tp.platform.db.query<{ id: string }>(
      `select c.id from credentials c join registrations g on g.id = c.registration_id where g.room_id = 'demo-b1-101' and g.status = 'active' and c.status = 'active'`)
    zhangCard = r.rows[0]!.id
    const [rc, cc] = await connectBoth()
    // Yesterday: Zhang Wei comes home with his card and someone walks in behind him (the camera counts two).
    const yesterday = new Date(Date.now() - DAY).toISOString()
    await publish(rc, reader, 'event/access', {
      ts: yesterday, door: 'main-gate', direction: 'in', result: 'granted', credential: { kind: 'card', value: '04A1B2C3', credentialId: zhangCard },
    })
    await publish(cc, camera, 'event/line', { ts: yesterday, door: 'main-gate', in: 2, out: 0, periodS: 60 })
    await until('the KPI reader has the events', async () => (await doorDays()).includes('"counted_in":2'), 15_000)
  }, 120_000)

  afterAll(async () => {
    for (const c of clients) await c.endAsync(true)
    await tp?.dispose()
  })

  it('measures the building from the doors and the registry', async () => {
    const r = await api('landlord-li', '/kpis?buildingId=demo-b1')
    expect(r.status).toBe(200)
    expect(r.body.subject).toEqual({ kind: 'building', id: 'demo-b1', name: 'Lianhua Lane 8' })
    // Two registered (Zhang Wei, Liu Yang) and one unregistered by the unexplained entry of yesterday.
    expect(figure(r.body, 'registration_rate')).toMatchObject({ numerator: 2, denominator: 3, target: 0.9, met: false })
    // Zhang Wei used his own card; Liu Yang did not.
    expect(figure(r.body, 'household_consistency')).toMatchObject({ numerator: 1, denominator: 2, target: 0.8, met: false })
    expect(figure(r.body, 'rental_registration')).toMatchObject({ numerator: 1, denominator: 1, met: true })
    expect(figure(r.body, 'timely_deregistration')).toMatchObject({ denominator: 0, value: null, met: null })
    expect(r.body.figures.map((f: { kpi: string }) => f.kpi)).toEqual([
      'registration_rate', 'timely_deregistration', 'household_consistency', 'rental_registration', 'agreement_rate', 'entry_timeliness',
      'reconciled_share'])
  })

  it('shows the cases behind a KPI with names masked, and audits the read', async () => {
    const r = await api('grid-chen', '/kpis/cases?buildingId=demo-b1&kpi=household_consistency')
    expect(r.status).toBe(200)
    expect(r.body.figure).toMatchObject({ numerator: 1, denominator: 2 })
    expect(r.body.cases.map((c: { roomNumber: string; counted: boolean; reason: string }) => [c.roomNumber, c.counted, c.reason]))
      .toEqual([['102', false, 'own_credential_unused'], ['101', true, 'own_credential_used']])
    for (const c of r.body.cases) {
      expect(c.residentMasked).not.toMatch(/Liu Yang|Zhang Wei/)
      expect(c.residentMasked).toContain('*')
    }
    const audit = await tp.platform.db.query<{ n: number }>(`select count(*)::int as n from audit_log where action = 'kpi.cases_read'`)
    expect(audit.rows[0]!.n).toBeGreaterThanOrEqual(1)
    const unregistered = await api('police-zumiao', '/kpis/cases?buildingId=demo-b1&kpi=registration_rate')
    expect(unregistered.body.cases[0]).toMatchObject({ kind: 'building', id: 'demo-b1', counted: false, weight: 1, reason: 'unregistered_by_unexplained_entries' })
  })

  it('keeps to the caller\'s scope and drills down the area tree', async () => {
    const police = await api('police-zumiao', '/kpis')
    expect(police.body).toMatchObject({ subject: { kind: 'street', id: 'zumiao' }, buildings: 2 })
    expect(police.body.children.map((c: { kind: string; id: string }) => [c.kind, c.id])).toEqual([['community', 'lianhua']])
    const grid = await api('grid-chen', '/kpis?areaId=lianhua')
    expect(grid.body.children.map((c: { id: string }) => c.id)).toEqual(['lianhua-g1', 'lianhua-g2'])
    const g1 = await api('grid-chen', '/kpis?areaId=lianhua-g1')
    expect(g1.body.children.map((c: { kind: string; id: string }) => [c.kind, c.id])).toEqual([['building', 'demo-b1']])
    const landlord = await api('landlord-wang', '/kpis')
    expect(landlord.body).toMatchObject({ subject: { kind: 'landlord' }, buildings: 1 })
    expect(landlord.body.children.map((c: { id: string }) => c.id)).toEqual(['demo-b2'])
    const admin = await api('admin', '/kpis')
    expect(admin.body.subject.kind).toBe('city')
    expect(admin.body.children.map((c: { kind: string }) => c.kind)).toContain('district')

    const before = await registryFingerprint(tp.platform.db)
    expect((await api('grid-zhou', '/kpis?buildingId=demo-b1')).status).toBe(404)
    expect((await api('grid-chen', '/kpis?areaId=zumiao')).status).toBe(404) // above their community
    expect((await api('police-other', '/kpis/cases?areaId=lianhua&kpi=registration_rate')).status).toBe(404)
    expect((await api('landlord-wang', '/kpis?buildingId=demo-b1')).status).toBe(404)
    expect((await raw('landlord-wang', '/kpis.csv?buildingId=demo-b1')).statusCode).toBe(404)
    expect((await api('vendor-acme', '/kpis')).status).toBe(403)
    expect((await api('vendor-acme', '/kpis/cases?buildingId=demo-b1&kpi=agreement_rate')).status).toBe(403)
    expect((await api('admin', '/kpis?areaId=nowhere')).status).toBe(404)
    expect(await registryFingerprint(tp.platform.db)).toBe(before)
  })

  it('never widens to the whole city for police or a grid worker whose area cannot be found', async () => {
    const kpis = new Kpis(tp.platform.registry.ctx)
    for (const role of ['police', 'grid_worker'] as const) {
      const actor = { id: tp.userIds['police-zumiao']!, username: 'lost', role, areaPath: '/no/such/area/' } as unknown as Parameters<Kpis['subject']>[0]
      await expect(kpis.subject(actor, {})).rejects.toMatchObject({ statusCode: 404 })
    }
  })

  it('refuses bad input with a 400 and changes nothing', async () => {
    const before = await registryFingerprint(tp.platform.db)
    for (const url of [
      '/kpis?areaId=zumiao&buildingId=demo-b1', '/kpis?from=2026-02-30', '/kpis?from=2026-03-10&to=2026-03-01', '/kpis?colour=red',
      '/kpis/cases?buildingId=demo-b1', '/kpis/cases?buildingId=demo-b1&kpi=happiness', '/kpis/monthly?month=2026-13', '/kpis.xlsx?to=yesterday',
    ]) {
      const r = await raw('admin', url)
      expect({ url, status: r.statusCode }).toEqual({ url, status: 400 })
      expect(JSON.parse(r.body).code).toMatch(/^RH_/)
    }
    expect(await registryFingerprint(tp.platform.db)).toBe(before)
  })

  it('exports CSV and Excel', async () => {
    const csv = await raw('police-zumiao', '/kpis.csv?buildingId=demo-b1')
    expect(csv.statusCode).toBe(200)
    expect(csv.headers['content-type']).toMatch(/^text\/csv/)
    expect(csv.headers['content-disposition']).toBe('attachment; filename="kpis-demo-b1.csv"')
    const lines = csv.body.replace(/^\uFEFF/, '').trim().split(/\r?\n/)
    expect(lines[0]).toContain('分子 numerator')
    expect(lines.find((l) => l.includes('household_consistency'))).toMatch(/人户一致率,household_consistency,1,2,50,80,否/)
    const xlsx = await tp.platform.app.inject({ method: 'GET', url: '/kpis.xlsx?areaId=lianhua', headers: { authorization: `Bearer ${tp.tokens['grid-chen']}` } })
    expect(xlsx.statusCode).toBe(200)
    expect(xlsx.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK')
  })

  it('stores the daily snapshot per building and area, and the month\'s report', async () => {
    const kpis = new Kpis(tp.platform.registry.ctx)
    // Door counts older than the evidence window are forgotten by the snapshot.
    await tp.platform.db.query(`insert into kpi_door_days (building_id, day, door, counted_in, granted_in) values ('demo-b1', '2020-01-01', 'main-gate', 9, 0)`)
    const snap = await kpis.snapshot()
    expect((await tp.platform.db.query(`select 1 from kpi_door_days where day = '2020-01-01'`)).rows).toEqual([])
    expect(snap.rows).toBeGreaterThan(0)
    const building = await api('landlord-li', `/kpis?buildingId=demo-b1&from=${snap.day}&to=${snap.day}`)
    expect(building.body.snapshots).toHaveLength(1)
    expect(figure(building.body.snapshots[0], 'household_consistency')).toMatchObject({ numerator: 1, denominator: 2 })
    const area = await api('police-zumiao', `/kpis?areaId=lianhua&from=${snap.day}&to=${snap.day}`)
    expect(figure(area.body.snapshots[0], 'registration_rate')).toMatchObject({ numerator: 3, denominator: 4 })
    // A month later, the month's report adds the days up.
    const month = snap.day.slice(0, 7)
    expect(await kpis.monthlyReports(Date.now() + 32 * DAY)).toContain(month)
    const report = await api('grid-chen', `/kpis/monthly?areaId=lianhua&month=${month}`)
    expect(report.body).toMatchObject({ subject: { kind: 'community', id: 'lianhua' }, month, days: 1 })
    expect(figure(report.body, 'registration_rate')).toMatchObject({ numerator: 3, denominator: 4 })
    const mine = await api('landlord-li', `/kpis/monthly?month=${month}`)
    expect(figure(mine.body, 'household_consistency')).toMatchObject({ numerator: 1, denominator: 2 })
  })

  it('resumes from its progress after a restart without counting an event twice', async () => {
    const progress = async (): Promise<number> => Number((await tp.platform.db.query<{ log_seq: string }>(`select log_seq from log_reader_progress where reader = 'kpis'`)).rows[0]!.log_seq)
    const counted = await doorDays()
    const through = await progress()
    expect(through).toBeGreaterThan(0)
    for (const c of clients) await c.endAsync(true)
    clients = []
    await tp.restart()
    // The reader caught up at the start; nothing it had counted is counted again.
    expect(await doorDays()).toBe(counted)
    expect(await progress()).toBeGreaterThanOrEqual(through)
    const [rc, cc] = await connectBoth()
    const yesterday = new Date(Date.now() - DAY).toISOString()
    await publish(cc, camera, 'event/line', { ts: yesterday, door: 'main-gate', in: 1, out: 0, periodS: 60 })
    await publish(rc, reader, 'event/access', {
      ts: yesterday, door: 'main-gate', direction: 'in', result: 'granted', credential: { kind: 'card', value: '04A1B2C3', credentialId: zhangCard },
    })
    await until('the new events are counted', async () => (await doorDays()).includes('"counted_in":3,"granted_in":2'), 15_000)
  })
})
