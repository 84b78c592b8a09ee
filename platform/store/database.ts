// The storage port. The registry and the event log talk to a Database; two
// implementations exist (embedded PGlite, a PostgreSQL server) and both pass
// the same conformance suite (database.conformance.ts).

export interface QueryResult<R> {
  rows: R[]
  /** Rows inserted, updated or deleted by the statement (0 for a SELECT on PGlite). */
  rowCount: number
}

export interface Queryable {
  query<R = Record<string, unknown>> (sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>
  /** Runs several statements separated by `;` (no parameters). */
  exec (sql: string): Promise<void>
}

export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgres'
  /** Runs `fn` in one transaction; commits when it resolves, rolls back when it throws. */
  transaction<T> (fn: (tx: Queryable) => Promise<T>): Promise<T>
  close (): Promise<void>
}

/** PostgreSQL error code of a failed statement (both drivers expose `code`). */
export function sqlState (err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}

/**
 * The database refuses the values themselves, so trying again cannot help: a data exception (class 22: U+0000
 * in jsonb, a number out of range), an integrity constraint (23) or a program limit (54: an index entry too
 * large). Anything else (no connection, a server shutting down, a deadlock) may pass on a later try.
 */
export function isDataError (err: unknown): boolean {
  const code = sqlState(err)
  return code !== undefined && /^(22|23|54)[0-9A-Z]{3}$/.test(code)
}

export const UNIQUE_VIOLATION = '23505'
export const FOREIGN_KEY_VIOLATION = '23503'
export const CHECK_VIOLATION = '23514'
