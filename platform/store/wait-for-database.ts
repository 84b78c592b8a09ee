// At start, a PostgreSQL server that does not answer yet (the machine is
// booting, its container starts after ours, it is restarting) is waited for:
// tried again after 0.5 s, doubling up to 15 s between tries, each try
// logged, until it answers or the platform is stopped. A server that answers
// with a refusal no wait can cure (wrong password, no such database) stops
// the start at once, with its reason.

import type { Logger } from 'pino'
import { isConnectionFailure, sqlState, type Database } from './database.ts'

export interface WaitOptions {
  logger: Pick<Logger, 'warn' | 'info'>
  /** Aborted when the platform is stopped while it waits (SIGINT). */
  signal: AbortSignal
  /** Where the server is, for the log: host, port and database, never the password. */
  where: string
  firstDelayMs?: number
  maxDelayMs?: number
}

/** Errors of a server not (yet) there: nothing answered, or it is starting or shutting down (isConnectionFailure). */
export function isNotThereYet (err: unknown): boolean {
  // No code at all: some connection error of the driver's that isConnectionFailure does not name; worth waiting on at start.
  return sqlState(err) === undefined || isConnectionFailure(err)
}

/** Resolves once the database answers; rejects on a refusal waiting cannot cure, or when `signal` aborts. */
export async function waitForDatabase (db: Database, o: WaitOptions): Promise<void> {
  const first = o.firstDelayMs ?? 500
  const max = o.maxDelayMs ?? 15_000
  for (let attempt = 1; ; attempt++) {
    o.signal.throwIfAborted()
    try {
      await db.query('select 1')
      if (attempt > 1) o.logger.info({ attempts: attempt }, `PostgreSQL at ${o.where} answers; starting`)
      return
    } catch (err) {
      o.signal.throwIfAborted()
      const code = sqlState(err) ?? null
      if (!isNotThereYet(err)) {
        throw new Error(`PostgreSQL at ${o.where} refused the platform (${code ?? 'no code'}: ${(err as Error).message}); check DATABASE_URL`, { cause: err })
      }
      const retryInMs = Math.min(first * 2 ** (attempt - 1), max)
      o.logger.warn({ attempt, retryInMs, code },
        `PostgreSQL at ${o.where} is not reachable (${code ?? (err as Error).message}); waiting for it, next try in ${retryInMs / 1000} s (Ctrl-C stops)`)
      await sleep(retryInMs, o.signal)
    }
  }
}

function sleep (ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer)
      reject(signal.reason)
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', done)
      resolve()
    }, ms)
    signal.addEventListener('abort', done, { once: true })
  })
}

/** host:port/database of a postgres:// URL, without user or password. */
export function describeDatabaseUrl (url: string): string {
  try {
    const u = new URL(url)
    return `${u.hostname}:${u.port === '' ? '5432' : u.port}${u.pathname === '' ? '' : u.pathname}`
  } catch {
    return 'DATABASE_URL'
  }
}
