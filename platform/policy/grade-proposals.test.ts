// Grade proposals on both databases against a real platform: the score
// proposes, a person decides (confirm or reject, audited, in the ledger), the
// daily pass keeps one waiting proposal per building in step with the score,
// and houses are filed by grade.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASE_KINDS } from '../../test/support/databases.ts'
import { callApi, startTestPlatform, type TestPlatform } from '../../test/support/platform.ts'
import { GradeProposals } from './grade-proposals.ts'
import { HouseScores } from './house-scores.ts'

describe.each(DATABASE_KINDS)('grade proposals (%s)', (kind) => {
  let tp: TestPlatform
  let target: string
  const api = (who: string, method: string, url: string, body?: unknown) => callApi(tp, who, method, url, body)
  const setGrade = async (grade: string): Promise<void> => {
    expect((await api('police-zumiao', 'PATCH', '/buildings/demo-b1', { grade })).status).toBe(200)
  }

  beforeAll(async () => {
    tp = await startTestPlatform(kind)
    // The building well kept: what its score proposes is below 严控, so a strict grade is one to revise.
    expect((await api('landlord-li', 'PATCH', '/buildings/demo-b1', { responsibilitySignedAt: new Date().toISOString() })).status).toBe(200)
    target = (await api('police-zumiao', 'GET', '/buildings/demo-b1/score')).body.proposedGrade
    expect(target).not.toBe('strict')
  }, 120_000)

  afterAll(async () => { await tp?.dispose() })

  it('police ask for a proposal: it keeps the score and reasons of the moment; asking again gives the same one', async () => {
    await setGrade('strict')
    const made = await api('police-zumiao', 'POST', '/buildings/demo-b1/grade-proposals')
    expect(made.status).toBe(201)
    expect(made.body).toMatchObject({ buildingId: 'demo-b1', buildingName: 'Lianhua Lane 8', fromGrade: 'strict', toGrade: target, status: 'proposed', proposedBy: tp.userIds['police-zumiao'], decidedAt: null })
    expect(Array.isArray(made.body.points)).toBe(true)
    const again = await api('police-zumiao', 'POST', '/buildings/demo-b1/grade-proposals')
    expect(again.body.id).toBe(made.body.id)
    expect((await api('police-zumiao', 'GET', '/grade-proposals')).body.map((p: { id: string }) => p.id)).toEqual([made.body.id])
  })

  it('the landlord sees it but may not propose or decide; another landlord sees nothing; a grid worker may not decide', async () => {
    const [waiting] = (await api('landlord-li', 'GET', '/grade-proposals?buildingId=demo-b1')).body as Array<{ id: string }>
    expect(waiting).toBeDefined()
    expect((await api('landlord-li', 'POST', '/buildings/demo-b1/grade-proposals')).status).toBe(403)
    expect((await api('landlord-li', 'POST', `/grade-proposals/${waiting!.id}/confirm`, {})).status).toBe(403)
    expect((await api('grid-chen', 'POST', `/grade-proposals/${waiting!.id}/confirm`, {})).status).toBe(403)
    expect((await api('landlord-wang', 'GET', '/grade-proposals')).body).toEqual([])
    expect((await api('landlord-wang', 'POST', `/grade-proposals/${waiting!.id}/confirm`, {})).status).toBe(404)
    // One proposal: for those who read the building's residents, not found for anyone else.
    for (const who of ['admin', 'landlord-li', 'grid-chen', 'police-zumiao']) {
      expect(await api(who, 'GET', `/grade-proposals/${waiting!.id}`), who).toMatchObject({ status: 200, body: { id: waiting!.id, status: 'proposed' } })
    }
    for (const who of ['landlord-wang', 'police-other', 'grid-zhou', 'vendor-acme']) expect((await api(who, 'GET', `/grade-proposals/${waiting!.id}`)).status, who).toBe(404)
    expect((await api('admin', 'GET', '/grade-proposals/gp-nowhere')).status).toBe(404)
    expect((await api('police-zumiao', 'GET', '/buildings/demo-b1')).body.grade).toBe('strict')
  })

  it('a rejection needs a reason, is final, and leaves the grade as it was', async () => {
    const [waiting] = (await api('police-zumiao', 'GET', '/grade-proposals')).body as Array<{ id: string }>
    const bare = await api('police-zumiao', 'POST', `/grade-proposals/${waiting!.id}/reject`, {})
    expect(bare.status).toBe(400)
    const rejected = await api('police-zumiao', 'POST', `/grade-proposals/${waiting!.id}/reject`, { note: 'a patrol last week found partitions' })
    expect(rejected.status).toBe(200)
    expect(rejected.body).toMatchObject({ status: 'rejected', decidedBy: tp.userIds['police-zumiao'], note: 'a patrol last week found partitions' })
    const late = await api('police-zumiao', 'POST', `/grade-proposals/${waiting!.id}/confirm`, {})
    expect(late).toMatchObject({ status: 409, body: { code: 'RH_ILLEGAL_TRANSITION' } })
    expect((await api('police-zumiao', 'GET', '/buildings/demo-b1')).body.grade).toBe('strict')
    expect((await api('police-zumiao', 'GET', '/grade-proposals?status=rejected')).body.map((p: { id: string }) => p.id)).toContain(waiting!.id)
  })

  it('a confirmation gives the building the grade, in the ledger and the audit log; houses are filed by grade', async () => {
    const made = await api('police-zumiao', 'POST', '/buildings/demo-b1/grade-proposals')
    expect(made.status).toBe(201)
    const confirmed = await api('police-zumiao', 'POST', `/grade-proposals/${made.body.id}/confirm`, { note: 'checked on patrol' })
    expect(confirmed.body).toMatchObject({ status: 'confirmed', toGrade: target })
    expect((await api('police-zumiao', 'GET', '/buildings/demo-b1')).body.grade).toBe(target)
    expect((await api('police-zumiao', 'GET', `/buildings?grade=${target}`)).body.map((b: { id: string }) => b.id)).toContain('demo-b1')
    expect((await api('police-zumiao', 'GET', '/buildings?grade=strict')).body.map((b: { id: string }) => b.id)).not.toContain('demo-b1')
    expect((await api('police-zumiao', 'GET', '/buildings?grade=purple')).status).toBe(400)
    const ledger = await tp.platform.db.query<{ detail: { grade: string; gradeProposalId: string } }>(
      `select detail from registry_ledger where building_id = 'demo-b1' and action = 'building.updated' order by seq desc limit 1`)
    expect(ledger.rows[0]!.detail).toEqual({ grade: target, gradeProposalId: made.body.id })
    const audit = await tp.platform.db.query<{ n: number }>(`select count(*)::int as n from audit_log where action = 'grade.confirmed'`)
    expect(audit.rows[0]!.n).toBe(1)
    // Now that the grade is the score's, there is nothing to propose.
    expect((await api('police-zumiao', 'POST', '/buildings/demo-b1/grade-proposals')).status).toBe(409)
  })

  it('the daily pass proposes where the score points elsewhere and withdraws what the score no longer backs', async () => {
    const proposals = new GradeProposals(tp.platform.registry.ctx, new HouseScores(tp.platform.registry.ctx))
    await setGrade('strict')
    const first = await proposals.proposeAll()
    expect(first.proposed).toBeGreaterThanOrEqual(1)
    const [waiting] = (await api('police-zumiao', 'GET', '/grade-proposals?buildingId=demo-b1')).body as Array<{ id: string; proposedBy: string | null }>
    expect(waiting).toMatchObject({ proposedBy: null })
    expect((await proposals.proposeAll()).proposed).toBe(0)

    // A proposal the score no longer backs (as if made when the score pointed elsewhere) is superseded by a fresh one.
    const other = target === 'focus' ? 'normal' : 'focus'
    await tp.platform.db.query('update grade_proposals set to_grade = $2 where id = $1', [waiting!.id, other])
    const second = await proposals.proposeAll()
    expect(second).toMatchObject({ proposed: 1, superseded: 1 })
    const [fresh] = (await api('police-zumiao', 'GET', '/grade-proposals?buildingId=demo-b1')).body as Array<{ id: string; toGrade: string }>
    expect(fresh).toMatchObject({ toGrade: target })
    expect((await api('police-zumiao', 'GET', '/grade-proposals?buildingId=demo-b1&status=superseded')).body.map((p: { id: string }) => p.id)).toContain(waiting!.id)
  })

  it('a grade set by hand supersedes the waiting proposal, which can then no longer be confirmed', async () => {
    const [waiting] = (await api('police-zumiao', 'GET', '/grade-proposals?buildingId=demo-b1')).body as Array<{ id: string }>
    expect(waiting).toBeDefined()
    await setGrade('focus')
    expect((await api('police-zumiao', 'GET', '/grade-proposals?buildingId=demo-b1')).body).toEqual([])
    const late = await api('police-zumiao', 'POST', `/grade-proposals/${waiting!.id}/confirm`, {})
    expect(late).toMatchObject({ status: 409, body: { code: 'RH_ILLEGAL_TRANSITION' } })
    expect((await api('police-zumiao', 'GET', '/buildings/demo-b1')).body.grade).toBe('focus')
    // Nor does a proposal made before a change of grade decide over it, should one be left waiting.
    await setGrade('strict')
    const made = await api('police-zumiao', 'POST', '/buildings/demo-b1/grade-proposals')
    await tp.platform.db.query(`update buildings set grade = 'normal' where id = 'demo-b1'`)
    expect((await api('police-zumiao', 'POST', `/grade-proposals/${made.body.id}/confirm`, {})).status).toBe(409)
    expect((await api('police-zumiao', 'GET', '/buildings/demo-b1')).body.grade).toBe('normal')
  })

  it('asking again for the same proposal records nothing new', async () => {
    await setGrade('strict')
    const count = async (): Promise<number> => (await tp.platform.db.query<{ n: number }>(`select count(*)::int as n from audit_log where action = 'grade.proposed'`)).rows[0]!.n
    const first = await api('police-zumiao', 'POST', '/buildings/demo-b1/grade-proposals')
    const n = await count()
    const again = await api('police-zumiao', 'POST', '/buildings/demo-b1/grade-proposals')
    expect(again.body.id).toBe(first.body.id)
    expect(await count()).toBe(n)
  })
})
