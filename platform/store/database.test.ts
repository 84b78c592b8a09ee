// The storage port's conformance suite: the embedded and the server
// implementation must behave the same for everything the registry relies on.

import { createServer, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from '../../test/support/databases.ts'
import { freePort } from '../../test/support/platform-process.ts'
import { isDataError, isUnreachable, sqlState, UNIQUE_VIOLATION } from './database.ts'
import { loadMigrations, migrate } from './migrate.ts'
import { PgDatabase } from './pg-database.ts'

describe.each([...DATABASE_KINDS, 'pglite-worker'] as const)('Database on %s', (kind) => {
  let t: TestDatabase
  beforeAll(async () => { t = await openTestDatabase(kind) })
  afterAll(async () => { await t?.dispose() })

  it('has every migration applied, and migrating again applies nothing', async () => {
    const r = await t.db.query<{ version: number }>('select version from schema_migrations order by version')
    expect(r.rows.map((x) => x.version)).toEqual(loadMigrations().map((m) => m.version))
    expect(await migrate(t.db)).toEqual([])
  })

  it('binds parameters and returns int8 as numbers, dates as text, timestamps as Date, jsonb as values', async () => {
    const r = await t.db.query<{ n: number; d: string; ts: Date; j: unknown }>(
      'select $1::int8 + 1 as n, $2::date as d, $3::timestamptz as ts, $4::jsonb as j',
      [41, '2026-02-28', '2026-01-02T03:04:05.678Z', JSON.stringify({ a: [1, 'x'] })])
    expect(r.rows[0]).toEqual({ n: 42, d: '2026-02-28', ts: new Date('2026-01-02T03:04:05.678Z'), j: { a: [1, 'x'] } })
  })

  it('reports affected rows', async () => {
    await t.db.exec('create table conf_rows (k int primary key)')
    const r = await t.db.query('insert into conf_rows values (1), (2), (3)')
    expect(r.rowCount).toBe(3)
    expect((await t.db.query('delete from conf_rows where k > 1')).rowCount).toBe(2)
  })

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    await t.db.exec('create table conf_tx (k int primary key)')
    await t.db.transaction(async (tx) => { await tx.query('insert into conf_tx values (1)') })
    await expect(t.db.transaction(async (tx) => {
      await tx.query('insert into conf_tx values (2)')
      throw new Error('boom')
    })).rejects.toThrow('boom')
    const r = await t.db.query<{ k: number }>('select k from conf_tx order by k')
    expect(r.rows).toEqual([{ k: 1 }])
  })

  it('exposes the SQLSTATE of a failed statement', async () => {
    await t.db.exec('create table conf_unique (k int primary key)')
    await t.db.query('insert into conf_unique values (1)')
    const err = await t.db.query('insert into conf_unique values (1)').catch((e: unknown) => e)
    expect(sqlState(err)).toBe(UNIQUE_VIOLATION)
  })

  it('tells values the database refuses from failures that may pass on a later try', async () => {
    const refused = async (sql: string, params: unknown[] = []): Promise<unknown> => t.db.query(sql, params).then(() => undefined, (e: unknown) => e)
    // U+0000 in jsonb (an alert write once stopped by it), a number out of range, a duplicate key, an index entry too large.
    await t.db.exec('create table conf_refuse (k int primary key, s text)')
    await t.db.exec('create index conf_refuse_s on conf_refuse (s)')
    await t.db.query('insert into conf_refuse values (1, null)')
    const errors = [
      await refused('select $1::jsonb', [JSON.stringify({ v: 'a\u0000b' })]),
      await refused('select $1::int4', [2 ** 40]),
      await refused('insert into conf_refuse values (1, null)'),
      await refused('insert into conf_refuse values (2, $1)', [Array.from({ length: 3000 }, (_, i) => String.fromCharCode(0x4e00 + ((i * 7919) % 20000))).join('')]),
    ]
    expect(errors.map((e) => [sqlState(e)?.slice(0, 2), isDataError(e)])).toEqual([['22', true], ['22', true], ['23', true], ['54', true]])
    // Not about the values: a statement that is wrong, a transaction given up.
    expect(isDataError(await refused('select * from no_such_table'))).toBe(false)
    expect(isDataError(new Error('no code at all'))).toBe(false)
  })

  it('serialises a transaction against other statements and keeps its reads consistent', async () => {
    await t.db.exec('create table conf_iso (k int primary key, v int not null)')
    await t.db.query('insert into conf_iso values (1, 0)')
    // Ten concurrent read-modify-write transactions: with row locks none of the increments is lost.
    await Promise.all(Array.from({ length: 10 }, () => t.db.transaction(async (tx) => {
      const r = await tx.query<{ v: number }>('select v from conf_iso where k = 1 for update')
      await tx.query('update conf_iso set v = $1 where k = 1', [r.rows[0]!.v + 1])
    })))
    expect((await t.db.query<{ v: number }>('select v from conf_iso')).rows[0]!.v).toBe(10)
  })

  it('keeps the ledger and the audit log append-only, and refuses to truncate any history table', async () => {
    await t.db.query(`insert into registry_ledger (actor_id, action) values ('u1', 'room.created')`)
    await t.db.query(`insert into audit_log (action) values ('test')`)
    for (const table of ['registry_ledger', 'audit_log']) {
      const upd = await t.db.query(`update ${table} set action = 'x'`).catch((e: unknown) => e)
      expect(sqlState(upd)).toBe('55000')
      const del = await t.db.query(`delete from ${table}`).catch((e: unknown) => e)
      expect(sqlState(del)).toBe('55000')
    }
    expect((await t.db.query<{ n: number }>('select count(*)::int as n from audit_log')).rows[0]!.n).toBe(1)
    for (const table of ['registrations', 'registry_ledger', 'audit_log', 'alert_events']) {
      expect(sqlState(await t.db.query(`truncate ${table} cascade`).catch((e: unknown) => e))).toBe('55000')
    }
  })
})

describe('isDataError on a server that is not there', () => {
  it('is false: a connection refused is retried, never taken for refused values', async () => {
    const db = new PgDatabase(`postgres://postgres@127.0.0.1:${await freePort()}/postgres`)
    const err = await db.query('select 1').then(() => undefined, (e: unknown) => e)
    await db.close()
    expect(sqlState(err)).toBe('ECONNREFUSED')
    expect(isDataError(err)).toBe(false)
  })
})

describe('a server that accepts connections but never answers', () => {
  it('fails the statement as unreachable once the connect timeout has passed, instead of holding it', async () => {
    const sockets = new Set<Socket>()
    const silent = createServer((s) => { sockets.add(s) })
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const { port } = silent.address() as { port: number }
    const db = new PgDatabase(`postgres://postgres@127.0.0.1:${port}/postgres`, 2, 300)
    try {
      const started = Date.now()
      const err = await db.query('select 1').then(() => undefined, (e: unknown) => e)
      expect(Date.now() - started).toBeLessThan(3_000)
      expect(isUnreachable(err)).toBe(true)
    } finally {
      await db.close()
      for (const s of sockets) s.destroy()
      await new Promise((resolve) => silent.close(resolve))
    }
  })
})
