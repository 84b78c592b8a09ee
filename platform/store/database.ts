// The storage port. The registry and the event log talk to a Database; two
// implementations exist (embedded PGlite, a PostgreSQL server) and both pass
// the same conformance suite (database.test.ts).

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

/**
 * The database cannot be reached right now: a connection failure
 * (isConnectionFailure), or the server ended the session with a FATAL error
 * (it does not accept connections to this database now, refused the login,
 * ...). Nothing of the statement was done (a transaction whose connection
 * breaks is rolled back), so the request may be tried again later.
 */
export function isUnreachable (err: unknown): boolean {
  if (isConnectionFailure(err)) return true
  const severity = (err as { severity?: unknown } | null)?.severity
  return severity === 'FATAL' || severity === 'PANIC'
}

/**
 * The server is not there or not itself: it did not answer or refused the
 * connection, the connection broke, it is shutting down, crashed, starting up
 * or holds as many connections as it may, or the embedded database is closed.
 * Waiting may cure it.
 */
export function isConnectionFailure (err: unknown): boolean {
  // Follows `cause` (the pool wraps a connect timeout) and AggregateError (each address tried).
  for (let e = err, depth = 0; e !== null && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = sqlState(e)
    if (code !== undefined && (UNREACHABLE_CODES.has(code) || code.startsWith('08') || /^57P0[1-3]$/.test(code) || code === '53300')) return true
    const message = (e as { message?: unknown }).message
    if (code === undefined && typeof message === 'string' && UNREACHABLE_MESSAGES.some((m) => m.test(message))) return true
    if (e instanceof DatabaseClosedError) return true
  }
  return false
}

/** Socket errors of a server that is not there (Node's own codes). */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE'])

/** The drivers' own connection errors, which carry no code (node-postgres, pg-pool, PGlite). */
const UNREACHABLE_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect$/,
  /^Client (has encountered a connection error|was closed) and is not queryable$/,
  /^Cannot use a pool after calling end on the pool$/,
  /^PGlite is closed$/,
]

/** A Database used after it was closed, or whose embedded engine went away. */
export class DatabaseClosedError extends Error {}

export const UNIQUE_VIOLATION = '23505'
export const FOREIGN_KEY_VIOLATION = '23503'
export const CHECK_VIOLATION = '23514'
