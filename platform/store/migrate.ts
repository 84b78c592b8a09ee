// Applies platform/store/migrations/NNN-name.sql in order, each once, each in
// its own transaction. The same files run on PGlite and on PostgreSQL.

import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Database } from './database.ts'

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url))
// Serialises concurrent migrators on one PostgreSQL server (any constant works).
const MIGRATION_LOCK = 7_402_118

export interface Migration {
  version: number
  name: string
  sql: string
}

export function loadMigrations (dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3}-[a-z0-9-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 3)), name: f.slice(4, -4), sql: readFileSync(dir + f, 'utf8') }))
}

/** Brings the schema up to date; returns the versions it applied. */
export async function migrate (db: Database, migrations = loadMigrations()): Promise<number[]> {
  await db.exec(`create table if not exists schema_migrations (
    version int primary key, name text not null, applied_at timestamptz not null default now())`)
  const applied: number[] = []
  for (const m of migrations) {
    const done = await db.transaction(async (tx) => {
      if (db.kind === 'postgres') await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK])
      const seen = await tx.query('select 1 from schema_migrations where version = $1', [m.version])
      if (seen.rows.length > 0) return false
      await tx.exec(m.sql)
      await tx.query('insert into schema_migrations (version, name) values ($1, $2)', [m.version, m.name])
      return true
    })
    if (done) applied.push(m.version)
  }
  return applied
}
