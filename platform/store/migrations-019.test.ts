// Migration 019 on both databases: a device whose approval a vendor's
// rotation erased before it gets its last approval back from the ledger, with
// the withdrawal beside it, so it is judged again; other devices are left as
// they are, and running it again changes nothing. A device disabled before
// who disabled it was recorded gets its disabler from the ledger.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from '../../test/support/databases.ts'
import { seedAlertWorld } from '../alerts/alerts.test-kit.ts'
import { loadMigrations } from './migrate.ts'

const MIGRATION = loadMigrations().find((m) => m.version === 19)!

describe.each(DATABASE_KINDS)('migration 019 (%s)', (kind) => {
  let t: TestDatabase
  beforeAll(async () => { t = await openTestDatabase(kind) })
  afterAll(async () => { await t?.dispose() })

  it('puts back the approval a withdrawal erased, from the ledger, once', async () => {
    const w = await seedAlertWorld(t.db, 'm19')
    const device = (id: string, approved: boolean, by: string) => t.db.query(
      `insert into devices (id, building_id, door, kind, vendor, model, secret_hash, provisioned_by, approved) values ($1, $2, 'gate', 'reader', 'Acme', 'm', 'h', $3, $4)`,
      [id, w.bA, by, approved])
    const ledger = (deviceId: string, actor: string, action: string, at: string, detail: object = {}) => t.db.query(
      'insert into registry_ledger (actor_id, action, building_id, device_id, detail, at) values ($1, $2, $3, $4, $5, $6)',
      [actor, action, w.bA, deviceId, detail, at])
    // Approved by the landlord, then withdrawn by the vendor's rotation (the old code nulled the approval).
    await device('m19-approved', false, w.vendor.id)
    await ledger('m19-approved', w.vendor.id, 'device.provisioned', '2026-01-01T00:00:00Z', { approved: false })
    await ledger('m19-approved', w.landlordA.id, 'device.approved', '2026-01-02T00:00:00Z')
    await ledger('m19-approved', w.vendor.id, 'device.secret_rotated', '2026-01-03T00:00:00Z', { approvalWithdrawn: true })
    // Provisioned by the landlord (approved at once), then withdrawn.
    await device('m19-landlords', false, w.landlordA.id)
    await ledger('m19-landlords', w.landlordA.id, 'device.provisioned', '2026-01-01T00:00:00Z', { approved: true })
    await ledger('m19-landlords', w.vendor.id, 'device.secret_rotated', '2026-01-04T00:00:00Z', { approvalWithdrawn: true })
    // Never approved: it stays a bench device.
    await device('m19-bench', false, w.vendor.id)
    await ledger('m19-bench', w.vendor.id, 'device.provisioned', '2026-01-01T00:00:00Z', { approved: false })
    await ledger('m19-bench', w.vendor.id, 'device.secret_rotated', '2026-01-05T00:00:00Z')

    await t.db.exec(MIGRATION.sql)
    const after = async () => (await t.db.query<{ id: string; approved: boolean; approved_by: string | null; approved_at: Date | null; approval_withdrawn_by: string | null; approval_withdrawn_at: Date | null }>(
      `select id, approved, approved_by, approved_at, approval_withdrawn_by, approval_withdrawn_at from devices where id like 'm19-%' order by id`)).rows
    expect(await after()).toEqual([
      { id: 'm19-approved', approved: false, approved_by: w.landlordA.id, approved_at: new Date('2026-01-02T00:00:00Z'), approval_withdrawn_by: w.vendor.id, approval_withdrawn_at: new Date('2026-01-03T00:00:00Z') },
      { id: 'm19-bench', approved: false, approved_by: null, approved_at: null, approval_withdrawn_by: null, approval_withdrawn_at: null },
      { id: 'm19-landlords', approved: false, approved_by: w.landlordA.id, approved_at: new Date('2026-01-01T00:00:00Z'), approval_withdrawn_by: w.vendor.id, approval_withdrawn_at: new Date('2026-01-04T00:00:00Z') },
    ])
    const once = await after()
    await t.db.exec(MIGRATION.sql)
    expect(await after()).toEqual(once)
  })

  it('records who disabled a device from the first disable since it was last enabled, and nothing it cannot know', async () => {
    const w = await seedAlertWorld(t.db, 'm19d')
    const device = (id: string, enabled: boolean, disabledBy: string | null = null) => t.db.query(
      `insert into devices (id, building_id, door, kind, vendor, model, secret_hash, provisioned_by, enabled, disabled_by) values ($1, $2, 'gate', 'reader', 'Acme', 'm', 'h', $3, $4, $5)`,
      [id, w.bA, w.vendor.id, enabled, disabledBy])
    const ledger = async (deviceId: string, ...steps: Array<[string, 'device.disabled' | 'device.enabled']>) => {
      for (const [actor, action] of steps) {
        await t.db.query('insert into registry_ledger (actor_id, action, building_id, device_id) values ($1, $2, $3, $4)', [actor, action, w.bA, deviceId])
      }
    }
    const { vendor, landlordA: landlord } = w
    await device('m19d-vendors', false)
    await ledger('m19d-vendors', [vendor.id, 'device.disabled'])
    // The landlord's disable is not taken over by the vendor's disabling it again.
    await device('m19d-landlords', false)
    await ledger('m19d-landlords', [landlord.id, 'device.disabled'], [vendor.id, 'device.disabled'])
    // Only what happened since the device was last enabled counts.
    await device('m19d-again', false)
    await ledger('m19d-again', [vendor.id, 'device.disabled'], [landlord.id, 'device.enabled'], [landlord.id, 'device.disabled'], [vendor.id, 'device.disabled'])
    // Disabled with no entry since its last enabling (or none at all): unknown, left null.
    await device('m19d-unknown', false)
    await ledger('m19d-unknown', [vendor.id, 'device.disabled'], [landlord.id, 'device.enabled'])
    await device('m19d-no-ledger', false)
    // Enabled devices and recorded disablers are left as they are.
    await device('m19d-enabled', true)
    await ledger('m19d-enabled', [vendor.id, 'device.disabled'])
    await device('m19d-recorded', false, landlord.id)
    await ledger('m19d-recorded', [vendor.id, 'device.disabled'])

    await t.db.exec(MIGRATION.sql)
    const after = async () => Object.fromEntries((await t.db.query<{ id: string; disabled_by: string | null }>(
      `select id, disabled_by from devices where id like 'm19d-%' order by id`)).rows.map((r) => [r.id, r.disabled_by]))
    expect(await after()).toEqual({
      'm19d-again': landlord.id,
      'm19d-enabled': null,
      'm19d-landlords': landlord.id,
      'm19d-no-ledger': null,
      'm19d-recorded': landlord.id,
      'm19d-unknown': null,
      'm19d-vendors': vendor.id,
    })
    const once = await after()
    await t.db.exec(MIGRATION.sql)
    expect(await after()).toEqual(once)
  })
})
