// Permits, vacancy and the monthly reconciliation through the API, on both
// databases: permit types checked against their end, reminders recorded once
// and shown in the inbox, a lapsed permit taking the credentials off the
// allow-list and a renewal putting them back; vacancy proposed by the daily
// pass and decided by the grid worker of the grid only; monthly lists gone
// through item by item and signed off, with the share reconciled. Bad input
// changes nothing; every decision is audited.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASE_KINDS } from '../../test/support/databases.ts'
import { residentIdNumber } from '../../test/support/id-numbers.ts'
import { callApi, startTestPlatform, type TestPlatform } from '../../test/support/platform.ts'
import { registryFingerprint } from '../../test/support/registry-state.ts'
import { fullAllowlist } from '../registry/credentials.ts'
import { localDate } from '../registry/time-zones.ts'
import { addMonths, monthOf, permitEndsAt } from './permit-rules.ts'
import { PermitWatch } from './permit-watch.ts'
import { readReconciledShare, Reconciliations } from './reconciliation.ts'
import { VacancyProposals } from './vacancy.ts'

const DAY = 86_400_000
const ZONE = 'Asia/Shanghai'
const plusDays = (date: string, n: number): string => new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10)

describe.each(DATABASE_KINDS)('permits, vacancy, reconciliation (%s)', (kind) => {
  let tp: TestPlatform
  const api = (who: string, method: string, url: string, body?: unknown) => callApi(tp, who, method, url, body)
  const state = async (): Promise<string> => {
    const r = await tp.platform.db.query<{ f: string }>(`select concat_ws('|',
      (select string_agg(concat_ws(',', id, status, note), ';' order by id) from vacancy_proposals),
      (select string_agg(concat_ws(',', id, signed_off_at), ';' order by id) from reconciliations),
      (select string_agg(concat_ws(',', id, outcome, note), ';' order by id) from reconciliation_items),
      (select string_agg(concat_ws(',', id, withdrawn_at), ';' order by id) from rooms),
      (select count(*) from permit_reminders)) as f`)
    return `${await registryFingerprint(tp.platform.db)}#${r.rows[0]!.f}`
  }
  const audits = async (action: string): Promise<number> =>
    (await tp.platform.db.query<{ n: number }>('select count(*)::int as n from audit_log where action = $1', [action])).rows[0]!.n
  const ledger = async (action: string): Promise<Array<{ room_id: string | null; registration_id: string | null; detail: Record<string, unknown> }>> =>
    (await tp.platform.db.query<{ room_id: string | null; registration_id: string | null; detail: Record<string, unknown> }>(
      'select room_id, registration_id, detail from registry_ledger where action = $1 order by seq', [action])).rows
  let today: string
  let watch: PermitWatch
  let vacancy: VacancyProposals
  let lists: Reconciliations
  let registrationId: string
  let credentialId: string

  beforeAll(async () => {
    tp = await startTestPlatform(kind)
    today = localDate(Date.now(), ZONE)
    watch = new PermitWatch(tp.platform.registry.ctx)
    vacancy = new VacancyProposals(tp.platform.registry.ctx)
    lists = new Reconciliations(tp.platform.registry.ctx)
  }, 120_000)
  afterAll(async () => { await tp?.dispose() })

  it('refuses a permit end that does not fit its type, or a type without an end, and changes nothing', async () => {
    const before = await state()
    const resident = { name: 'Sun Li', idType: 'resident_id', idNumber: residentIdNumber(9101) }
    const tooLong = await api('landlord-li', 'POST', '/rooms/demo-b1-201/registrations', {
      resident, permitType: 'temporary', permitValidUntil: plusDays(addMonths(today, 6), 1),
    })
    expect(tooLong.status).toBe(400)
    expect(tooLong.body.message).toMatch(/6 months/)
    const noEnd = await api('landlord-li', 'POST', '/rooms/demo-b1-201/registrations', { resident, permitType: 'residence' })
    expect(noEnd.status).toBe(400)
    const badType = await api('landlord-li', 'POST', '/rooms/demo-b1-201/registrations', { resident, permitType: 'visa', permitValidUntil: today })
    expect(badType.status).toBe(400)
    expect(await state()).toBe(before)
  })

  it('records a temporary permit; its card\'s allow-list entry ends with the permit\'s last day', async () => {
    const end = plusDays(today, 20)
    const r = await api('landlord-li', 'POST', '/rooms/demo-b1-201/registrations', {
      resident: { name: 'Sun Li', idType: 'resident_id', idNumber: residentIdNumber(9101) },
      permitType: 'temporary', permitValidUntil: end, credentials: [{ kind: 'card', value: '5A5A0001' }],
    })
    expect(r.status).toBe(201)
    expect(r.body.registration).toMatchObject({ permitType: 'temporary', permitValidUntil: end, permitLapsedAt: null })
    registrationId = r.body.registration.id
    credentialId = r.body.credentials[0].id
    const { entries } = await fullAllowlist(tp.platform.db, 'demo-b1')
    expect(entries.find((e) => e.credentialId === credentialId)?.validUntil).toBe(new Date(permitEndsAt(end, ZONE)).toISOString())
  })

  it('sends the 30-day and the 7-day reminder once each, to the landlord\'s inbox and GET /permit-reminders', async () => {
    const now = Date.now()
    expect(await watch.run(now)).toEqual({ reminded: 1, lapsed: 0 })
    expect(await watch.run(now + DAY)).toEqual({ reminded: 0, lapsed: 0 })
    expect((await watch.run(now + 13 * DAY)).reminded).toBe(1)
    expect((await watch.run(now + 14 * DAY)).reminded).toBe(0)
    const mine = await api('landlord-li', 'GET', '/permit-reminders?buildingId=demo-b1')
    expect(mine.status).toBe(200)
    expect(mine.body.map((m: { daysBefore: number }) => m.daysBefore)).toEqual([7, 30])
    expect(mine.body[0]).toMatchObject({ registrationId, roomNumber: '201', permitType: 'temporary', settled: false })
    expect(mine.body[0].nameMasked).not.toBe('Sun Li')
    expect((await api('landlord-wang', 'GET', '/permit-reminders')).body).toEqual([])
    expect((await api('landlord-wang', 'GET', '/permit-reminders?buildingId=demo-b1')).status).toBe(404)
    const inbox = await api('landlord-li', 'GET', '/buildings/demo-b1/inbox')
    const item = inbox.body.items.find((i: { registrationId: string }) => i.registrationId === registrationId)
    expect(item).toMatchObject({ type: 'permit_expiring', permitType: 'temporary', lapsed: false })
    expect(item.reminders.map((m: { daysBefore: number }) => m.daysBefore)).toEqual([30, 7])
    expect(await audits('permit_reminders.read')).toBeGreaterThan(0)
  })

  it('after the permit\'s last day, the watch takes the credentials off the readers, once, in the ledger and audit log', async () => {
    const after = permitEndsAt(plusDays(today, 20), ZONE) + 60_000
    expect(await watch.run(after - 120_000)).toMatchObject({ lapsed: 0 })
    expect(await watch.run(after)).toMatchObject({ lapsed: 1 })
    expect(await watch.run(after + DAY)).toMatchObject({ lapsed: 0 })
    const { entries } = await fullAllowlist(tp.platform.db, 'demo-b1')
    expect(entries.map((e) => e.credentialId)).not.toContain(credentialId)
    const reg = await api('landlord-li', 'GET', `/registrations/${registrationId}`)
    expect(reg.body.permitLapsedAt).toBe(new Date(after).toISOString())
    expect(reg.body.status).toBe('active')
    const lapsed = await ledger('registration.permit_lapsed')
    expect(lapsed.map((l) => l.registration_id)).toEqual([registrationId])
    expect(lapsed[0]!.detail).toMatchObject({ credentials: [credentialId] })
    expect(await audits('permit.lapsed')).toBe(1)
  })

  it('a renewal must fit its type and lie ahead; a good one puts the credentials back with the new end', async () => {
    const before = await state()
    const past = await api('landlord-li', 'POST', `/registrations/${registrationId}/renew`, { permitValidUntil: plusDays(today, -1) })
    expect(past.status).toBe(400)
    const tooLong = await api('landlord-li', 'POST', `/registrations/${registrationId}/renew`, { permitValidUntil: addMonths(today, 7) })
    expect(tooLong.status).toBe(400)
    expect((await api('landlord-wang', 'POST', `/registrations/${registrationId}/renew`, { permitValidUntil: plusDays(today, 30) })).status).toBe(404)
    expect(await state()).toBe(before)
    const end = addMonths(today, 24)
    const renewed = await api('landlord-li', 'POST', `/registrations/${registrationId}/renew`, { permitValidUntil: end, permitType: 'residence' })
    expect(renewed.status).toBe(200)
    expect(renewed.body).toMatchObject({ permitType: 'residence', permitValidUntil: end, permitLapsedAt: null })
    const { entries } = await fullAllowlist(tp.platform.db, 'demo-b1')
    expect(entries.find((e) => e.credentialId === credentialId)?.validUntil).toBe(new Date(permitEndsAt(end, ZONE)).toISOString())
    expect((await ledger('registration.permit_restored')).map((l) => l.registration_id)).toEqual([registrationId])
    expect(await audits('permit.restored')).toBe(1)
    // The earlier reminders were for the old end.
    const reminders = await api('landlord-li', 'GET', '/permit-reminders?buildingId=demo-b1')
    expect(reminders.body.every((m: { settled: boolean }) => m.settled)).toBe(true)
  })

  it('proposes a room empty for three months; only the grid worker of its grid decides, and a confirmation withdraws it', async () => {
    for (const number of ['301', '302']) expect((await api('admin', 'POST', '/buildings/demo-b1/rooms', { id: `demo-b1-${number}`, number, capacity: 2 })).status).toBe(201)
    // Rooms on the register for 100 days that nobody ever lived in.
    await tp.platform.db.query(`update rooms set created_at = $1 where id in ('demo-b1-301', 'demo-b1-302')`, [new Date(Date.now() - 100 * DAY)])
    expect(await vacancy.proposeAll(Date.now() - 20 * DAY)).toEqual({ proposed: 0, superseded: 0 })
    expect(await vacancy.proposeAll(Date.now())).toEqual({ proposed: 2, superseded: 0 })
    expect(await vacancy.proposeAll(Date.now() + DAY)).toEqual({ proposed: 0, superseded: 0 })
    const seen = await api('grid-chen', 'GET', '/vacancy-proposals')
    expect(seen.body.map((p: { roomNumber: string }) => p.roomNumber).sort()).toEqual(['301', '302'])
    expect(seen.body[0]).toMatchObject({ buildingId: 'demo-b1', gridId: 'lianhua-g1', status: 'proposed' })
    expect((await api('landlord-li', 'GET', '/vacancy-proposals')).body).toHaveLength(2)
    expect((await api('landlord-wang', 'GET', '/vacancy-proposals')).body).toEqual([])
    expect((await api('grid-zhou', 'GET', '/vacancy-proposals')).body).toEqual([])
    const p301 = seen.body.find((p: { roomNumber: string }) => p.roomNumber === '301').id as string
    const p302 = seen.body.find((p: { roomNumber: string }) => p.roomNumber === '302').id as string

    const before = await state()
    expect((await api('landlord-li', 'POST', `/vacancy-proposals/${p301}/confirm`, {})).status).toBe(403)
    expect((await api('police-zumiao', 'POST', `/vacancy-proposals/${p301}/confirm`, {})).status).toBe(403)
    expect((await api('grid-zhou', 'POST', `/vacancy-proposals/${p301}/confirm`, {})).status).toBe(404)
    expect((await api('landlord-wang', 'POST', `/vacancy-proposals/${p301}/reject`, { note: 'no' })).status).toBe(404)
    expect((await api('grid-chen', 'POST', `/vacancy-proposals/${p302}/reject`, {})).status).toBe(400)
    expect((await api('grid-chen', 'POST', '/vacancy-proposals/vp-aaaaaaaaaaaa/confirm', {})).status).toBe(404)
    expect(await state()).toBe(before)

    const confirmed = await api('grid-chen', 'POST', `/vacancy-proposals/${p301}/confirm`, { note: 'checked on site: empty' })
    expect(confirmed.status).toBe(200)
    expect(confirmed.body).toMatchObject({ status: 'confirmed', decidedBy: tp.userIds['grid-chen'], note: 'checked on site: empty' })
    expect((await api('grid-chen', 'POST', `/vacancy-proposals/${p301}/confirm`, {})).status).toBe(409)
    const rejected = await api('grid-chen', 'POST', `/vacancy-proposals/${p302}/reject`, { note: 'a tenant moves in next week' })
    expect(rejected.body.status).toBe('rejected')
    expect((await ledger('room.withdrawn')).map((l) => l.room_id)).toEqual(['demo-b1-301'])
    expect(await audits('vacancy.confirmed')).toBe(1)
    expect(await audits('vacancy.rejected')).toBe(1)
    // Neither is proposed again soon: one is off the register, the other was rejected; that one after another period.
    expect(await vacancy.proposeAll(Date.now() + 2 * DAY)).toEqual({ proposed: 0, superseded: 0 })
    expect(await vacancy.proposeAll(Date.now() + 91 * DAY)).toEqual({ proposed: 1, superseded: 0 })
    await tp.platform.db.query(`update vacancy_proposals set status = 'superseded', decided_at = now() where status = 'proposed'`)
  })

  it('a registration into a withdrawn room puts it back on the register', async () => {
    const r = await api('landlord-li', 'POST', '/rooms/demo-b1-301/registrations', {
      resident: { name: 'Ma Chao', idType: 'resident_id', idNumber: residentIdNumber(9102) },
    })
    expect(r.status).toBe(201)
    expect((await ledger('room.returned')).map((l) => l.room_id)).toEqual(['demo-b1-301'])
    const w = await tp.platform.db.query<{ withdrawn_at: Date | null }>(`select withdrawn_at from rooms where id = 'demo-b1-301'`)
    expect(w.rows[0]!.withdrawn_at).toBeNull()
  })

  it('lists each building once a month for its landlord and its grid; each goes through its own list and signs it off', async () => {
    const now = Date.now()
    const month = monthOf(now, ZONE)
    expect(await lists.listAll(now)).toMatchObject({ listed: 2 })
    expect(await lists.listAll(now + 60_000)).toEqual({ listed: 0, items: 0 })
    const li = (await api('landlord-li', 'GET', `/reconciliations?month=${month}`)).body as Array<{ id: string; scope: string; scopeId: string; items: number }>
    expect(li.map((l) => [l.scope, l.scopeId])).toEqual([['landlord', tp.userIds['landlord-li']]])
    const grids = (await api('grid-chen', 'GET', '/reconciliations?scope=grid')).body as Array<{ id: string; scopeId: string; items: number }>
    expect(grids.map((l) => l.scopeId).sort()).toEqual(['lianhua-g1', 'lianhua-g2'])
    // Named as people know them: the grid's name, the landlord's.
    expect((grids as Array<{ scopeId: string; scopeName?: string }>).map((l) => [l.scopeId, l.scopeName]).sort()).toEqual([['lianhua-g1', 'Lianhua grid 1'], ['lianhua-g2', 'Lianhua grid 2']])
    expect((li as Array<{ scopeName?: string }>)[0]!.scopeName).toBe('Li Ming (landlord, building demo-b1)')
    expect((await api('grid-zhou', 'GET', '/reconciliations')).body).toEqual([])
    expect((await api('landlord-wang', 'GET', '/reconciliations')).body.map((l: { scopeId: string }) => l.scopeId)).toEqual([tp.userIds['landlord-wang']])
    const g1 = grids.find((l) => l.scopeId === 'lianhua-g1')!
    expect(g1.items).toBe(li[0]!.items)

    const list = (await api('landlord-li', 'GET', `/reconciliations/${li[0]!.id}`)).body
    // Room 302 stands empty; nobody's permit has ended.
    expect(list.list.map((i: { kind: string; roomNumber: string }) => `${i.kind}:${i.roomNumber}`)).toEqual(['vacant_room:302'])
    expect(await audits('reconciliation.read')).toBeGreaterThan(0)
    const item = list.list[0].id as string

    const before = await state()
    expect((await api('landlord-li', 'POST', `/reconciliations/${li[0]!.id}/sign-off`)).status).toBe(409)
    expect((await api('landlord-li', 'POST', `/reconciliations/${li[0]!.id}/items/${item}`, { outcome: 'corrected' })).status).toBe(400)
    expect((await api('landlord-li', 'POST', `/reconciliations/${li[0]!.id}/items/${item}`, { outcome: 'maybe' })).status).toBe(400)
    expect((await api('landlord-wang', 'POST', `/reconciliations/${li[0]!.id}/items/${item}`, { outcome: 'confirmed' })).status).toBe(404)
    expect((await api('grid-chen', 'POST', `/reconciliations/${li[0]!.id}/items/${item}`, { outcome: 'confirmed' })).status).toBe(404)
    expect((await api('police-zumiao', 'POST', `/reconciliations/${g1.id}/sign-off`)).status).toBe(403)
    expect((await api('landlord-li', 'POST', `/reconciliations/${li[0]!.id}/items/ri-aaaaaaaaaaaa`, { outcome: 'confirmed' })).status).toBe(404)
    expect(await state()).toBe(before)

    const decided = await api('landlord-li', 'POST', `/reconciliations/${li[0]!.id}/items/${item}`, { outcome: 'corrected', note: 'room 302 is let from Monday' })
    expect(decided.body).toMatchObject({ outcome: 'corrected', note: 'room 302 is let from Monday', decidedBy: tp.userIds['landlord-li'] })
    const signed = await api('landlord-li', 'POST', `/reconciliations/${li[0]!.id}/sign-off`)
    expect(signed.status).toBe(200)
    expect(signed.body).toMatchObject({ signedOffBy: tp.userIds['landlord-li'], items: 1, decided: 1 })
    expect((await api('landlord-li', 'POST', `/reconciliations/${li[0]!.id}/sign-off`)).status).toBe(409)
    expect((await api('landlord-li', 'POST', `/reconciliations/${li[0]!.id}/items/${item}`, { outcome: 'confirmed' })).status).toBe(409)
    expect((await ledger('reconciliation.signed_off')).map((l) => l.detail)).toEqual([{ reconciliationId: li[0]!.id, month, scope: 'landlord', items: 1, corrected: 1 }])
    expect(await audits('reconciliation.signed_off')).toBe(1)

    // The share reconciled: of the two lists holding demo-b1's item, one is signed off.
    const path = (await tp.platform.db.query<{ path: string }>(`select path from areas where id = 'lianhua-g1'`)).rows[0]!.path
    expect(await readReconciledShare(tp.platform.db, path, month)).toEqual({ listed: 2, signedOff: 1 })
    // The same share is a KPI of the building, beside the others.
    const figures = (await api('police-zumiao', 'GET', '/kpis?buildingId=demo-b1')).body.figures as Array<{ kpi: string; numerator: number; denominator: number; target: number }>
    expect(figures.find((f) => f.kpi === 'reconciled_share')).toMatchObject({ numerator: 1, denominator: 2, target: 1 })
    const kpi = await api('grid-chen', 'GET', `/areas/lianhua-g1/reconciled-share?month=${month}`)
    expect(kpi.body).toEqual({ areaId: 'lianhua-g1', month, listed: 2, signedOff: 1, share: 0.5 })
    expect((await api('grid-chen', 'GET', '/areas/lianhua-g1/reconciled-share?month=2026-13')).status).toBe(400)
    expect((await api('grid-zhou', 'GET', `/areas/lianhua-g1/reconciled-share?month=${month}`)).status).toBe(404)
    expect((await api('landlord-li', 'GET', `/areas/lianhua-g1/reconciled-share?month=${month}`)).status).toBe(403)
  })
})
