// Embedded PostgreSQL (PGlite) on a worker thread: the default store of a
// running platform. PGlite executes SQL as WebAssembly on whatever thread
// owns it; on the broker's thread every query would stop the MQTT sockets
// for its whole duration. Here the main thread only posts requests and gets
// answers, so the database works on another core while the broker and the
// pipeline go on. Same `Database` port and conformance suite as the others.

import { Worker } from 'node:worker_threads'
import { DatabaseClosedError, type Database, type Queryable, type QueryResult } from './database.ts'
import type { WorkerAnswer, WorkerError, WorkerRequest } from './pglite-worker.ts'

type Request = WorkerRequest extends infer R ? R extends { id: number } ? Omit<R, 'id'> : never : never

const ENTRY = new URL('./pglite-worker-entry.mjs', import.meta.url)
const WORKER = new URL('./pglite-worker.ts', import.meta.url).href

/** The worker's error as an Error with the PostgreSQL fields (`code`, ...) callers test. */
function toError (e: WorkerError): Error {
  return Object.assign(new Error(e.message), e)
}

export class PgliteWorkerDatabase implements Database {
  readonly kind = 'pglite' as const
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  private nextId = 1
  private broken: Error | undefined
  private closed = false
  private readonly q: Queryable

  private constructor (private readonly worker: Worker) {
    worker.on('message', (a: WorkerAnswer) => {
      const p = this.pending.get(a.id)
      if (p === undefined) return
      this.pending.delete(a.id)
      if (a.ok) p.resolve(a.value)
      else p.reject(toError(a.error))
    })
    const fail = (err: Error): void => {
      this.broken ??= err
      for (const p of this.pending.values()) p.reject(err)
      this.pending.clear()
    }
    worker.on('error', (err) => fail(new DatabaseClosedError('the database worker failed', { cause: err })))
    worker.on('exit', (code) => fail(new DatabaseClosedError(`the database worker exited (code ${code})`)))
    this.q = this.queryable(undefined)
  }

  /** Opens (creating if needed) the database in `dataDir` on a new worker thread; in memory when undefined. */
  static async open (dataDir?: string, snapshot?: Blob): Promise<PgliteWorkerDatabase> {
    const db = new PgliteWorkerDatabase(new Worker(ENTRY, { workerData: { entry: WORKER } }))
    try {
      await db.call({ op: 'open', ...(dataDir === undefined ? {} : { dataDir }), ...(snapshot === undefined ? {} : { snapshot }) })
    } catch (err) {
      await db.worker.terminate()
      throw err
    }
    return db
  }

  query<R = Record<string, unknown>> (sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    return this.q.query<R>(sql, params)
  }

  exec (sql: string): Promise<void> {
    return this.q.exec(sql)
  }

  async transaction<T> (fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const tx = await this.call({ op: 'begin' }) as number
    let result: T
    try {
      result = await fn(this.queryable(tx))
    } catch (err) {
      await this.call({ op: 'end', tx, commit: false }).catch(() => {})
      throw err
    }
    await this.call({ op: 'end', tx, commit: true })
    return result
  }

  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    if (this.broken === undefined) await this.call({ op: 'close' }).catch(() => {})
    await this.worker.terminate()
  }

  private queryable (tx: number | undefined): Queryable {
    const txPart = tx === undefined ? {} : { tx }
    return {
      query: async <R>(sql: string, params: readonly unknown[] = []) =>
        await this.call({ op: 'query', sql, params: [...params], ...txPart }) as QueryResult<R>,
      exec: async (sql: string) => { await this.call({ op: 'exec', sql, ...txPart }) },
    }
  }

  private call (r: Request): Promise<unknown> {
    if (this.broken !== undefined) return Promise.reject(this.broken)
    if (this.closed && r.op !== 'close') return Promise.reject(new DatabaseClosedError('the database is closed'))
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      this.worker.postMessage({ ...r, id })
    })
  }
}
