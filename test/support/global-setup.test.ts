// The test run's own PostgreSQL server, for a machine without one: started
// when PG_TEST_URL is unset and nothing answers at the default, handed over
// in PG_TEST_URL, removed after the run; never under CI. A PG_TEST_URL the
// user set that does not answer fails the run instead.

import { readdirSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import pg from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import setup, { answers, prepare } from './global-setup.ts'

async function closedPort (): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

describe('the test run\'s PostgreSQL server', () => {
  const saved = { PG_TEST_URL: process.env.PG_TEST_URL, CI: process.env.CI }
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  })

  it('is started when PG_TEST_URL is unset and nothing answers, answers queries, and is gone after the teardown', async () => {
    delete process.env.CI
    delete process.env.PG_TEST_URL
    const closed = `postgres://postgres@127.0.0.1:${await closedPort()}/postgres`
    expect(await answers(closed)).toBe(false)
    const ours = (): string[] => readdirSync(tmpdir()).filter((n) => n.startsWith('rh-test-pg-'))
    const before = ours()
    const teardown = await prepare({ defaultUrl: closed })
    expect(teardown).toBeTypeOf('function')
    const url = process.env.PG_TEST_URL!
    expect(url).not.toBe(closed)
    try {
      const c = new pg.Client({ connectionString: url })
      await c.connect()
      const r = await c.query<{ enc: string; one: number }>('select pg_encoding_to_char(encoding) as enc, 1 as one from pg_database where datname = current_database()')
      await c.end()
      expect(r.rows[0]).toEqual({ enc: 'UTF8', one: 1 })
      // A server that answers is used as it is.
      expect(await setup()).toBeUndefined()
      expect(process.env.PG_TEST_URL).toBe(url)
    } finally {
      await teardown!()
    }
    expect(await answers(url, 1000)).toBe(false)
    expect(ours().filter((n) => !before.includes(n))).toEqual([])
  }, 60_000)

  it('is not started in place of a PG_TEST_URL the user set: the run fails, saying why', async () => {
    delete process.env.CI
    const closed = `postgres://postgres:s3cret@127.0.0.1:${await closedPort()}/postgres`
    process.env.PG_TEST_URL = closed
    const ours = (): string[] => readdirSync(tmpdir()).filter((n) => n.startsWith('rh-test-pg-'))
    const before = ours()
    const err = await setup().then(() => undefined, (e: unknown) => e as Error)
    expect(err?.message).toMatch(/^no PostgreSQL server answers at PG_TEST_URL \(postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/postgres\); start it, or unset PG_TEST_URL/)
    expect(err?.message).not.toContain('s3cret')
    expect(process.env.PG_TEST_URL).toBe(closed)
    expect(ours().filter((n) => !before.includes(n))).toEqual([])
  })

  it('is never started under CI', async () => {
    process.env.CI = 'true'
    process.env.PG_TEST_URL = `postgres://postgres@127.0.0.1:${await closedPort()}/postgres`
    expect(await setup()).toBeUndefined()
  })
})
