import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from '../../test/support/databases.ts'
import { sqlState } from '../store/database.ts'
import { AlertService } from './alert-service.ts'
import { candidate, seedAlertWorld, type AlertWorld } from './alerts.test-kit.ts'
import type { AlertChange } from './model.ts'

describe.each(DATABASE_KINDS)('AlertService on %s', (kind) => {
  let t: TestDatabase
  let w: AlertWorld
  let alerts: AlertService
  let wakes = 0
  const changes: AlertChange[] = []
  const now = new Date('2026-03-01T10:05:00Z')

  beforeAll(async () => {
    t = await openTestDatabase(kind)
    w = await seedAlertWorld(t.db)
    alerts = new AlertService({ db: t.db, now: () => now, events: { outboxAdded: () => { wakes++ } } })
    alerts.changes$.subscribe((c) => changes.push(c))
    await t.db.query(`insert into webhooks (id, url, secret, area_id, area_path, min_severity, created_by)
      values ('wh-1', 'http://127.0.0.1:1/x', 's', 'w-s1', '/w-d1/w-s1/', 'major', $1)`, [w.admin.id])
  })
  afterAll(async () => { alerts?.close(); await t?.dispose() })

  const outbox = async (alertId: string) => (await t.db.query<{ event: string; webhook_id: string }>(
    'select event, webhook_id from webhook_outbox where alert_id = $1 order by seq', [alertId])).rows

  it('opens one alert per condition and folds repeats into its counter, evidence and latest time', async () => {
    const key = `k-dedup-${kind}`
    const first = await alerts.raise(candidate(w.bA, { dedupKey: key, evidence: ['d/1'] }))
    expect(first?.kind).toBe('opened')
    const id = first!.alert.id
    expect(first!.alert).toMatchObject({ status: 'open', count: 1, severity: 'major', buildingId: w.bA, evidence: ['d/1'] })
    expect(first!.alert.jurisdiction).toEqual({ district: 'w-d1', street: 'w-s1', community: 'w-c1', grid: 'w-g1' })
    const second = await alerts.raise(candidate(w.bA, { dedupKey: key, evidence: ['d/2'], at: Date.parse('2026-03-01T11:00:00Z') }))
    expect(second).toMatchObject({ kind: 'updated', alert: { id, count: 2, evidence: ['d/1', 'd/2'], lastAt: '2026-03-01T11:00:00.000Z' } })
    const evidence = Array.from({ length: 30 }, (_, i) => `d/x${i}`)
    const s = await alerts.raiseBatch(evidence.map((e) => candidate(w.bA, { dedupKey: key, evidence: [e] })))
    expect(s).toMatchObject({ opened: 0, updated: 1 })
    const got = await alerts.get(w.admin, id)
    expect(got.count).toBe(32)
    expect(got.evidence).toEqual(evidence.slice(10))
    expect(got.history.map((h) => h.action)).toEqual(['opened'])
    expect(await outbox(id)).toEqual([{ event: 'alert.opened', webhook_id: 'wh-1' }])
  })

  it('raises the severity when a repeat is more severe, never lowers it, and tells the webhooks', async () => {
    const key = `k-sev-${kind}`
    const opened = await alerts.raise(candidate(w.bA, { dedupKey: key, severity: 'warning' }))
    expect(await outbox(opened!.alert.id)).toEqual([]) // below the webhook's threshold
    expect((await alerts.raise(candidate(w.bA, { dedupKey: key, severity: 'critical' })))!.alert.severity).toBe('critical')
    expect((await alerts.raise(candidate(w.bA, { dedupKey: key, severity: 'info' })))!.alert.severity).toBe('critical')
    const got = await alerts.get(w.police, opened!.alert.id)
    expect(got.history.map((h) => [h.action, h.detail])).toEqual([['opened', { severity: 'warning' }], ['escalated', { from: 'warning', to: 'critical' }]])
    expect(await outbox(opened!.alert.id)).toEqual([{ event: 'alert.escalated', webhook_id: 'wh-1' }])
  })

  it('auto-resolves the live alert when the condition clears; the next occurrence opens a new alert', async () => {
    const key = `k-clear-${kind}`
    const a1 = (await alerts.raise(candidate(w.bB, { dedupKey: key })))!.alert
    const cleared = await alerts.raise(candidate(w.bB, { dedupKey: key, clears: true }))
    expect(cleared).toMatchObject({ kind: 'resolved', alert: { id: a1.id, status: 'resolved', autoResolved: true, resolutionNote: 'condition cleared', resolvedBy: null } })
    expect(await alerts.raise(candidate(w.bB, { dedupKey: key, clears: true }))).toBeNull()
    const a2 = (await alerts.raise(candidate(w.bB, { dedupKey: key })))!
    expect(a2.kind).toBe('opened')
    expect(a2.alert.id).not.toBe(a1.id)
    expect(await outbox(a1.id)).toEqual([{ event: 'alert.opened', webhook_id: 'wh-1' }, { event: 'alert.resolved', webhook_id: 'wh-1' }])
  })

  it('updates a raised condition as it changes: level, explanation and evidence, not the count; told everywhere', async () => {
    const key = `overcrowding_observed:${kind}-room`
    const crowd = (n: number, o: object = {}) => candidate(w.bA, {
      type: 'overcrowding_observed', dedupKey: key, roomId: `${kind}-room`, level: n,
      explanation: `${n} people of room 101 are inside by the door records, for a capacity of 2.`, ...o,
    })
    const opened = (await alerts.raise(crowd(3, { evidence: ['d/in1', 'd/in2', 'd/in3'] })))!
    expect(opened.alert).toMatchObject({ level: 3, count: 1 })
    const before = changes.length
    const s = await alerts.raiseBatch([crowd(4, { updates: true, evidence: ['d/in1', 'd/in2', 'd/in3', 'd/in4'], at: Date.parse('2026-03-01T12:00:00Z') })])
    expect(s).toMatchObject({ opened: 0, updated: 0, changed: 1 })
    const got = await alerts.get(w.admin, opened.alert.id)
    expect(got).toMatchObject({ level: 4, count: 1, lastAt: '2026-03-01T12:00:00.000Z', evidence: ['d/in1', 'd/in2', 'd/in3', 'd/in4'] })
    expect(got.explanation).toContain('4 people')
    expect(got.history.map((h) => [h.action, h.detail])).toEqual([['opened', { severity: 'major' }], ['changed', { level: { from: 3, to: 4 } }]])
    expect(changes.slice(before)).toEqual([expect.objectContaining({ kind: 'updated', alert: expect.objectContaining({ id: opened.alert.id, level: 4 }) })])
    expect(await outbox(opened.alert.id)).toEqual([{ event: 'alert.opened', webhook_id: 'wh-1' }, { event: 'alert.changed', webhook_id: 'wh-1' }])
    // The same state again is no news; an update never opens an alert once it is resolved.
    expect(await alerts.raiseBatch([crowd(4, { updates: true })])).toMatchObject({ changed: 0 })
    await alerts.raise(crowd(4, { clears: true }))
    expect(await alerts.raiseBatch([crowd(5, { updates: true })])).toMatchObject({ opened: 0, changed: 0 })
    expect((await alerts.list(w.admin, { type: 'overcrowding_observed', status: 'live' })).items.filter((a) => a.dedupKey === key)).toEqual([])
    // Raised and changed in one batch: one alert, opened with the latest state.
    const key2 = `${key}-2`
    await alerts.raiseBatch([crowd(3, { dedupKey: key2 }), crowd(5, { dedupKey: key2, updates: true })])
    const [both] = (await alerts.list(w.admin, { type: 'overcrowding_observed', status: 'live' })).items.filter((a) => a.dedupKey === key2)
    expect(both).toMatchObject({ level: 5, count: 1 })
  })

  it('keeps the order of raise / clear / raise of one key inside a batch', async () => {
    const key = `k-batch-${kind}`
    const before = changes.length
    const s = await alerts.raiseBatch([
      candidate(w.bA, { dedupKey: key }), candidate(w.bA, { dedupKey: key }), candidate(w.bA, { dedupKey: key, clears: true }),
      candidate(w.bA, { dedupKey: key, severity: 'critical' }), candidate(w.bA, { dedupKey: `${key}-other` }),
      candidate('no-such-building', { dedupKey: `${key}-ghost` }), { ...candidate(w.bA), type: 'bogus' as 'tamper' },
    ])
    expect(s).toEqual({ opened: 3, updated: 0, escalated: 0, changed: 0, resolved: 1, clearsIgnored: 0, unknownBuilding: 1, rejected: 1 })
    const mine = changes.slice(before).filter((c) => c.alert.dedupKey === key)
    expect(mine.map((c) => [c.kind, c.alert.count, c.alert.status])).toEqual([['opened', 2, 'open'], ['resolved', 2, 'resolved'], ['opened', 1, 'open']])
    const live = await alerts.list(w.admin, { status: 'live', buildingId: w.bA, type: 'door_forced' })
    expect(live.items.filter((a) => a.dedupKey === key)).toHaveLength(1)
  })

  it('queues the deliveries of one batch in event order, whatever the keys (delivery ids follow the events)', async () => {
    const k = (x: string): string => `k-order-${kind}-${x}`
    const earlier = (await alerts.raise(candidate(w.bA, { dedupKey: k('m-earlier') })))!.alert
    // Event order z, clear m-earlier, a, q, escalation of z, b: neither the order of the keys nor any the
    // database happens to return.
    const batch = [
      candidate(w.bA, { dedupKey: k('z') }), candidate(w.bA, { dedupKey: k('m-earlier'), clears: true }),
      candidate(w.bA, { dedupKey: k('a') }), candidate(w.bA, { dedupKey: k('q') }),
      candidate(w.bA, { dedupKey: k('z'), severity: 'critical' }), candidate(w.bA, { dedupKey: k('b') }),
    ]
    await alerts.raiseBatch(batch)
    const r = await t.db.query<{ event: string; dedup_key: string }>(`select o.event, a.dedup_key from webhook_outbox o
      join alerts a on a.id = o.alert_id where a.dedup_key like $1 and o.seq > (select min(seq) from webhook_outbox where alert_id = $2) order by o.seq`,
    [k('%'), earlier.id])
    expect(r.rows.map((x) => [x.event, x.dedup_key.slice(k('').length)])).toEqual([
      ['alert.opened', 'z'], ['alert.resolved', 'm-earlier'], ['alert.opened', 'a'], ['alert.opened', 'q'],
      ['alert.opened', 'b'],
    ])
    // History and live changes follow the same order.
    const history = await t.db.query<{ dedup_key: string; action: string }>(`select a.dedup_key, e.action from alert_events e
      join alerts a on a.id = e.alert_id where a.dedup_key like $1 and e.seq > (select min(seq) from alert_events where alert_id = $2) order by e.seq`,
    [k('%'), earlier.id])
    expect(history.rows.map((x) => `${x.action} ${x.dedup_key.slice(k('').length)}`)).toEqual(['opened z', 'resolved m-earlier', 'opened a', 'opened q', 'opened b'])
  })

  it('is safe under concurrent raises of the same key: one alert, every occurrence counted', async () => {
    const key = `k-race-${kind}`
    await Promise.all(Array.from({ length: 20 }, () => alerts.raiseMany([candidate(w.bC, { dedupKey: key }), candidate(w.bC, { dedupKey: `${key}-b` })])))
    const r = await t.db.query<{ dedup_key: string; count: number }>(
      'select dedup_key, count from alerts where dedup_key like $1 order by dedup_key', [`${key}%`])
    expect(r.rows).toEqual([{ dedup_key: key, count: 20 }, { dedup_key: `${key}-b`, count: 20 }])
    const dup = await t.db.query(`insert into alerts (id, dedup_key, type, severity, building_id, area_path, first_at, last_at,
      created_at, updated_at, explanation) values ('dup', $1, 'tamper', 'info', $2, '/x/', now(), now(), now(), now(), 'x')`, [key, w.bC]).catch((e: unknown) => e)
    expect(sqlState(dup)).toBe('23505')
  })

  it('walks the lifecycle open -> acknowledged -> resolved and refuses other moves with 409', async () => {
    const a = (await alerts.raise(candidate(w.bA, { dedupKey: `k-life-${kind}` })))!.alert
    const wakesBefore = wakes
    const acked = await alerts.acknowledge(w.landlordA, a.id, 'on my way')
    expect(acked).toMatchObject({ status: 'acknowledged', acknowledgedBy: w.landlordA.id })
    expect(wakes).toBe(wakesBefore + 1)
    await expect(alerts.acknowledge(w.police, a.id)).rejects.toMatchObject({ code: 'RH_ILLEGAL_TRANSITION', statusCode: 409 })
    await expect(alerts.resolve(w.landlordA, a.id, 'fixed', 'real')).rejects.toMatchObject({ code: 'RH_FORBIDDEN' })
    await expect(alerts.resolve(w.police, a.id, '  ', 'real')).rejects.toMatchObject({ code: 'RH_BAD_REQUEST' })
    const resolved = await alerts.resolve(w.police, a.id, 'door repaired', 'technical_fault')
    expect(resolved).toMatchObject({ status: 'resolved', stage: 'archived', resolvedBy: w.police.id, resolutionNote: 'door repaired', closureReason: 'technical_fault', autoResolved: false })
    await expect(alerts.resolve(w.admin, a.id, 'again', 'real')).rejects.toMatchObject({ code: 'RH_ILLEGAL_TRANSITION' })
    await expect(alerts.acknowledge(w.admin, a.id)).rejects.toMatchObject({ code: 'RH_ILLEGAL_TRANSITION' })
    const got = await alerts.get(w.gridWorker, a.id)
    expect(got.history.map((h) => [h.action, h.actorId, h.note])).toEqual([
      ['opened', null, null], ['acknowledged', w.landlordA.id, 'on my way'], ['resolved', w.police.id, 'door repaired']])
    expect((await outbox(a.id)).map((o) => o.event)).toEqual(['alert.opened', 'alert.acknowledged', 'alert.resolved'])
    const upd = await t.db.query(`update alert_events set note = 'x' where alert_id = $1`, [a.id]).catch((e: unknown) => e)
    expect(sqlState(upd)).toBe('55000')
  })

  it('scopes by role: landlord A never sees landlord B\'s alerts; areas see their own; vendors none', async () => {
    const a = (await alerts.raise(candidate(w.bA, { dedupKey: `k-scope-a-${kind}` })))!.alert
    const b = (await alerts.raise(candidate(w.bB, { dedupKey: `k-scope-b-${kind}` })))!.alert
    const c = (await alerts.raise(candidate(w.bC, { dedupKey: `k-scope-c-${kind}` })))!.alert
    const ids = async (who: typeof w.admin) => new Set((await alerts.list(who, { limit: 1000 })).items.map((x) => x.id))
    const la = await ids(w.landlordA)
    expect(la.has(a.id) && !la.has(b.id) && !la.has(c.id)).toBe(true)
    for (const x of la) expect((await alerts.get(w.admin, x)).buildingId).toBe(w.bA)
    const lb = await ids(w.landlordB)
    expect(!lb.has(a.id) && lb.has(b.id) && lb.has(c.id)).toBe(true)
    const police = await ids(w.police)
    expect(police.has(a.id) && police.has(b.id) && !police.has(c.id)).toBe(true)
    const other = await ids(w.policeOther)
    expect(!other.has(a.id) && other.has(c.id)).toBe(true)
    expect((await ids(w.admin)).size).toBeGreaterThanOrEqual(3)
    await expect(alerts.get(w.landlordA, b.id)).rejects.toMatchObject({ code: 'RH_NOT_FOUND' })
    await expect(alerts.acknowledge(w.landlordA, b.id)).rejects.toMatchObject({ code: 'RH_NOT_FOUND' })
    await expect(alerts.resolve(w.policeOther, a.id, 'x', 'real')).rejects.toMatchObject({ code: 'RH_NOT_FOUND' })
    await expect(alerts.get(w.vendor, a.id)).rejects.toMatchObject({ code: 'RH_NOT_FOUND' })
    await expect(alerts.list(w.vendor)).rejects.toMatchObject({ code: 'RH_FORBIDDEN' })
  })

  it('filters and pages with a cursor, newest first', async () => {
    for (let i = 0; i < 5; i++) await alerts.raise(candidate(w.bC, { dedupKey: `k-page-${kind}-${i}`, type: 'tamper', severity: i < 2 ? 'critical' : 'info' }))
    const seen: string[] = []
    let cursor: string | undefined
    do {
      const page = await alerts.list(w.policeOther, { type: 'tamper', limit: 2, ...(cursor === undefined ? {} : { cursor }) })
      seen.push(...page.items.map((x) => x.dedupKey))
      cursor = page.nextCursor ?? undefined
    } while (cursor !== undefined)
    expect(seen).toEqual([4, 3, 2, 1, 0].map((i) => `k-page-${kind}-${i}`))
    expect((await alerts.list(w.policeOther, { type: 'tamper', minSeverity: 'major' })).items).toHaveLength(2)
    expect((await alerts.list(w.policeOther, { type: 'tamper', severity: 'info' })).items).toHaveLength(3)
    expect((await alerts.list(w.policeOther, { type: 'tamper', since: '2030-01-01T00:00:00Z' })).items).toHaveLength(0)
    await expect(alerts.list(w.admin, { cursor: 'nope' })).rejects.toMatchObject({ code: 'RH_BAD_REQUEST' })
  })
})
