// The starter removes what it made: a scratch PostgreSQL database is dropped
// and a temporary data directory deleted on stop; a restart keeps both. A
// real platform on the real server at PG_TEST_URL.

import { existsSync } from 'node:fs'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { startPlatform } from './starter.ts'
import { PG_TEST_URL } from './store/scratch-postgres.ts'

async function databaseExists (name: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: PG_TEST_URL })
  await c.connect()
  try {
    return (await c.query('select 1 from pg_database where datname = $1', [name])).rows.length === 1
  } finally {
    await c.end()
  }
}

describe('startPlatform', () => {
  it('on a scratch database: every part there, an admin account, and nothing left after stop', async () => {
    const started = await startPlatform({ database: 'scratch-postgres', env: { DEMO: 'off', LOG_LEVEL: 'silent' }, admin: { username: 'starter-admin', displayName: 'Starter' } })
    const name = new URL(started.config.databaseUrl!).pathname.slice(1)
    try {
      expect(await databaseExists(name)).toBe(true)
      expect(existsSync(started.dataDir)).toBe(true)
      expect(started.platform.components()).toEqual(expect.arrayContaining(['database', 'pipeline', 'uplink-router', 'broker', 'api']))
      expect(started.platform.components().at(-1)).toBe('api')
      const login = await started.platform.registry.users.login('starter-admin', started.admin!.password, '127.0.0.1')
      expect(login.token).toBeTruthy()
      const before = started.platform
      const again = await started.restart()
      expect(again).not.toBe(before)
      expect(started.platform).toBe(again)
      expect(await databaseExists(name)).toBe(true)
      expect((await again.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200)
    } finally {
      await started.stop()
    }
    expect(await databaseExists(name)).toBe(false)
    expect(existsSync(started.dataDir)).toBe(false)
  }, 120_000)
})
