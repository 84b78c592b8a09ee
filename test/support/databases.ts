// Fresh, migrated databases for tests: an in-memory PGlite (opened from a
// migrated snapshot, so each costs well under a second) and a throw-away
// database on the PostgreSQL server at PG_TEST_URL (default the local one).
// Under CI a missing server fails the run instead of skipping.

import { randomBytes } from 'node:crypto'
import pg from 'pg'
import type { Database } from '../../platform/store/database.ts'
import { migrate, type Migration } from '../../platform/store/migrate.ts'
import { PgDatabase } from '../../platform/store/pg-database.ts'
import { PgliteDatabase } from '../../platform/store/pglite-database.ts'
import { PgliteWorkerDatabase } from '../../platform/store/pglite-worker-database.ts'

export const DATABASE_KINDS = ['pglite', 'postgres'] as const
/** `pglite-worker`: the embedded database on its own thread, as a running platform uses it (conformance suite only). */
export type DatabaseKind = (typeof DATABASE_KINDS)[number] | 'pglite-worker'

export const PG_TEST_URL = process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

let snapshot: Promise<Blob> | undefined

function migratedSnapshot (): Promise<Blob> {
  snapshot ??= (async () => {
    const db = await PgliteDatabase.open()
    await migrate(db)
    const blob = await db.snapshot()
    await db.close()
    return blob
  })()
  return snapshot
}

export interface TestDatabase {
  db: Database
  /** Closes the connection and drops the server database. */
  dispose (): Promise<void>
}

/** `migrations`: apply only these (a schema as an older release left it, to test an upgrade); default all. */
export async function openTestDatabase (kind: DatabaseKind, o: { migrations?: Migration[] } = {}): Promise<TestDatabase> {
  if (o.migrations !== undefined && kind !== 'postgres') {
    const db = await PgliteDatabase.open()
    await migrate(db, o.migrations)
    return { db, dispose: () => db.close() }
  }
  if (kind === 'pglite') {
    const db = await PgliteDatabase.open(undefined, await migratedSnapshot())
    return { db, dispose: () => db.close() }
  }
  if (kind === 'pglite-worker') {
    const db = await PgliteWorkerDatabase.open(undefined, await migratedSnapshot())
    return { db, dispose: () => db.close() }
  }
  const name = `rh_test_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: PG_TEST_URL })
  try {
    await admin.connect()
  } catch (err) {
    throw new Error(`PostgreSQL is not reachable at ${PG_TEST_URL} (${(err as Error).message}). ` +
      'Start it (pg_ctlcluster --skip-systemctl-redirect 15 main start) or set PG_TEST_URL.')
  }
  await admin.query(`create database ${name}`)
  await admin.end()
  const url = new URL(PG_TEST_URL)
  url.pathname = `/${name}`
  const db = new PgDatabase(url.toString(), 4)
  await migrate(db, o.migrations)
  return {
    db,
    async dispose () {
      await db.close()
      const c = new pg.Client({ connectionString: PG_TEST_URL })
      await c.connect()
      await c.query(`drop database if exists ${name} with (force)`)
      await c.end()
    },
  }
}
