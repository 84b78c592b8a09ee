// The grade settings of an area on both databases against a real platform:
// set on a street, they hold in the community and the buildings below it
// (the score's thresholds, the daily proposals, the patrol interval), an area's
// own settings win over those above, taking them away falls back, bad input is
// refused with nothing changed, and only the right people set them (audited).

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASE_KINDS } from '../../test/support/databases.ts'
import { callApi, startTestPlatform, type TestPlatform } from '../../test/support/platform.ts'
import { DEFAULT_AREA_POLICY } from './area-policy.ts'
import { GradeProposals } from './grade-proposals.ts'
import { HouseScores } from './house-scores.ts'

const LOW = { thresholds: { normal: 0.5, focus: 1, strict: 2 }, gradeColours: { trusted: '#00AA00', normal: '#0000aa', focus: '#aa5500', strict: '#aa0000' }, patrolDays: { trusted: 28, normal: 14, focus: 5, strict: 4, findingOpen: 2 } }

describe.each(DATABASE_KINDS)('area grade settings (%s)', (kind) => {
  let tp: TestPlatform
  const api = (who: string, method: string, url: string, body?: unknown) => callApi(tp, who, method, url, body)
  const rows = async (): Promise<number> => (await tp.platform.db.query<{ n: number }>('select count(*)::int as n from area_policy_settings')).rows[0]!.n

  beforeAll(async () => {
    tp = await startTestPlatform(kind)
    // Unsigned: the house scores at least 10 points, whatever else it has.
    expect((await api('landlord-li', 'PATCH', '/buildings/demo-b1', { responsibilitySignedAt: null })).status).toBe(200)
    expect((await api('police-zumiao', 'PATCH', '/buildings/demo-b1', { grade: 'trusted' })).status).toBe(200)
  }, 120_000)

  afterAll(async () => { await tp?.dispose() })

  it('without settings anywhere an area has the defaults', async () => {
    const r = await api('grid-chen', 'GET', '/areas/lianhua/policy-settings')
    expect(r).toMatchObject({ status: 200, body: { areaId: 'lianhua', settings: DEFAULT_AREA_POLICY, source: null, own: false, mayChange: false } })
    expect((await api('police-zumiao', 'GET', '/areas/lianhua/policy-settings')).body.mayChange).toBe(true)
    const score = await api('landlord-li', 'GET', '/buildings/demo-b1/score')
    expect(score.body).toMatchObject({ thresholds: DEFAULT_AREA_POLICY.thresholds, gradeColours: DEFAULT_AREA_POLICY.gradeColours, patrolIntervalDays: 21 })
  })

  it('set on the street by its police, they hold below it: the score, the daily proposal and the patrol interval', async () => {
    const set = await api('police-zumiao', 'PUT', '/areas/zumiao/policy-settings', LOW)
    expect(set.status).toBe(200)
    expect(set.body).toMatchObject({ areaId: 'zumiao', own: true, source: { areaId: 'zumiao', areaName: 'Zumiao Street', updatedBy: tp.userIds['police-zumiao'] } })
    expect(set.body.settings.gradeColours.trusted).toBe('#00aa00')
    const below = await api('grid-chen', 'GET', '/areas/lianhua/policy-settings')
    expect(below.body).toMatchObject({ own: false, source: { areaId: 'zumiao' }, settings: { thresholds: LOW.thresholds } })

    const score = await api('landlord-li', 'GET', '/buildings/demo-b1/score')
    expect(score.body).toMatchObject({ thresholds: LOW.thresholds, proposedGrade: 'strict', patrolIntervalDays: 28 })
    // The patrols due follow the area's intervals too (a trusted house: every 28 days, not the default 21).
    const due = (await api('grid-chen', 'GET', '/patrols/due')).body as Array<{ buildingId: string; intervalDays: number }>
    expect(due.find((h) => h.buildingId === 'demo-b1')).toMatchObject({ intervalDays: 28 })
    const proposals = new GradeProposals(tp.platform.registry.ctx, new HouseScores(tp.platform.registry.ctx))
    await proposals.proposeAll()
    const [waiting] = (await api('police-zumiao', 'GET', '/grade-proposals?buildingId=demo-b1')).body as Array<{ toGrade: string }>
    expect(waiting).toMatchObject({ toGrade: 'strict' })

    const audit = await tp.platform.db.query<{ detail: { before: unknown; after: { thresholds: unknown } } }>(
      `select detail from audit_log where action = 'policy_settings.set' and subject_id = 'zumiao'`)
    expect(audit.rows).toHaveLength(1)
    expect(audit.rows[0]!.detail).toMatchObject({ before: null, after: { thresholds: LOW.thresholds } })
  })

  it('an area\'s own settings win over those above it; taken away, those above hold again', async () => {
    const own = { ...LOW, thresholds: { normal: 100, focus: 200, strict: 300 } }
    expect((await api('admin', 'PUT', '/areas/lianhua/policy-settings', own)).body).toMatchObject({ own: true, source: { areaId: 'lianhua' } })
    expect((await api('police-zumiao', 'GET', '/buildings/demo-b1/score')).body).toMatchObject({ proposedGrade: 'trusted', thresholds: own.thresholds })
    const cleared = await api('police-zumiao', 'DELETE', '/areas/lianhua/policy-settings')
    expect(cleared.body).toMatchObject({ own: false, source: { areaId: 'zumiao' } })
    expect((await api('police-zumiao', 'GET', '/buildings/demo-b1/score')).body.thresholds).toEqual(LOW.thresholds)
    const audit = await tp.platform.db.query<{ n: number }>(`select count(*)::int as n from audit_log where action = 'policy_settings.cleared' and subject_id = 'lianhua'`)
    expect(audit.rows[0]!.n).toBe(1)
  })

  it('refuses thresholds that do not increase and intervals that are not whole positive days, changing nothing', async () => {
    const before = await rows()
    const flat = await api('admin', 'PUT', '/areas/lianhua/policy-settings', { ...LOW, thresholds: { normal: 5, focus: 5, strict: 9 } })
    expect(flat).toMatchObject({ status: 400, body: { code: 'RH_BAD_REQUEST' } })
    expect(flat.body.message).toMatch(/thresholds\.focus/)
    for (const days of [0, -3, 2.5]) {
      const r = await api('admin', 'PUT', '/areas/lianhua/policy-settings', { ...LOW, patrolDays: { ...LOW.patrolDays, normal: days } })
      expect(r).toMatchObject({ status: 400, body: { code: 'RH_VALIDATION' } })
    }
    expect((await api('admin', 'PUT', '/areas/lianhua/policy-settings', { ...LOW, gradeColours: { ...LOW.gradeColours, strict: 'red' } })).status).toBe(400)
    expect((await api('admin', 'PUT', '/areas/lianhua/policy-settings', { thresholds: LOW.thresholds })).status).toBe(400)
    expect(await rows()).toBe(before)
  })

  it('only administrators and police of a district or street set them; out of scope is not found', async () => {
    const before = await rows()
    expect((await api('grid-chen', 'PUT', '/areas/lianhua/policy-settings', LOW)).status).toBe(403)
    expect((await api('grid-chen', 'DELETE', '/areas/zumiao/policy-settings')).status).toBe(404)
    expect((await api('landlord-li', 'GET', '/areas/lianhua/policy-settings')).status).toBe(403)
    expect((await api('vendor-acme', 'PUT', '/areas/lianhua/policy-settings', LOW)).status).toBe(403)
    expect((await api('police-other', 'GET', '/areas/lianhua/policy-settings')).status).toBe(404)
    expect((await api('police-other', 'PUT', '/areas/lianhua/policy-settings', LOW)).status).toBe(404)
    // The street's police may not change the district above them.
    expect((await api('police-zumiao', 'PUT', '/areas/chancheng/policy-settings', LOW)).status).toBe(404)
    expect((await api('admin', 'GET', '/areas/nowhere/policy-settings')).status).toBe(404)
    expect(await rows()).toBe(before)
  })
})
