// The starter removes what it made: a scratch PostgreSQL database is dropped
// and a temporary data directory deleted on stop; a restart keeps both. A
// real platform on the real server at PG_TEST_URL.

import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { CENSOR } from './logger.ts'
import { startPlatform } from './starter.ts'
import { PG_TEST_URL } from './store/scratch-postgres.ts'

const execFileAsync = promisify(execFile)

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

describe('the starter\'s default logger', () => {
  it('is the platform\'s own, redacting secrets (a child process writes to its stdout)', async () => {
    const script = [
      "import { startPlatform } from './platform/starter.ts'",
      "const p = await startPlatform({ env: { DEMO: 'off', LOG_LEVEL: 'info', LOG_FORMAT: 'json' } })",
      "p.logger.info({ password: 'hunter2-secret', user: { token: 'tok-secret' } }, 'probe line')",
      'await p.stop()',
    ].join('\n')
    const dir = mkdtempSync(join(tmpdir(), 'rh-starter-log-'))
    const file = join(dir, 'probe.mts')
    writeFileSync(file, script.replace('./platform/starter.ts', join(process.cwd(), 'platform/starter.ts')))
    let stdout: string
    try {
      stdout = (await execFileAsync(process.execPath, ['--import', 'tsx', file], { timeout: 60_000 })).stdout
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
    const probe = stdout.split('\n').find((line) => line.includes('probe line'))
    expect(probe).toBeDefined()
    expect(probe).not.toContain('hunter2-secret')
    expect(probe).not.toContain('tok-secret')
    expect(probe).toContain(CENSOR)
  }, 90_000)
})
