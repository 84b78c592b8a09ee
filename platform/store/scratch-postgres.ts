// A throw-away database on a PostgreSQL server (PG_TEST_URL, default the
// local one): created empty under a random name, dropped (connections and
// all) on drop(). Tests, `load` and `bench` run against one so each run
// starts from nothing and leaves nothing behind.

import { randomBytes } from 'node:crypto'
import pg from 'pg'

/** The local server, trust authentication: where PG_TEST_URL points when it is unset. */
export const DEFAULT_PG_TEST_URL = 'postgres://postgres@127.0.0.1:5432/postgres'
export const PG_TEST_URL = process.env.PG_TEST_URL ?? DEFAULT_PG_TEST_URL

export interface ScratchPostgres {
  /** The new database's URL (the server's, another database name). */
  url: string
  name: string
  /** Drops the database, closing whatever is still connected to it. */
  drop (): Promise<void>
}

/** `prefix`: the start of the database's name (what made it, for whoever lists the server's databases). */
export async function createScratchPostgres (o: { prefix?: string; serverUrl?: string } = {}): Promise<ScratchPostgres> {
  const serverUrl = o.serverUrl ?? PG_TEST_URL
  const name = `${o.prefix ?? 'rh_scratch'}_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: serverUrl })
  try {
    await admin.connect()
  } catch (err) {
    await admin.end().catch(() => {})
    throw new Error(`PostgreSQL is not reachable at ${serverUrl} (${(err as Error).message}). ` +
      'Start it (pg_ctlcluster --skip-systemctl-redirect 15 main start) or set PG_TEST_URL.')
  }
  try {
    await admin.query(`create database ${name}`)
  } finally {
    await admin.end()
  }
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    name,
    async drop () {
      const c = new pg.Client({ connectionString: serverUrl })
      await c.connect()
      try {
        await c.query(`drop database if exists ${name} with (force)`)
      } finally {
        await c.end()
      }
    },
  }
}
