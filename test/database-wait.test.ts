// The platform started while its PostgreSQL server is not up yet (a machine
// booting, a container starting in the wrong order) waits for it, with
// back-off, saying so in the log, and starts once it answers; SIGINT still
// stops it while it waits. A real server, started later on a free port.

import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pino from 'pino'
import { afterAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../platform/config.ts'
import { Platform, type RunningPlatform } from '../platform/platform.ts'
import { PgDatabase } from '../platform/store/pg-database.ts'
import { waitForDatabase } from '../platform/store/wait-for-database.ts'
import { PG_TEST_URL } from './support/databases.ts'
import { freePort } from './support/platform-process.ts'
import { createThrowawayPostgres, throwawayPostgresWorks, type ThrowawayPostgres } from './support/throwaway-postgres.ts'
import { until } from './support/wait.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const waiting = (l: { msg?: unknown }): boolean => /^PostgreSQL at .* is not reachable/.test(String(l.msg))

describe.skipIf(!throwawayPostgresWorks)('starting while PostgreSQL is not up yet', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rh-db-wait-'))
  let pg: ThrowawayPostgres | undefined
  let platform: Platform | undefined
  let running: RunningPlatform | undefined
  afterAll(async () => {
    await platform?.stop()
    pg?.remove()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('waits with a bounded back-off, logging each attempt, and starts once the server answers', async () => {
    pg = createThrowawayPostgres(await freePort())
    const lines: Array<{ msg?: string; attempt?: number; retryInMs?: number; level: number }> = []
    const logger = pino({ level: 'info' }, { write: (l: string) => { lines.push(JSON.parse(l)) } })
    const config = loadConfig({
      HOST: '127.0.0.1', HTTP_PORT: '0', MQTT_PORT: '0', MQTT_WS_PORT: 'off', DATA_DIR: dataDir, DEMO: 'off',
      DATABASE_URL: pg.url.replace('postgres@', 'postgres:not-logged@'), DATA_KEY: 'b5'.repeat(32),
    })
    platform = new Platform(config, logger)
    const started = platform.start()
    let failed: unknown
    started.catch((err: unknown) => { failed = err })
    await until('three attempts logged', () => failed !== undefined || lines.filter(waiting).length >= 3, 20_000)
    expect(failed).toBeUndefined()
    pg.start()
    running = await started
    const tries = lines.filter(waiting)
    expect(tries.map((l) => l.attempt)).toEqual(tries.map((_, i) => i + 1))
    // Growing delays, and no password in the log.
    expect(tries[1]!.retryInMs).toBeGreaterThan(tries[0]!.retryInMs!)
    expect(JSON.stringify(lines)).not.toContain('not-logged')
    expect(lines.some((l) => /PostgreSQL .* answers/.test(String(l.msg)))).toBe(true)
    const r = await running.app.inject({ method: 'GET', url: '/health' })
    expect(r.statusCode).toBe(200)
  })

  it('stops on SIGINT while it waits, at once and cleanly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rh-db-wait-sigint-'))
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'platform/main.ts'], {
        cwd: ROOT,
        env: {
          ...process.env, HOST: '127.0.0.1', HTTP_PORT: String(await freePort()), MQTT_PORT: String(await freePort()), MQTT_WS_PORT: 'off',
          DATA_DIR: dir, DATA_KEY: 'b6'.repeat(32), LOG_LEVEL: 'info', DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/postgres`,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let out = ''
      child.stdout.on('data', (d: Buffer) => { out += d.toString() })
      child.stderr.on('data', (d: Buffer) => { out += d.toString() })
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
      await until('the platform waits for PostgreSQL', () => /is not reachable/.test(out) || child.exitCode !== null, 30_000)
      expect(child.exitCode).toBeNull()
      const t0 = Date.now()
      child.kill('SIGINT')
      expect(await exited).toBe(0)
      expect(Date.now() - t0).toBeLessThan(5000)
      expect(out).not.toMatch(/could not start/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('a server that answers with a refusal', () => {
  it('stops the start at once with the reason: waiting cannot cure a database that does not exist', async () => {
    const url = new URL(PG_TEST_URL)
    url.pathname = '/rh_no_such_database'
    const db = new PgDatabase(url.toString())
    const t0 = Date.now()
    const lines: string[] = []
    const err = await waitForDatabase(db, {
      logger: pino({ level: 'info' }, { write: (l: string) => { lines.push(l) } }), signal: new AbortController().signal, where: 'test',
    }).then(() => undefined, (e: unknown) => e as Error)
    await db.close()
    expect(err?.message).toMatch(/PostgreSQL at test refused the platform \(3D000: .*rh_no_such_database/)
    expect(Date.now() - t0).toBeLessThan(3000)
    expect(lines).toEqual([])
  })
})
