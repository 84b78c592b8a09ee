// The worker-thread side of PgliteWorkerDatabase: owns the PGlite instance
// and answers the main thread's requests one message at a time. Queries of a
// transaction run on its transaction object; other queries wait for it, as
// PGlite orders them itself. Nothing thrown here is lost: every request gets
// exactly one answer, an error as `{ ok: false, error }` with the PostgreSQL
// fields (code, detail, constraint, ...) the callers look at.

import { parentPort } from 'node:worker_threads'
import { PGlite, types, type Transaction } from '@electric-sql/pglite'

export type WorkerRequest =
  | { id: number; op: 'open'; dataDir?: string; snapshot?: Blob }
  | { id: number; op: 'query'; sql: string; params: unknown[]; tx?: number }
  | { id: number; op: 'exec'; sql: string; tx?: number }
  | { id: number; op: 'begin' }
  | { id: number; op: 'end'; tx: number; commit: boolean }
  | { id: number; op: 'close' }

export interface WorkerError { message: string; [field: string]: unknown }

export type WorkerAnswer =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: WorkerError }

// `date` as the plain 'YYYY-MM-DD' text, as in the main-thread adapter and the server driver.
const PARSERS = { [types.DATE]: (v: string) => v }
const ERROR_FIELDS = ['code', 'detail', 'hint', 'constraint', 'table', 'column', 'schema', 'severity', 'position', 'where'] as const

let db: PGlite | undefined
let nextTx = 1
const open = new Map<number, { tx: Transaction; end: (commit: boolean) => void; done: Promise<void> }>()

class RolledBack extends Error {}

function toWorkerError (err: unknown): WorkerError {
  const e = err as Record<string, unknown>
  const out: WorkerError = { message: typeof e?.message === 'string' ? e.message : String(err) }
  for (const f of ERROR_FIELDS) if (e?.[f] !== undefined) out[f] = e[f]
  return out
}

function target (tx: number | undefined): Pick<PGlite, 'query' | 'exec'> {
  if (tx === undefined) {
    if (db === undefined) throw new Error('database is not open')
    return db
  }
  const t = open.get(tx)
  if (t === undefined) throw new Error(`transaction ${tx} is not open`)
  return t.tx
}

async function handle (r: WorkerRequest): Promise<unknown> {
  switch (r.op) {
    case 'open': {
      const options = { parsers: PARSERS, ...(r.snapshot === undefined ? {} : { loadDataDir: r.snapshot }) }
      db = r.dataDir === undefined ? await PGlite.create(options) : await PGlite.create(r.dataDir, options)
      return null
    }
    case 'query': {
      const res = await target(r.tx).query(r.sql, r.params)
      return { rows: res.rows, rowCount: res.affectedRows ?? 0 }
    }
    case 'exec':
      await target(r.tx).exec(r.sql)
      return null
    case 'begin': {
      if (db === undefined) throw new Error('database is not open')
      const id = nextTx++
      const entry = { end: (_commit: boolean) => {}, done: Promise.resolve() } as { tx: Transaction; end: (commit: boolean) => void; done: Promise<void> }
      // The transaction stays open until the main thread sends `end`.
      return await new Promise<number>((started, failed) => {
        entry.done = db!.transaction(async (tx) => {
          const commit = await new Promise<boolean>((end) => {
            entry.tx = tx
            entry.end = end
            open.set(id, entry)
            started(id)
          })
          if (!commit) throw new RolledBack('rolled back')
        }).then(() => undefined, (err: unknown) => {
          if (!(err instanceof RolledBack)) throw err
        })
        entry.done.catch(failed)
      })
    }
    case 'end': {
      const t = open.get(r.tx)
      if (t === undefined) throw new Error(`transaction ${r.tx} is not open`)
      open.delete(r.tx)
      t.end(r.commit)
      await t.done
      return null
    }
    case 'close':
      if (db !== undefined && !db.closed) await db.close()
      return null
  }
}

parentPort!.on('message', (r: WorkerRequest) => {
  handle(r).then(
    (value) => parentPort!.postMessage({ id: r.id, ok: true, value } satisfies WorkerAnswer),
    (err: unknown) => parentPort!.postMessage({ id: r.id, ok: false, error: toWorkerError(err) } satisfies WorkerAnswer),
  )
})
