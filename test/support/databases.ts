// Fresh, migrated databases for tests: an in-memory PGlite (opened from a
// migrated snapshot, so each costs well under a second) and a throw-away
// database on the PostgreSQL server at PG_TEST_URL (default the local one;
// platform/store/scratch-postgres.ts).
// Under CI a missing server fails the run instead of skipping.

import type { Database } from '../../platform/store/database.ts'
import { migrate, type Migration } from '../../platform/store/migrate.ts'
import { PgDatabase } from '../../platform/store/pg-database.ts'
import { PgliteDatabase } from '../../platform/store/pglite-database.ts'
import { PgliteWorkerDatabase } from '../../platform/store/pglite-worker-database.ts'
import { createScratchPostgres, PG_TEST_URL } from '../../platform/store/scratch-postgres.ts'

export const DATABASE_KINDS = ['pglite', 'postgres'] as const
/** `pglite-worker`: the embedded database on its own thread, as a running platform uses it (conformance suite only). */
export type DatabaseKind = (typeof DATABASE_KINDS)[number] | 'pglite-worker'

export { PG_TEST_URL }

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
  const scratch = await createScratchPostgres({ prefix: 'rh_test' })
  const db = new PgDatabase(scratch.url, 4)
  await migrate(db, o.migrations)
  return {
    db,
    async dispose () {
      await db.close()
      await scratch.drop()
    },
  }
}
