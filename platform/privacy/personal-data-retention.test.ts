// Personal data is erased on schedule, on both databases: a person whose last
// stay ended longer ago than the retention period loses every identifying
// field; the stays remain; current residents and recent leavers are kept;
// an erased person's ID number cannot be revealed, and the refusal is audited.

import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASE_KINDS } from '../../test/support/databases.ts'
import { residentIdNumber } from '../../test/support/id-numbers.ts'
import { callApi, startTestPlatform, type TestPlatform } from '../../test/support/platform.ts'
import { ERASED, PersonalDataRetention } from './personal-data-retention.ts'

const DAY = 86_400_000

describe.each(DATABASE_KINDS)('personal data retention (%s)', (kind) => {
  let tp: TestPlatform
  beforeAll(async () => { tp = await startTestPlatform(kind) }, 60_000)
  afterAll(async () => { await tp?.dispose() })

  async function stay (i: number, arrivedDaysAgo: number, departedDaysAgo: number | null): Promise<{ residentId: string; registrationId: string }> {
    const r = await callApi(tp, 'admin', 'POST', '/rooms/demo-b1-201/registrations', {
      resident: { name: `Person ${i}`, idType: 'resident_id', idNumber: residentIdNumber(7000 + i), phone: '13800000000', employer: 'Some works' },
      arrivedAt: new Date(Date.now() - arrivedDaysAgo * DAY).toISOString(),
    })
    expect(r.status).toBe(201)
    const ids = { residentId: r.body.registration.resident.id as string, registrationId: r.body.registration.id as string }
    if (departedDaysAgo !== null) {
      const d = await callApi(tp, 'admin', 'POST', `/registrations/${ids.registrationId}/deregister`, { reason: 'moved_out', departedAt: new Date(Date.now() - departedDaysAgo * DAY).toISOString() })
      expect(d.status).toBe(200)
    }
    return ids
  }

  it('erases who left long ago, keeps the stays and everyone else, and refuses to reveal an erased number', async () => {
    const longGone = await stay(1, 2000, 1500)
    const recent = await stay(2, 900, 30)
    const current = await stay(3, 800, null)
    const job = new PersonalDataRetention({ db: tp.platform.db, logger: pino({ level: 'silent' }), retentionDays: 1095 })
    expect(await job.runOnce()).toEqual({ residents: 1, visitors: 0, patrolNotes: 0, ownPassages: 0 })
    expect(await job.runOnce()).toEqual({ residents: 0, visitors: 0, patrolNotes: 0, ownPassages: 0 })

    const gone = await callApi(tp, 'admin', 'GET', `/residents/${longGone.residentId}`)
    expect(gone.body).toMatchObject({ name: ERASED, idNumberMasked: ERASED, phone: null, employer: null, sex: null, birthDecade: null })
    expect(gone.body.registrations).toHaveLength(1)
    const row = (await tp.platform.db.query<{ id_cipher: string; id_hash: string }>('select id_cipher, id_hash from residents where id = $1', [longGone.residentId])).rows[0]!
    expect(row.id_cipher).toBe('')
    expect(row.id_hash).toBe(`erased:${longGone.residentId}`)
    for (const kept of [recent, current]) expect((await callApi(tp, 'admin', 'GET', `/residents/${kept.residentId}`)).body.name).not.toBe(ERASED)

    const reveal = await callApi(tp, 'police-zumiao', 'POST', `/residents/${longGone.residentId}/id-number`, { reason: 'case 2026-7' })
    expect(reveal.status).toBe(409)
    const audit = await tp.platform.db.query<{ action: string; detail: { why?: string; residents?: string[] } }>(
      `select action, detail from audit_log where action in ('resident.id_number.denied', 'personal_data.erased') order by seq`)
    expect(audit.rows).toEqual([
      { action: 'personal_data.erased', detail: expect.objectContaining({ residents: [longGone.residentId] }) },
      { action: 'resident.id_number.denied', detail: expect.objectContaining({ why: 'erased' }) },
    ])
    // The same person arriving again is simply a new person.
    const back = await callApi(tp, 'admin', 'POST', '/rooms/demo-b1-102/registrations', { resident: { name: 'Person 1', idType: 'resident_id', idNumber: residentIdNumber(7001) } })
    expect(back.status).toBe(201)
    expect(back.body.registration.resident.id).not.toBe(longGone.residentId)
  })
})
