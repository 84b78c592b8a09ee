// Migration 021 on both databases: the log readers' progress table, one row
// per reader, a position never below 0; running it again changes nothing.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from '../../test/support/databases.ts'
import { loadMigrations } from './migrate.ts'

const MIGRATION = loadMigrations().find((m) => m.version === 21)!

describe.each(DATABASE_KINDS)('migration 021 (%s)', (kind) => {
  let t: TestDatabase
  beforeAll(async () => { t = await openTestDatabase(kind) })
  afterAll(async () => { await t?.dispose() })

  it('keeps one position per reader, never negative, and can run again', async () => {
    await t.db.query(`insert into log_reader_progress (reader, log_seq) values ('m21', 42)`)
    await expect(t.db.query(`insert into log_reader_progress (reader, log_seq) values ('m21', 43)`)).rejects.toThrow()
    await expect(t.db.query(`insert into log_reader_progress (reader, log_seq) values ('m21-negative', -1)`)).rejects.toThrow()
    await t.db.exec(MIGRATION.sql)
    const r = await t.db.query<{ reader: string; log_seq: number; updated_at: Date }>('select reader, log_seq, updated_at from log_reader_progress')
    expect(r.rows).toEqual([{ reader: 'm21', log_seq: 42, updated_at: expect.any(Date) }])
  })
})
