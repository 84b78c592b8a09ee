// Embedded PostgreSQL (PGlite, WebAssembly): the default store, data in a
// directory (or in memory when no directory is given).

import { PGlite, types } from '@electric-sql/pglite'
import type { Database, Queryable, QueryResult } from './database.ts'

// `date` as the plain 'YYYY-MM-DD' text, as the PostgreSQL driver is set up too.
const PARSERS = { [types.DATE]: (v: string) => v }

function wrap (q: Pick<PGlite, 'query' | 'exec'>): Queryable {
  return {
    async query<R> (sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      const r = await q.query<R>(sql, params as unknown[])
      return { rows: r.rows, rowCount: r.affectedRows ?? 0 }
    },
    async exec (sql: string): Promise<void> {
      await q.exec(sql)
    },
  }
}

export class PgliteDatabase implements Database {
  readonly kind = 'pglite' as const
  private readonly q: Queryable

  private constructor (private readonly db: PGlite) {
    this.q = wrap(db)
  }

  /** Opens (creating if needed) the database in `dataDir`; in memory when undefined. */
  static async open (dataDir?: string, snapshot?: Blob): Promise<PgliteDatabase> {
    const options = { parsers: PARSERS, ...(snapshot === undefined ? {} : { loadDataDir: snapshot }) }
    const db = dataDir === undefined ? await PGlite.create(options) : await PGlite.create(dataDir, options)
    return new PgliteDatabase(db)
  }

  query<R = Record<string, unknown>> (sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    return this.q.query<R>(sql, params)
  }

  transaction<T> (fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => fn(wrap(tx)))
  }

  exec (sql: string): Promise<void> {
    return this.q.exec(sql)
  }

  /** A copy of the whole data directory, to open other in-memory databases from (tests). */
  snapshot (): Promise<Blob> {
    return this.db.dumpDataDir('none') as Promise<Blob>
  }

  async close (): Promise<void> {
    if (!this.db.closed) await this.db.close()
  }
}
