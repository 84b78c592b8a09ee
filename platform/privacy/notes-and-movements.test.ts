// The personal-data erasure covers patrol notes and the KPIs' movement facts,
// on both databases: a patrol's (and a re-inspection's) notes go once the
// visit is past the retention period and nobody who lived in the house then
// is still within it; an own-credential passage goes with its stay's retention.

import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASE_KINDS } from '../../test/support/databases.ts'
import { residentIdNumber } from '../../test/support/id-numbers.ts'
import { callApi, startTestPlatform, type TestPlatform } from '../../test/support/platform.ts'
import { localDate } from '../registry/time-zones.ts'
import { ERASED, PersonalDataRetention } from './personal-data-retention.ts'

const DAY = 86_400_000
const CHECKLIST_OK = { extinguisher: 'ok', smoke_detector: 'ok', escape_route: 'ok', partitions: 'ok', ebike_charging: 'ok', wiring: 'ok', occupancy: 'ok' }

describe.each(DATABASE_KINDS)('erasure of patrol notes and movement facts (%s)', (kind) => {
  let tp: TestPlatform
  let job: PersonalDataRetention
  const api = (who: string, method: string, url: string, body?: unknown) => callApi(tp, who, method, url, body)
  const ago = (days: number): Date => new Date(Date.now() - days * DAY)
  const notes = async (): Promise<Record<string, string | null>> => {
    const p = await tp.platform.db.query<{ id: string; notes: string | null }>('select id, notes from patrols order by id')
    const r = await tp.platform.db.query<{ id: string; notes: string | null }>('select id, note as notes from finding_reinspections order by id')
    return Object.fromEntries([...p.rows, ...r.rows].map((x) => [x.id, x.notes]))
  }
  const patrol = async (buildingId: string, who: string, text: string, finding = false): Promise<{ id: string; findingId?: string }> => {
    const code = (await api(who, 'GET', `/buildings/${buildingId}/plates`)).body.plates[0].code as string
    const r = await api('grid-chen', 'POST', `/buildings/${buildingId}/patrols`, {
      code, headcount: 1, checklist: CHECKLIST_OK, notes: text,
      ...(finding ? { findings: [{ item: 'wiring', description: '楼道电线裸露', deadline: localDate(Date.now() + 7 * DAY, 'Asia/Shanghai') }] } : {}),
    })
    expect(r.status).toBe(201)
    return { id: r.body.id as string, ...(finding ? { findingId: r.body.findings[0].id as string } : {}) }
  }
  let oldB1: string
  let oldB2: string
  let recentB2: string
  let reinspection: string
  let stayB1: string

  beforeAll(async () => {
    tp = await startTestPlatform(kind)
    job = new PersonalDataRetention({ db: tp.platform.db, logger: pino({ level: 'silent' }), retentionDays: 1095 })
    // A tenant of demo-b1 from 2100 to 1000 days ago: within the retention period still.
    const r = await api('admin', 'POST', '/rooms/demo-b1-201/registrations', {
      resident: { name: 'Person Eight', idType: 'resident_id', idNumber: residentIdNumber(7108) }, arrivedAt: ago(2100).toISOString(),
    })
    expect(r.status).toBe(201)
    stayB1 = r.body.registration.id as string
    expect((await api('admin', 'POST', `/registrations/${stayB1}/deregister`, { reason: 'moved_out', departedAt: ago(1000).toISOString() })).status).toBe(200)

    oldB1 = (await patrol('demo-b1', 'landlord-li', 'Person Eight in 201 says a friend stays over')).id
    const b2 = await patrol('demo-b2', 'landlord-wang', 'Huang Lei was not home', true)
    oldB2 = b2.id
    recentB2 = (await patrol('demo-b2', 'landlord-wang', 'the tenant showed the charging point')).id
    const code = (await api('landlord-wang', 'GET', '/buildings/demo-b2/plates')).body.plates[0].code as string
    const re = await api('grid-chen', 'POST', `/findings/${b2.findingId!}/reinspections`, { code, rectified: false, note: 'the landlord\'s nephew said next week' })
    expect(re.status).toBe(201)
    reinspection = (await tp.platform.db.query<{ id: string }>('select id from finding_reinspections')).rows[0]!.id
    // The old visits were 2000 days ago: before any stay of demo-b2 began, during the tenant's of demo-b1.
    await tp.platform.db.query('update patrols set patrolled_at = $2 where id = any($1)', [[oldB1, oldB2], ago(2000)])
    await tp.platform.db.query('update finding_reinspections set inspected_at = $1', [ago(1990)])
    // Movement facts: the old stay's last passage and a current resident's.
    const current = (await tp.platform.db.query<{ id: string }>(`select id from registrations where room_id = 'demo-b1-101' and status = 'active'`)).rows[0]!.id
    await tp.platform.db.query(`insert into kpi_own_passages (registration_id, building_id, last_at) values ($1, 'demo-b1', $2), ($3, 'demo-b1', $4)`,
      [stayB1, ago(1001), current, ago(1)])
  }, 120_000)
  afterAll(async () => { await tp?.dispose() })

  it('erases the notes of visits nobody within the period lived through, and keeps the rest', async () => {
    expect(await job.runOnce()).toEqual({ residents: 0, visitors: 0, patrolNotes: 2, ownPassages: 0 })
    expect(await notes()).toEqual({
      [oldB1]: 'Person Eight in 201 says a friend stays over',
      [oldB2]: ERASED,
      [recentB2]: 'the tenant showed the charging point',
      [reinspection]: ERASED,
    })
    // The patrol itself stays, as the house's history.
    expect((await api('grid-chen', 'GET', '/buildings/demo-b2/patrols')).body.map((p: { id: string; notes: string | null }) => [p.id, p.notes]))
      .toEqual(expect.arrayContaining([[oldB2, ERASED]]))
    const audit = await tp.platform.db.query<{ subject_type: string; detail: { patrolNotes: string[] } }>(
      `select subject_type, detail from audit_log where action = 'personal_data.erased'`)
    expect(audit.rows).toEqual([{ subject_type: 'patrol', detail: expect.objectContaining({ patrolNotes: [oldB2, reinspection] }) }])
    expect(await job.runOnce()).toEqual({ residents: 0, visitors: 0, patrolNotes: 0, ownPassages: 0 })
  })

  it('once the tenant who lived through the visit is past the period, the note goes, with their passage and their name', async () => {
    // A shorter period (900 days): the tenant who left 1000 days ago is past it.
    const shorter = new PersonalDataRetention({ db: tp.platform.db, logger: pino({ level: 'silent' }), retentionDays: 900 })
    expect(await shorter.runOnce()).toEqual({ residents: 1, visitors: 0, patrolNotes: 1, ownPassages: 1 })
    expect((await notes())[oldB1]).toBe(ERASED)
    const left = await tp.platform.db.query<{ registration_id: string }>('select registration_id from kpi_own_passages')
    expect(left.rows.map((r) => r.registration_id)).not.toContain(stayB1)
    expect(left.rows).toHaveLength(1)
  })
})
