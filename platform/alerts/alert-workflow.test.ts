// The handling workflow on the real database (PGlite and PostgreSQL):
// reported -> dispatched -> feedback -> verified -> archived, who may take
// each step, illegal steps refused with 409 and changing nothing, the history
// with display names, the changes announced (stream kinds, webhook events),
// and escalation by time to the parent area.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from '../../test/support/databases.ts'
import type { Actor } from '../registry/access.ts'
import { AlertService } from './alert-service.ts'
import { candidate, seedAlertWorld, type AlertWorld } from './alerts.test-kit.ts'
import { AlertEscalation, DEFAULT_ESCALATION, parseEscalationPolicy } from './escalation.ts'
import type { AlertChange } from './model.ts'

describe.each(DATABASE_KINDS)('alert workflow on %s', (kind) => {
  let t: TestDatabase
  let w: AlertWorld
  let alerts: AlertService
  let clock = new Date('2026-03-01T10:05:00Z')
  const changes: AlertChange[] = []
  /** A second grid worker of the same community, and one of the other jurisdiction. */
  let peer: Actor
  let farWorker: Actor

  beforeAll(async () => {
    t = await openTestDatabase(kind)
    w = await seedAlertWorld(t.db)
    alerts = new AlertService({ db: t.db, now: () => clock })
    alerts.changes$.subscribe((c) => changes.push(c))
    await t.db.query(`insert into users (id, username, display_name, role, area_id, password_hash) values
      ('w-grid-2', 'w-grid-2', '陈网格', 'grid_worker', 'w-g1', 'x'), ('w-grid-far', 'w-grid-far', 'Far', 'grid_worker', 'w-c2', 'x')`)
    peer = { id: 'w-grid-2', role: 'grid_worker', username: 'w-grid-2', areaPath: '/w-d1/w-s1/w-c1/w-g1/' }
    farWorker = { id: 'w-grid-far', role: 'grid_worker', username: 'w-grid-far', areaPath: '/w-d2/w-s2/w-c2/' }
    // A street webhook that wants only critical alerts, a district one, and a community one for major.
    await t.db.query(`insert into webhooks (id, url, secret, area_id, area_path, min_severity, created_by) values
      ('wh-street', 'http://127.0.0.1:1/s', 's', 'w-s1', '/w-d1/w-s1/', 'critical', $1),
      ('wh-district', 'http://127.0.0.1:1/d', 's', 'w-d1', '/w-d1/', 'critical', $1),
      ('wh-community', 'http://127.0.0.1:1/c', 's', 'w-c1', '/w-d1/w-s1/w-c1/', 'major', $1)`, [w.admin.id])
  })
  afterAll(async () => { alerts?.close(); await t?.dispose() })

  let n = 0
  const raise = async (over: Parameters<typeof candidate>[1] = {}) =>
    (await alerts.raise(candidate(w.bA, { dedupKey: `wf-${kind}-${++n}`, door: `d-${n}`, ...over })))!.alert
  const outbox = async (alertId: string) => (await t.db.query<{ event: string; webhook_id: string }>(
    'select event, webhook_id from webhook_outbox where alert_id = $1 order by seq', [alertId])).rows
  const row = async (id: string) => (await t.db.query('select * from alerts where id = $1', [id])).rows[0]

  it('walks reported -> dispatched -> feedback -> verified -> archived, each step in the history with names', async () => {
    const a = await raise()
    expect(a).toMatchObject({ stage: 'reported', assigneeId: null, escalationLevel: 0, closureReason: null })
    const assigned = await alerts.assign(w.police, a.id, w.gridWorker.id, 'go and look')
    expect(assigned).toMatchObject({
      stage: 'dispatched', assigneeId: w.gridWorker.id, assigneeName: w.gridWorker.id, status: 'acknowledged', acknowledgedBy: w.police.id,
    })
    const fed = await alerts.feedback(w.gridWorker, a.id, 'door closed again, lock worn', 'nvr://cam-1/rec/42')
    expect(fed.stage).toBe('feedback')
    const verified = await alerts.verify(w.police, a.id, true, 'photos match')
    expect(verified.stage).toBe('verified')
    const comment = await alerts.comment(w.landlordA, a.id, 'lock replaced on Monday')
    expect(comment).toMatchObject({ action: 'commented', actorId: w.landlordA.id, actorName: w.landlordA.id, note: 'lock replaced on Monday' })
    const resolved = await alerts.resolve(w.police, a.id, 'lock replaced', 'technical_fault')
    expect(resolved).toMatchObject({ status: 'resolved', stage: 'archived', closureReason: 'technical_fault', resolvedBy: w.police.id })
    const got = await alerts.get(w.admin, a.id)
    expect(got.history.map((h) => [h.action, h.actorId, h.actorName])).toEqual([
      ['opened', null, null], ['assigned', w.police.id, w.police.id], ['feedback', w.gridWorker.id, w.gridWorker.id],
      ['verified', w.police.id, w.police.id], ['commented', w.landlordA.id, w.landlordA.id], ['resolved', w.police.id, w.police.id],
    ])
    expect(got.history[1]!.detail).toMatchObject({ assigneeId: w.gridWorker.id, previousAssigneeId: null, acknowledged: true })
    expect(got.history[2]!.detail).toEqual({ photoRef: 'nvr://cam-1/rec/42' })
    expect(got.history[5]!.detail).toEqual({ closureReason: 'technical_fault' })
    expect(changes.filter((c) => c.alert.id === a.id).map((c) => c.kind)).toEqual(['opened', 'assigned', 'feedback', 'verified', 'commented', 'resolved'])
    expect((await outbox(a.id)).filter((o) => o.webhook_id === 'wh-community').map((o) => o.event)).toEqual([
      'alert.opened', 'alert.assigned', 'alert.feedback', 'alert.verified', 'alert.commented', 'alert.resolved'])
  })

  it('sends a rejected verification back to the assignee, and lets police reassign within the area', async () => {
    const a = await raise()
    await alerts.assign(w.admin, a.id, w.gridWorker.id)
    await alerts.feedback(w.gridWorker, a.id, 'nothing found')
    const back = await alerts.verify(w.police, a.id, false, 'look at the back door too')
    expect(back).toMatchObject({ stage: 'dispatched', assigneeId: w.gridWorker.id })
    const again = await alerts.feedback(w.gridWorker, a.id, 'back door was propped open; closed it')
    expect(again.stage).toBe('feedback')
    await expect(alerts.assign(w.police, a.id, peer.id)).rejects.toMatchObject({ code: 'RH_ILLEGAL_TRANSITION', statusCode: 409 })
    await alerts.verify(w.police, a.id, false)
    const re = await alerts.assign(w.police, a.id, peer.id)
    expect(re).toMatchObject({ assigneeId: peer.id, assigneeName: '陈网格', stage: 'dispatched' })
    // The former assignee is now a grid worker like any other: no longer theirs.
    await expect(alerts.feedback(w.gridWorker, a.id, 'x')).rejects.toMatchObject({ code: 'RH_FORBIDDEN' })
    const h = (await alerts.get(w.admin, a.id)).history
    expect(h.map((e) => e.action)).toEqual(['opened', 'assigned', 'feedback', 'verification_rejected', 'feedback', 'verification_rejected', 'assigned'])
    expect(h[6]!.detail).toMatchObject({ assigneeId: peer.id, previousAssigneeId: w.gridWorker.id })
  })

  it('refuses who may not and what the stage does not allow, changing nothing', async () => {
    const a = await raise()
    const before = await row(a.id)
    const events = async () => (await t.db.query('select count(*)::int as n from alert_events where alert_id = $1', [a.id])).rows[0]
    const eventsBefore = await events()
    // Dispatch: police and administrators only.
    await expect(alerts.assign(w.landlordA, a.id, w.gridWorker.id)).rejects.toMatchObject({ code: 'RH_FORBIDDEN' })
    await expect(alerts.assign(w.gridWorker, a.id, w.gridWorker.id)).rejects.toMatchObject({ code: 'RH_FORBIDDEN' })
    await expect(alerts.assign(w.policeOther, a.id, w.gridWorker.id)).rejects.toMatchObject({ code: 'RH_NOT_FOUND' })
    await expect(alerts.assign(w.vendor, a.id, w.gridWorker.id)).rejects.toMatchObject({ code: 'RH_NOT_FOUND' })
    // The assignee: a grid worker whose area holds the building.
    await expect(alerts.assign(w.police, a.id, farWorker.id)).rejects.toMatchObject({ code: 'RH_BAD_REQUEST' })
    await expect(alerts.assign(w.police, a.id, w.police.id)).rejects.toMatchObject({ code: 'RH_BAD_REQUEST' })
    await expect(alerts.assign(w.police, a.id, 'nobody')).rejects.toMatchObject({ code: 'RH_BAD_REQUEST' })
    // Steps out of order.
    await expect(alerts.feedback(w.gridWorker, a.id, 'x')).rejects.toMatchObject({ code: 'RH_FORBIDDEN' })
    await expect(alerts.verify(w.police, a.id, true)).rejects.toMatchObject({ code: 'RH_ILLEGAL_TRANSITION' })
    // Grid workers act only on what is assigned to them.
    await expect(alerts.acknowledge(w.gridWorker, a.id)).rejects.toMatchObject({ code: 'RH_FORBIDDEN' })
    await expect(alerts.resolve(w.gridWorker, a.id, 'x', 'real')).rejects.toMatchObject({ code: 'RH_FORBIDDEN' })
    await expect(alerts.comment(w.gridWorker, a.id, 'x')).rejects.toMatchObject({ code: 'RH_FORBIDDEN' })
    expect(await row(a.id)).toEqual(before)
    expect(await events()).toEqual(eventsBefore)

    await alerts.assign(w.police, a.id, w.gridWorker.id)
    await expect(alerts.feedback(peer, a.id, 'x')).rejects.toMatchObject({ code: 'RH_FORBIDDEN' })
    await expect(alerts.feedback(w.police, a.id, 'x')).rejects.toMatchObject({ code: 'RH_FORBIDDEN' })
    await expect(alerts.verify(w.gridWorker, a.id, true)).rejects.toMatchObject({ code: 'RH_FORBIDDEN' })
    await expect(alerts.verify(w.police, a.id, true)).rejects.toMatchObject({ code: 'RH_ILLEGAL_TRANSITION' })
    await expect(alerts.assign(w.police, a.id, w.gridWorker.id)).rejects.toMatchObject({ code: 'RH_ILLEGAL_TRANSITION' })
    await expect(alerts.resolve(w.police, a.id, 'x', 'bogus' as 'real')).rejects.toMatchObject({ code: 'RH_BAD_REQUEST' })
    // The assignee may close it (a false alarm, say), and nothing moves an archived alert.
    expect(await alerts.resolve(w.gridWorker, a.id, 'nobody there, cat on the sensor', 'false_alarm')).toMatchObject({ stage: 'archived', closureReason: 'false_alarm' })
    await expect(alerts.assign(w.police, a.id, peer.id)).rejects.toMatchObject({ code: 'RH_ILLEGAL_TRANSITION' })
    await expect(alerts.feedback(w.gridWorker, a.id, 'x')).rejects.toMatchObject({ code: 'RH_ILLEGAL_TRANSITION' })
    await expect(alerts.verify(w.police, a.id, true)).rejects.toMatchObject({ code: 'RH_ILLEGAL_TRANSITION' })
    await expect(alerts.resolve(w.police, a.id, 'x', 'real')).rejects.toMatchObject({ code: 'RH_ILLEGAL_TRANSITION' })
  })

  it('lists a grid worker\'s assignments (assignee=me), by stage, and offers the assignees of the area', async () => {
    const mine = await raise()
    const other = await raise()
    await alerts.assign(w.police, mine.id, peer.id)
    const list = await alerts.list(peer, { assignee: 'me', limit: 1000 })
    expect(list.items.map((x) => x.id)).toContain(mine.id)
    expect(list.items.every((x) => x.assigneeId === peer.id)).toBe(true)
    expect(list.items.map((x) => x.id)).not.toContain(other.id)
    expect((await alerts.list(w.police, { assignee: peer.id, stage: 'dispatched', limit: 1000 })).items.map((x) => x.id)).toContain(mine.id)
    expect((await alerts.list(w.police, { stage: 'reported', limit: 1000 })).items.map((x) => x.id)).toContain(other.id)
    const offered = await alerts.assignees(w.police, other.id)
    expect(offered.map((u) => u.id).sort()).toEqual([w.gridWorker.id, peer.id].sort())
    expect(offered.find((u) => u.id === peer.id)).toEqual({ id: peer.id, displayName: '陈网格', areaId: 'w-g1', areaPath: '/w-d1/w-s1/w-c1/w-g1/' })
    await expect(alerts.assignees(w.landlordA, other.id)).rejects.toMatchObject({ code: 'RH_FORBIDDEN' })
    // A repeat of the condition keeps the assignment, and the change it announces names the assignee.
    changes.length = 0
    await alerts.raise(candidate(w.bA, { dedupKey: mine.dedupKey, door: mine.door! }))
    expect(changes.at(-1)).toMatchObject({ kind: 'updated', alert: { id: mine.id, assigneeId: peer.id, assigneeName: '陈网格', stage: 'dispatched' } })
  })

  it('keeps the stage archived whatever resolves an alert (a cleared condition too)', async () => {
    const a = await raise({ type: 'door_held_open', dedupKey: `held-${kind}`, level: 60 })
    await alerts.raise(candidate(w.bA, { type: 'door_held_open', dedupKey: `held-${kind}`, clears: true }))
    expect(await alerts.get(w.admin, a.id)).toMatchObject({ status: 'resolved', stage: 'archived', autoResolved: true, closureReason: null })
  })

  it('raises unacknowledged alerts to the street, then the district, on time; acknowledged ones stay', async () => {
    clock = new Date('2026-03-02T08:00:00Z')
    const policy = parseEscalationPolicy('major=10m,critical=5m,door_forced:warning=off')
    expect(policy.problems).toEqual([])
    let at = clock.getTime()
    const job = new AlertEscalation({ alerts, policy: policy.policy, logger: { info: () => {}, error: () => {} }, now: () => at })
    // Clear the older open alerts of the earlier tests out of the way.
    await t.db.query(`update alerts set status = 'acknowledged', acknowledged_at = now() where status = 'open'`)
    const major = await raise({ severity: 'major' })
    const acked = await raise({ severity: 'major' })
    await alerts.acknowledge(w.landlordA, acked.id)
    const warn = await raise({ severity: 'warning' })
    const info = await raise({ severity: 'info' })
    changes.length = 0
    at += 9 * 60_000
    expect(await job.runOnce()).toBe(0)
    at += 60_000
    expect(await job.runOnce()).toBe(1)
    const up = await alerts.get(w.police, major.id)
    expect(up).toMatchObject({ escalationLevel: 1, escalatedTo: 'w-s1', escalatedAt: new Date(at).toISOString(), status: 'open' })
    expect(up.history.at(-1)).toMatchObject({ action: 'escalated_to_parent', actorId: null, detail: { fromLevel: 0, toLevel: 1, areaId: 'w-s1', afterS: 600 } })
    expect(changes.map((c) => [c.kind, c.alert.id])).toEqual([['escalated_to_parent', major.id]])
    // The street's webhook takes critical alerts only, but an escalation to the street reaches it; the district's not yet.
    expect((await outbox(major.id)).filter((o) => o.event === 'alert.escalated_to_parent').map((o) => o.webhook_id).sort()).toEqual(['wh-community', 'wh-street'])
    expect(await job.runOnce()).toBe(0)
    at += 10 * 60_000
    expect(await job.runOnce()).toBe(1)
    expect(await alerts.get(w.police, major.id)).toMatchObject({ escalationLevel: 2, escalatedTo: 'w-d1' })
    expect((await outbox(major.id)).filter((o) => o.event === 'alert.escalated_to_parent').map((o) => o.webhook_id).sort())
      .toEqual(['wh-community', 'wh-community', 'wh-district', 'wh-street', 'wh-street'])
    // The district is the top: no further level.
    at += 60 * 60_000
    expect(await job.runOnce()).toBe(0)
    expect((await alerts.get(w.admin, acked.id)).escalationLevel).toBe(0)
    expect((await alerts.get(w.admin, warn.id)).escalationLevel).toBe(0) // door_forced:warning=off
    expect((await alerts.get(w.admin, info.id)).escalationLevel).toBe(0) // info: never by default
  })

  it('parses ALERT_ESCALATE_AFTER and names what is wrong', () => {
    expect(parseEscalationPolicy(undefined).policy).toEqual(DEFAULT_ESCALATION)
    const p = parseEscalationPolicy('info=1h, tailgating=90s, tamper:critical=off')
    expect(p).toEqual({ problems: [], policy: { bySeverity: { ...DEFAULT_ESCALATION.bySeverity, info: 3600 }, overrides: { tailgating: 90, 'tamper:critical': null } } })
    expect(parseEscalationPolicy('major=10, bogus=5m, tamper:urgent=1m, x').problems).toHaveLength(4)
  })
})
