// Migration 015 on both databases: stored ID masks made before it are redone
// (they showed the sequence and check character), later ones are left as they
// are, erased people stay erased; old webhook errors become generic.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from '../../test/support/databases.ts'
import { AlertService } from '../alerts/alert-service.ts'
import { candidate, seedAlertWorld } from '../alerts/alerts.test-kit.ts'
import { loadMigrations } from './migrate.ts'

const MIGRATION = loadMigrations().find((m) => m.version === 15)!

describe.each(DATABASE_KINDS)('migration 015 (%s)', (kind) => {
  let t: TestDatabase
  beforeAll(async () => { t = await openTestDatabase(kind) })
  afterAll(async () => { await t?.dispose() })

  it('redoes the stored masks from what they kept, once', async () => {
    const rows: Array<[string, string, string, string | null]> = [
      ['m-1', 'resident_id', '440***********123X', null],
      ['m-2', 'hk_macao_tw_residence_permit', '810***********1234', null],
      ['m-3', 'passport', 'E******78', null],
      ['m-4', 'hk_macao_pass', 'H12*****8901', null],
      ['m-5', 'foreign_permanent_resident', 'USA********9012', null],
      ['m-6', 'resident_id', '44****************', null],
      ['m-7', 'resident_id', '(erased)', '2026-01-01T00:00:00Z'],
    ]
    for (const [id, type, masked, erased] of rows) {
      await t.db.query(`insert into residents (id, name, id_type, id_hash, id_cipher, id_masked, erased_at) values ($1, 'x', $2, $1, 'c', $3, $4)`,
        [id, type, masked, erased])
    }
    await t.db.exec(MIGRATION.sql.replace(/create index/g, 'create index if not exists'))
    const after = async () => (await t.db.query<{ id: string; id_masked: string }>(`select id, id_masked from residents where id like 'm-%' order by id`)).rows
    expect(await after()).toEqual([
      { id: 'm-1', id_masked: '44****************' },
      { id: 'm-2', id_masked: '81****************' },
      { id: 'm-3', id_masked: 'E********' },
      { id: 'm-4', id_masked: 'H********' },
      { id: 'm-5', id_masked: 'U********' },
      { id: 'm-6', id_masked: '44****************' },
      { id: 'm-7', id_masked: '(erased)' },
    ])
    const once = await after()
    await t.db.exec(MIGRATION.sql.replace(/create index/g, 'create index if not exists'))
    expect(await after()).toEqual(once)
  })

  it('leaves the owner of a webhook only generic delivery errors', async () => {
    const w = await seedAlertWorld(t.db, 'mig')
    const alert = (await new AlertService({ db: t.db }).raise(candidate(w.bA)))!.alert
    await t.db.query(`insert into webhooks (id, url, secret, area_id, area_path, created_by) values ('wh-m', 'https://x.example/', 's', 'mig-d1', '/mig-d1/', $1)`, [w.admin.id])
    const errors = ['fetch failed: ECONNREFUSED', 'connect EHOSTUNREACH 10.0.0.5:5432', 'HTTP 503', 'timeout', null]
    for (const e of errors) {
      await t.db.query(`insert into webhook_outbox (webhook_id, alert_id, event, payload, last_error) values ('wh-m', $1, 'alert.opened', '{}', $2)`, [alert.id, e])
    }
    await t.db.exec(MIGRATION.sql.replace(/create index/g, 'create index if not exists'))
    const r = await t.db.query<{ last_error: string | null }>(`select last_error from webhook_outbox where webhook_id = 'wh-m' order by seq`)
    expect(r.rows.map((x) => x.last_error)).toEqual(['unreachable', 'unreachable', 'HTTP 503', 'timeout', null])
  })
})
