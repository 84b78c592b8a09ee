// Shift handover on the real database: notes of an area by police and
// administrators, acknowledged by the next shift, and the summary of what is
// still open there.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from '../../test/support/databases.ts'
import type { Actor } from '../registry/access.ts'
import { AlertService } from './alert-service.ts'
import { candidate, seedAlertWorld, type AlertWorld } from './alerts.test-kit.ts'
import { Handovers } from './handovers.ts'

describe.each(DATABASE_KINDS)('shift handover on %s', (kind) => {
  let t: TestDatabase
  let w: AlertWorld
  let alerts: AlertService
  let handovers: Handovers
  let clock = new Date('2026-05-01T08:00:00Z')
  /** A second officer of street 1: the next shift. */
  let nextShift: Actor

  beforeAll(async () => {
    t = await openTestDatabase(kind)
    w = await seedAlertWorld(t.db)
    alerts = new AlertService({ db: t.db, now: () => clock })
    handovers = new Handovers(t.db, () => clock)
    await t.db.query(`insert into users (id, username, display_name, role, area_id, password_hash)
      values ('w-police-night', 'w-police-night', '夜班民警', 'police', 'w-s1', 'x')`)
    nextShift = { id: 'w-police-night', role: 'police', username: 'w-police-night', areaPath: '/w-d1/w-s1/' }
  })
  afterAll(async () => { alerts?.close(); await t?.dispose() })

  it('keeps the latest note of the area, who wrote it, and its acknowledgement by the next shift', async () => {
    expect(await handovers.latest(w.police, {})).toEqual({ handover: null })
    const first = await handovers.create(w.police, { note: 'quiet day' })
    clock = new Date('2026-05-01T20:00:00Z')
    const h = await handovers.create(w.police, { note: '3号楼门禁待修，请夜班关注' })
    expect(h).toMatchObject({
      areaId: 'w-s1', note: '3号楼门禁待修，请夜班关注', createdBy: w.police.id, createdByName: w.police.id, createdAt: clock.toISOString(),
      acknowledged: false, acknowledgedBy: null, acknowledgedAt: null,
    })
    expect((await handovers.latest(nextShift, {})).handover?.id).toBe(h.id)
    expect((await handovers.latest(w.admin, { areaId: 'w-s1' })).handover?.id).toBe(h.id)
    await expect(handovers.acknowledge(w.police, h.id)).rejects.toMatchObject({ code: 'RH_ILLEGAL_TRANSITION' })
    await expect(handovers.acknowledge(w.policeOther, h.id)).rejects.toMatchObject({ code: 'RH_NOT_FOUND' })
    await expect(handovers.acknowledge(w.gridWorker, h.id)).rejects.toMatchObject({ code: 'RH_FORBIDDEN' })
    clock = new Date('2026-05-01T20:05:00Z')
    const acked = await handovers.acknowledge(nextShift, h.id)
    expect(acked).toMatchObject({ acknowledged: true, acknowledgedBy: nextShift.id, acknowledgedByName: '夜班民警', acknowledgedAt: clock.toISOString() })
    await expect(handovers.acknowledge(w.admin, h.id)).rejects.toMatchObject({ code: 'RH_ILLEGAL_TRANSITION' })
    expect((await handovers.latest(w.police, {})).handover).toEqual(acked)
    expect(first.id).not.toBe(h.id)
  })

  it('is for police (their area or inside it) and administrators (naming the area)', async () => {
    await expect(handovers.create(w.landlordA, { note: 'x' })).rejects.toMatchObject({ code: 'RH_FORBIDDEN' })
    await expect(handovers.create(w.gridWorker, { note: 'x' })).rejects.toMatchObject({ code: 'RH_FORBIDDEN' })
    await expect(handovers.create(w.admin, { note: 'x' })).rejects.toMatchObject({ code: 'RH_BAD_REQUEST' })
    await expect(handovers.create(w.police, { note: 'x', areaId: 'w-s2' })).rejects.toMatchObject({ code: 'RH_NOT_FOUND' })
    await expect(handovers.create(w.police, { note: 'x', areaId: 'w-d1' })).rejects.toMatchObject({ code: 'RH_NOT_FOUND' })
    await expect(handovers.create(w.police, { note: '  ' })).rejects.toMatchObject({ code: 'RH_BAD_REQUEST' })
    await expect(handovers.latest(w.policeOther, { areaId: 'w-s1' })).rejects.toMatchObject({ code: 'RH_NOT_FOUND' })
    expect(await handovers.create(w.police, { note: 'community note', areaId: 'w-c1' })).toMatchObject({ areaId: 'w-c1' })
    expect(await handovers.create(w.admin, { note: 'district note', areaId: 'w-d2' })).toMatchObject({ areaId: 'w-d2', createdBy: w.admin.id })
    expect((await handovers.latest(w.policeOther, {})).handover).toBeNull()
  })

  it('summarises the live alerts with owner and stage, escalations since, and devices offline', async () => {
    clock = new Date('2026-05-02T08:00:00Z')
    const since = clock.toISOString()
    const open = (await alerts.raise(candidate(w.bA, { dedupKey: `s-open-${kind}`, severity: 'critical' })))!.alert
    const dispatched = (await alerts.raise(candidate(w.bB, { dedupKey: `s-disp-${kind}` })))!.alert
    await alerts.assign(w.police, dispatched.id, w.gridWorker.id)
    const done = (await alerts.raise(candidate(w.bA, { dedupKey: `s-done-${kind}` })))!.alert
    await alerts.resolve(w.police, done.id, 'ok', 'real')
    await alerts.raise(candidate(w.bA, { type: 'device_offline', dedupKey: `off-1-${kind}`, deviceId: 'dev-9', door: undefined, level: 300 }))
    await alerts.raise(candidate(w.bC, { type: 'device_offline', dedupKey: `off-2-${kind}`, deviceId: 'dev-far', door: undefined, level: 300 }))
    clock = new Date('2026-05-02T08:30:00Z')
    expect(await alerts.escalateOverdue(() => 600)).toBeGreaterThanOrEqual(1)
    const s = await handovers.summary(w.police, { since })
    expect(s.areaId).toBe('w-s1')
    expect(s.since).toBe(since)
    const ids = s.liveAlerts.map((a) => a.id)
    expect(ids).toContain(open.id)
    expect(ids).toContain(dispatched.id)
    expect(ids).not.toContain(done.id)
    expect(s.liveAlerts.find((a) => a.id === dispatched.id)).toMatchObject({ stage: 'dispatched', assigneeId: w.gridWorker.id, assigneeName: w.gridWorker.id, status: 'acknowledged' })
    expect(s.liveAlerts.find((a) => a.id === open.id)).toMatchObject({ stage: 'reported', assigneeId: null, escalationLevel: 1 })
    expect(s.escalations).toEqual(expect.arrayContaining([{ alertId: open.id, at: clock.toISOString(), toLevel: 1, areaId: 'w-s1' }]))
    expect(s.escalations.every((e) => e.areaId === 'w-s1')).toBe(true)
    expect(s.offlineDevices).toBe(1)
    expect(s.counts.assigned).toBe(1)
    expect(s.counts.open + s.counts.acknowledged).toBe(s.liveAlerts.length)
    // Without `since`: from the latest handover of the area.
    expect((await handovers.summary(w.police, {})).since).toBe(new Date('2026-05-01T20:00:00Z').toISOString())
    const other = await handovers.summary(w.policeOther, {})
    expect(other.liveAlerts.map((a) => a.id)).not.toContain(open.id)
    expect(other.offlineDevices).toBe(1)
  })
})
