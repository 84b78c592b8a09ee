// A PostgreSQL server through node-postgres, used when DATABASE_URL is set.

import pg from 'pg'
import type { Database, Queryable, QueryResult } from './database.ts'

// Keep int8 and numeric as JavaScript numbers, like PGlite does; the values we
// store in them (counters, sequence numbers) stay below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v))
// `date` as the plain 'YYYY-MM-DD' text, never shifted by the local time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v)

function wrap (client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<R> (sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      const r = await client.query(sql, params as unknown[])
      return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 }
    },
    async exec (sql: string): Promise<void> {
      await client.query(sql)
    },
  }
}

export class PgDatabase implements Database {
  readonly kind = 'postgres' as const
  private readonly pool: pg.Pool
  private readonly q: Queryable

  /**
   * `connectTimeoutMs`: longest wait for a connection, a new one or a free one of the pool's `max`; beyond,
   * the statement fails as unreachable (a server that does not answer would otherwise hold every request for
   * as long as the system's TCP timeout).
   */
  constructor (connectionString: string, max = 10, connectTimeoutMs = 10_000) {
    this.pool = new pg.Pool({ connectionString, max, connectionTimeoutMillis: connectTimeoutMs })
    // An idle client losing its connection must not crash the process.
    this.pool.on('error', () => {})
    this.q = wrap(this.pool)
  }

  query<R = Record<string, unknown>> (sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    return this.q.query<R>(sql, params)
  }

  async transaction<T> (fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect()
    // A connection lost between two statements (the server shut down) is an 'error' event of the client, not
    // a failed query; with no listener it would end the process. The next statement fails instead, the
    // server rolls the transaction back, and the broken client is dropped from the pool.
    let lost: Error | undefined
    const onError = (err: Error): void => { lost = err }
    client.on('error', onError)
    try {
      await client.query('BEGIN')
      const result = await fn(wrap(client))
      await client.query('COMMIT')
      return result
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {})
      throw err
    } finally {
      client.off('error', onError)
      client.release(lost)
    }
  }

  exec (sql: string): Promise<void> {
    return this.q.exec(sql)
  }

  async close (): Promise<void> {
    await this.pool.end()
  }
}
