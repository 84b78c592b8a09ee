// Door plates and patrols on both databases against a real platform: plates
// and house codes, a patrol recorded with the plate's code as proof of
// presence (refused, changing nothing, without it or with bad input), the
// findings the landlord sees without the notes, a re-inspection closing a
// finding, the score fed by open findings and checklist problems, the patrols
// due in each patroller's scope, and the audit.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AreaPolicies } from './area-policy.ts'
import { Patrols } from './patrols.ts'
import { DATABASE_KINDS } from '../../test/support/databases.ts'
import { callApi, startTestPlatform, type TestPlatform } from '../../test/support/platform.ts'
import { localDate } from '../registry/time-zones.ts'

const CHECKLIST_OK = { extinguisher: 'ok', smoke_detector: 'ok', escape_route: 'ok', partitions: 'ok', ebike_charging: 'ok', wiring: 'ok', occupancy: 'ok' }

describe.each(DATABASE_KINDS)('door plates and patrols (%s)', (kind) => {
  let tp: TestPlatform
  let codes: { building: string; room101: string; otherBuilding: string }
  const api = (who: string | null, method: string, url: string, body?: unknown) => callApi(tp, who, method, url, body)
  const inDays = (n: number): string => localDate(Date.now() + n * 86_400_000, 'Asia/Shanghai')
  const state = async (): Promise<string> => {
    const r = await tp.platform.db.query<{ f: string }>(`select concat_ws('|',
      (select count(*) from patrols), (select string_agg(concat_ws(',', id, status, closed_at), ';' order by id) from patrol_findings),
      (select count(*) from finding_reinspections), (select count(*) from audit_log where action in ('patrol.recorded', 'finding.reinspected'))) as f`)
    return r.rows[0]!.f
  }
  const safety = async (): Promise<Array<{ cause: string; evidence: string[]; points: number }>> =>
    ((await api('police-zumiao', 'GET', '/buildings/demo-b1/score')).body.points as Array<{ dimension: string; cause: string; evidence: string[]; points: number }>)
      .filter((p) => p.dimension === 'safety')

  beforeAll(async () => {
    tp = await startTestPlatform(kind)
    const sheet = await api('landlord-li', 'GET', '/buildings/demo-b1/plates')
    expect(sheet.status).toBe(200)
    const plates = sheet.body.plates as Array<{ code: string; roomId: string | null; roomNumber: string | null }>
    const other = await api('landlord-wang', 'GET', '/buildings/demo-b2/plates')
    codes = { building: plates[0]!.code, room101: plates.find((p) => p.roomId === 'demo-b1-101')!.code, otherBuilding: other.body.plates[0].code }
  }, 120_000)
  afterAll(async () => { await tp?.dispose() })

  it('gives every building and room a stable, short code that says nothing of ids or people; new rooms get one at once', async () => {
    const sheet = (await api('police-zumiao', 'GET', '/buildings/demo-b1/plates')).body
    expect(sheet).toMatchObject({ buildingId: 'demo-b1', buildingName: 'Lianhua Lane 8' })
    expect(sheet.plates.map((p: { roomNumber: string | null }) => p.roomNumber)).toEqual([null, '101', '102', '201'])
    for (const p of sheet.plates as Array<{ code: string; roomId: string | null }>) {
      expect(p.code).toMatch(/^[2-9A-HJKMNP-Z]{8}$/)
      expect(p.code.toLowerCase()).not.toContain('demo')
    }
    expect(new Set(sheet.plates.map((p: { code: string }) => p.code)).size).toBe(4)
    // The same codes on every read.
    expect((await api('grid-chen', 'GET', '/buildings/demo-b1/plates')).body).toEqual(sheet)
    expect((await api('admin', 'POST', '/buildings/demo-b1/rooms', { number: '301', capacity: 2 })).status).toBe(201)
    const after = (await api('landlord-li', 'GET', '/buildings/demo-b1/plates')).body.plates as Array<{ code: string; roomNumber: string }>
    expect(after.map((p) => p.roomNumber)).toEqual([null, '101', '102', '201', '301'])
    expect(after.slice(0, 4)).toEqual(sheet.plates)
  })

  it('plates are printed by the landlord, the grid and police of the area and administrators only', async () => {
    expect((await api('landlord-wang', 'GET', '/buildings/demo-b1/plates')).status).toBe(404)
    expect((await api('grid-zhou', 'GET', '/buildings/demo-b1/plates')).status).toBe(404)
    expect((await api('vendor-acme', 'GET', '/buildings/demo-b1/plates')).status).toBe(403)
    expect((await api('admin', 'GET', '/buildings/demo-b1/plates')).status).toBe(200)
  })

  it('a code opens the house record for those who may see it, 404 for everyone else', async () => {
    const record = await api('grid-chen', 'GET', `/house-codes/${codes.room101}`)
    expect(record.status).toBe(200)
    expect(record.body).toMatchObject({
      code: codes.room101,
      building: { id: 'demo-b1', grade: 'normal', timeZone: 'Asia/Shanghai' },
      room: { id: 'demo-b1-101', number: '101', capacity: 2, registered: 1 },
      openFindings: [], lastPatrol: null,
    })
    expect(record.body.registered).toBe((record.body.rooms as Array<{ registered: number }>).reduce((n, r) => n + r.registered, 0))
    // Never patrolled: due since the building came onto the platform.
    expect(Date.parse(record.body.nextDueAt)).toBeLessThanOrEqual(Date.now())
    expect(JSON.stringify(record.body)).not.toContain('Zhang Wei')
    expect((await api('grid-chen', 'GET', `/house-codes/${codes.building}`)).body.room).toBeNull()
    for (const who of ['grid-zhou', 'police-other', 'landlord-wang', 'vendor-acme']) {
      expect({ who, status: (await api(who, 'GET', `/house-codes/${codes.room101}`)).status }).toEqual({ who, status: 404 })
    }
    expect((await api('grid-chen', 'GET', '/house-codes/ZZZZZZZZ')).status).toBe(404)
    expect((await api('grid-chen', 'GET', '/house-codes/demo-b1')).status).toBe(400)
    expect((await api(null, 'GET', `/house-codes/${codes.room101}`)).status).toBe(401)
  })

  it('refuses a patrol without a plate of the building, or with bad input, and changes nothing', async () => {
    const good = { code: codes.room101, headcount: 3, checklist: CHECKLIST_OK }
    const before = await state()
    const refusals: Array<[string, string, unknown, number]> = [
      ['grid-chen', 'demo-b1', { ...good, code: codes.otherBuilding }, 400],
      ['grid-chen', 'demo-b1', { ...good, code: 'ZZZZZZZZ' }, 400],
      ['grid-chen', 'demo-b1', { headcount: 3, checklist: CHECKLIST_OK }, 400],
      ['grid-chen', 'demo-b1', { ...good, checklist: { ...CHECKLIST_OK, wiring: 'fine' } }, 400],
      ['grid-chen', 'demo-b1', { ...good, checklist: { extinguisher: 'ok' } }, 400],
      ['grid-chen', 'demo-b1', { ...good, headcount: -1 }, 400],
      ['grid-chen', 'demo-b1', { ...good, findings: [{ item: 'wiring', description: 'loose cables', deadline: inDays(-1) }] }, 400],
      ['grid-chen', 'demo-b1', { ...good, findings: [{ item: 'wiring', description: 'loose cables', deadline: inDays(7), roomId: 'demo-b2-101' }] }, 400],
      ['grid-chen', 'demo-b1', { ...good, findings: [{ item: 'wiring', description: '', deadline: inDays(7) }] }, 400],
      // Only grid workers and police of the area record patrols.
      ['landlord-li', 'demo-b1', good, 403],
      ['vendor-acme', 'demo-b1', good, 403],
      ['grid-zhou', 'demo-b1', good, 404],
      ['police-other', 'demo-b1', good, 404],
    ]
    for (const [who, building, body, status] of refusals) {
      const r = await api(who, 'POST', `/buildings/${building}/patrols`, body)
      expect({ who, body, status: r.status }).toEqual({ who, body, status })
      expect(r.body.code).toMatch(/^RH_/)
    }
    expect(await state()).toBe(before)
  })

  it('records a patrol with its finding; the landlord sees the finding with its deadline but not the notes; the score rises', async () => {
    const before = (await api('police-zumiao', 'GET', '/buildings/demo-b1/score')).body.score as number
    const r = await api('grid-chen', 'POST', '/buildings/demo-b1/patrols', {
      code: codes.room101, headcount: 3,
      checklist: { ...CHECKLIST_OK, ebike_charging: 'problem', partitions: 'not_applicable' },
      photoRefs: ['oss://patrol/101-1.jpg'],
      notes: 'a third person sleeping in 101 says he is a cousin visiting',
      findings: [{ item: 'ebike_charging', description: '电动车在楼道充电', deadline: inDays(7), roomId: 'demo-b1-101' }],
    })
    expect(r.status).toBe(201)
    expect(r.body).toMatchObject({
      buildingId: 'demo-b1', patrollerId: tp.userIds['grid-chen'], code: codes.room101, roomId: 'demo-b1-101', headcount: 3, registered: 1,
      photoRefs: ['oss://patrol/101-1.jpg'], checklist: { ebike_charging: 'problem', partitions: 'not_applicable' },
    })
    const finding = r.body.findings[0]
    expect(finding).toMatchObject({ item: 'ebike_charging', deadline: inDays(7), status: 'open', roomNumber: '101', overdue: false, reinspections: [] })

    const seen = await api('landlord-li', 'GET', '/buildings/demo-b1/findings')
    expect(seen.status).toBe(200)
    expect(seen.body).toEqual([finding])
    expect(JSON.stringify(seen.body)).not.toContain('cousin')
    expect((await api('landlord-li', 'GET', '/buildings/demo-b1/patrols')).status).toBe(403)
    expect((await api('landlord-wang', 'GET', '/buildings/demo-b1/findings')).status).toBe(404)
    const patrols = await api('police-zumiao', 'GET', '/buildings/demo-b1/patrols')
    expect(patrols.body[0]).toMatchObject({ id: r.body.id, notes: expect.stringContaining('cousin'), patrollerName: expect.any(String) })

    // The score: the open finding and the checklist problem, on safety, with their evidence.
    const points = await safety()
    expect(points).toContainEqual(expect.objectContaining({ cause: 'patrol_finding_open', evidence: [finding.id], points: 8 }))
    expect(points).toContainEqual(expect.objectContaining({ cause: 'patrol_checklist_problem', evidence: [`${r.body.id}/ebike_charging`], points: 3 }))
    expect((await api('police-zumiao', 'GET', '/buildings/demo-b1/score')).body.score).toBeCloseTo(before + 11, 5)

    const record = (await api('police-zumiao', 'GET', `/house-codes/${codes.building}`)).body
    expect(record.openFindings.map((f: { id: string }) => f.id)).toEqual([finding.id])
    expect(record.lastPatrol).toMatchObject({ id: r.body.id, headcount: 3, registered: 1 })
    // A finding open: the next patrol in 3 days, not the 14 of a normal house.
    expect(Date.parse(record.nextDueAt) - Date.parse(r.body.patrolledAt)).toBe(3 * 86_400_000)

    const audit = await tp.platform.db.query<{ actor_id: string; detail: { patrolId: string; code: string; problems: string[]; findings: string[] } }>(
      `select actor_id, detail from audit_log where action = 'patrol.recorded' and subject_id = 'demo-b1'`)
    expect(audit.rows).toEqual([{ actor_id: tp.userIds['grid-chen'], detail: expect.objectContaining({ patrolId: r.body.id, code: codes.room101, problems: ['ebike_charging'], findings: [finding.id] }) }])
    expect(JSON.stringify(audit.rows)).not.toContain('cousin')
    const reads = await tp.platform.db.query(`select 1 from audit_log where action = 'patrols.read' and actor_id = $1`, [tp.userIds['police-zumiao']])
    expect(reads.rows.length).toBe(1)
  })

  it('a re-inspection keeps the finding open or closes it when put right, on site only; then it scores nothing', async () => {
    const [finding] = (await api('grid-chen', 'GET', '/buildings/demo-b1/findings?status=open')).body as Array<{ id: string }>
    const before = await state()
    expect((await api('grid-chen', 'POST', `/findings/${finding!.id}/reinspections`, { code: codes.otherBuilding, rectified: true })).status).toBe(400)
    expect((await api('landlord-li', 'POST', `/findings/${finding!.id}/reinspections`, { code: codes.building, rectified: true })).status).toBe(403)
    expect((await api('grid-zhou', 'POST', `/findings/${finding!.id}/reinspections`, { code: codes.building, rectified: true })).status).toBe(404)
    expect((await api('grid-chen', 'POST', '/findings/pf-nothing/reinspections', { code: codes.building, rectified: true })).status).toBe(404)
    expect((await api('grid-chen', 'POST', `/findings/${finding!.id}/reinspections`, { code: codes.building })).status).toBe(400)
    expect(await state()).toBe(before)

    const still = await api('grid-chen', 'POST', `/findings/${finding!.id}/reinspections`, { code: codes.building, rectified: false, note: '还在楼道充电' })
    expect(still.status).toBe(201)
    expect(still.body).toMatchObject({ status: 'open', closedAt: null, reinspections: [{ rectified: false, note: '还在楼道充电', inspectorId: tp.userIds['grid-chen'] }] })
    const fixed = await api('police-zumiao', 'POST', `/findings/${finding!.id}/reinspections`, { code: codes.room101, rectified: true, photoRefs: ['oss://patrol/101-2.jpg'] })
    expect(fixed.status).toBe(201)
    expect(fixed.body).toMatchObject({ status: 'rectified', closedAt: expect.any(String) })
    expect(fixed.body.reinspections.map((x: { rectified: boolean }) => x.rectified)).toEqual([false, true])
    expect((await api('grid-chen', 'POST', `/findings/${finding!.id}/reinspections`, { code: codes.building, rectified: true })).body.code).toBe('RH_ILLEGAL_TRANSITION')
    expect((await safety()).map((p) => p.cause)).not.toContain('patrol_finding_open')
    expect((await api('landlord-li', 'GET', '/buildings/demo-b1/findings?status=rectified')).body.map((f: { id: string }) => f.id)).toEqual([finding!.id])
    const audit = await tp.platform.db.query<{ detail: { rectified: boolean } }>(`select detail from audit_log where action = 'finding.reinspected' order by seq`)
    expect(audit.rows.map((a) => a.detail.rectified)).toEqual([false, true])

    // The next patrol finds the checklist in order: its problems score nothing any more.
    expect((await api('police-zumiao', 'POST', '/buildings/demo-b1/patrols', { code: codes.building, headcount: 5, checklist: CHECKLIST_OK })).status).toBe(201)
    expect(await safety()).toEqual([])
  })

  it('lists the houses due in each patroller\'s scope, most overdue first', async () => {
    const chen = (await api('grid-chen', 'GET', '/patrols/due')).body as Array<{ buildingId: string; overdue: boolean; dueAt: string; lastPatrolAt: string | null; intervalDays: number }>
    // demo-b2 was never patrolled: overdue, first; demo-b1 was patrolled just now, due in 14 days.
    expect(chen.map((h) => [h.buildingId, h.overdue, h.intervalDays])).toEqual([['demo-b2', true, 14], ['demo-b1', false, 14]])
    expect(chen[0]!.lastPatrolAt).toBeNull()
    expect((await api('police-zumiao', 'GET', '/patrols/due')).body.map((h: { buildingId: string }) => h.buildingId)).toEqual(['demo-b2', 'demo-b1'])
    expect((await api('grid-zhou', 'GET', '/patrols/due')).body).toEqual([])
    expect((await api('landlord-li', 'GET', '/patrols/due')).body).toEqual([])
    // The database orders by when a house is due before it cuts the list: with room for one, the most overdue
    // comes back (demo-b2), not the first by id (demo-b1).
    const patrols = new Patrols(tp.platform.registry.ctx, new AreaPolicies(tp.platform.registry.ctx))
    const admin = { id: tp.userIds['admin']!, role: 'admin' as const, username: 'admin' }
    expect((await patrols.due(admin, 1)).map((h) => h.buildingId)).toEqual(['demo-b2'])
    expect((await patrols.due(admin)).map((h) => [h.buildingId, h.dueAt])).toEqual(chen.map((h) => [h.buildingId, h.dueAt]))
  })

  it('a patrol that finds more people living there than registered feeds the registration rate\'s estimate', async () => {
    const cases = async (): Promise<Array<{ reason: string; weight: number }>> =>
      (await api('police-zumiao', 'GET', '/kpis/cases?buildingId=demo-b1&kpi=registration_rate')).body.cases
    const registered = (await tp.platform.db.query<{ n: number }>(`select count(*)::int as n from registrations where building_id = 'demo-b1' and status = 'active'`)).rows[0]!.n
    expect((await api('grid-chen', 'POST', '/buildings/demo-b1/patrols', { code: codes.building, headcount: registered + 6, checklist: CHECKLIST_OK })).status).toBe(201)
    // The latest patrol counts: six people more than registered.
    const byPatrol = (await cases()).filter((c) => c.reason === 'unregistered_by_patrol_headcount')
    expect(byPatrol.reduce((n, c) => n + c.weight, 0)).toBe(6)
  })
})
