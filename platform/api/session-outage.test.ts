// Token checks while PostgreSQL is unreachable: a session this node validated
// recently keeps working (GET /broker/stats is the operator's only view of the
// journal backlog during an outage); a token it cannot judge gets 503
// RH_UNAVAILABLE, not 500; a session ended on this node stays ended. The
// outage is real: the test database stops accepting connections and its
// backends are terminated.

import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PG_TEST_URL } from '../../test/support/databases.ts'
import { callApi, startTestPlatform, type TestPlatform } from '../../test/support/platform.ts'

describe('token checks during a database outage (postgres)', () => {
  let tp: TestPlatform
  let database: string
  beforeAll(async () => {
    tp = await startTestPlatform('postgres')
    database = (await tp.platform.db.query<{ name: string }>('select current_database() as name')).rows[0]!.name
  }, 60_000)
  afterAll(async () => {
    await outage(false)
    await tp?.dispose()
  })

  /** Stops (or ends) the outage of the test database: no new connections, existing ones terminated. */
  async function outage (on: boolean): Promise<void> {
    if (database === undefined) return
    const admin = new pg.Client({ connectionString: PG_TEST_URL })
    await admin.connect()
    try {
      await admin.query(`alter database ${database} with allow_connections ${on ? 'false' : 'true'}`)
      if (on) await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [database])
    } finally {
      await admin.end()
    }
  }

  it('serves sessions it validated, refuses what it cannot judge with 503, and keeps ended sessions ended', async () => {
    expect((await callApi(tp, 'admin', 'GET', '/broker/stats')).status).toBe(200)
    expect((await callApi(tp, 'grid-chen', 'GET', '/auth/me')).status).toBe(200)
    // Ended on this node while the database was up: logout and a disabled account.
    expect((await callApi(tp, 'landlord-wang', 'POST', '/auth/logout')).status).toBe(204)
    expect((await callApi(tp, 'admin', 'PATCH', `/users/${tp.userIds['police-other']}`, { disabled: true })).status).toBe(200)

    await outage(true)
    try {
      const stats = await callApi(tp, 'admin', 'GET', '/broker/stats')
      expect(stats.status).toBe(200)
      expect(stats.body.eventLog).toBeDefined()
      const unknown = await tp.platform.app.inject({ method: 'GET', url: '/broker/stats', headers: { authorization: `Bearer ${'u'.repeat(43)}` } })
      expect(unknown.statusCode).toBe(503)
      expect(unknown.json()).toMatchObject({ statusCode: 503, code: 'RH_UNAVAILABLE' })
      expect((await callApi(tp, 'landlord-wang', 'GET', '/auth/me')).body.code).toBe('RH_UNAVAILABLE')
      expect((await callApi(tp, 'police-other', 'GET', '/auth/me')).body.code).toBe('RH_UNAVAILABLE')
      // A route that needs the database still fails, but the token check let it through: 503, not 401 nor 500.
      expect(await callApi(tp, 'grid-chen', 'GET', '/auth/me')).toMatchObject({ status: 503, body: { code: 'RH_UNAVAILABLE' } })
    } finally {
      await outage(false)
    }
    expect((await callApi(tp, 'admin', 'GET', '/broker/stats')).status).toBe(200)
    expect((await callApi(tp, 'landlord-wang', 'GET', '/auth/me')).status).toBe(401)
    expect((await callApi(tp, 'police-other', 'GET', '/auth/me')).status).toBe(401)
  }, 60_000)
})
