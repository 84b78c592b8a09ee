// The safety net behind the route schemas: a value the database refuses (a
// PostgreSQL data exception, SQLSTATE class 22) answers 400 with a code and
// changes nothing; other faults stay 500 with nothing of them in the answer.
// A route here writes to a real database of each kind without any schema, as
// a route whose schema missed a field would.

import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from '../../test/support/databases.ts'
import { errorHandler } from './error-handler.ts'

describe.each(DATABASE_KINDS)('data exceptions in a request (%s)', (kind) => {
  let t: TestDatabase
  let app: FastifyInstance
  beforeAll(async () => {
    t = await openTestDatabase(kind)
    app = Fastify()
    app.setErrorHandler(errorHandler)
    // Two writes in one transaction: the second carries the request's value.
    app.post('/areas', async (req) => {
      const b = req.body as { id: string; name: string; createdAt: string; at: string }
      await t.db.transaction(async (tx) => {
        await tx.query(`insert into areas (id, kind, name, path) values ($1, 'district', 'first', $2)`, [b.id, `/${b.id}/`])
        await tx.query(`insert into areas (id, kind, name, path, created_at) values ($1, 'district', $2, $3, $4)`, [`${b.id}-2`, b.name, `/${b.id}-2/`, b.createdAt])
      })
      return { ok: true }
    })
    app.get('/ledger', async (req) => (await t.db.query('select * from registry_ledger where seq > $1', [(req.query as { after: string }).after])).rows)
    app.get('/broken', async () => t.db.query('select * from no_such_table'))
    await app.ready()
  })
  afterAll(async () => { await app?.close(); await t?.dispose() })

  const areas = async (): Promise<number> => (await t.db.query<{ n: number }>('select count(*)::int as n from areas')).rows[0]!.n

  it.each([
    ['U+0000 in a text', { name: 'a\u0000b', createdAt: '2026-01-01T00:00:00Z' }, 'U+0000'],
    ['the year 0000', { name: 'ok', createdAt: '0000-01-01T00:00:00Z' }, 'out of range'],
    ['a date that does not exist', { name: 'ok', createdAt: '2025-02-30T00:00:00Z' }, 'date'],
  ])('answers 400 RH_UNSTORABLE_VALUE for %s and changes nothing', async (_what, body, message) => {
    const before = await areas()
    const r = await app.inject({ method: 'POST', url: '/areas', payload: { id: `a${Math.random().toString(36).slice(2, 8)}`, ...body } })
    expect(r.statusCode).toBe(400)
    expect(r.json()).toMatchObject({ statusCode: 400, code: 'RH_UNSTORABLE_VALUE', error: 'Bad Request', message: expect.stringContaining(message) })
    expect(await areas()).toBe(before)
  })

  it('answers 400 for a number beyond the column type', async () => {
    const r = await app.inject({ method: 'GET', url: '/ledger?after=1e30' })
    expect(r.statusCode).toBe(400)
    expect(r.json()).toMatchObject({ code: 'RH_UNSTORABLE_VALUE', message: expect.stringContaining('not in the expected form') })
    const big = await app.inject({ method: 'GET', url: `/ledger?after=${2n ** 63n}` })
    expect(big.json()).toMatchObject({ statusCode: 400, code: 'RH_UNSTORABLE_VALUE', message: expect.stringContaining('out of range') })
  })

  it('keeps other database faults a 500 that says nothing of them', async () => {
    const r = await app.inject({ method: 'GET', url: '/broken' })
    expect(r.statusCode).toBe(500)
    expect(r.json()).toEqual({ statusCode: 500, code: 'RH_INTERNAL', error: 'Internal Server Error', message: 'internal error; see the platform log' })
    expect(r.body).not.toMatch(/no_such_table/)
  })
})

describe.each([...DATABASE_KINDS, 'pglite-worker'] as const)('a database that cannot be reached (%s)', (kind) => {
  it('answers 503 RH_UNAVAILABLE once the database is closed, not 500', async () => {
    const t = await openTestDatabase(kind)
    const app = Fastify()
    app.setErrorHandler(errorHandler)
    app.get('/areas', async () => (await t.db.query('select id from areas')).rows)
    app.post('/areas', async () => t.db.transaction(async (tx) => tx.query(`insert into areas (id, kind, name, path) values ('x', 'district', 'x', '/x/')`)))
    await app.ready()
    try {
      expect((await app.inject({ method: 'GET', url: '/areas' })).statusCode).toBe(200)
      await t.dispose()
      for (const method of ['GET', 'POST'] as const) {
        const r = await app.inject({ method, url: '/areas' })
        expect(r.statusCode).toBe(503)
        expect(r.json()).toEqual({
          statusCode: 503, code: 'RH_UNAVAILABLE', error: 'Service Unavailable',
          message: 'the database cannot be reached right now; try again shortly',
        })
      }
    } finally {
      await app.close()
    }
  })
})
