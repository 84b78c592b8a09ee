// The platform started in this process on embedded defaults (PGlite in a
// temporary data directory; or a scratch database on the local PostgreSQL
// server), on ephemeral ports on 127.0.0.1, with an administrator account for
// the load tools, and a probe that reads its counters and times every event:
// device timestamp → pipeline decision (the rules have judged it) and
// → alert committed. Everything is removed again by `stop()`.

import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import pino from 'pino'
import { loadConfig } from '../../platform/config.ts'
import { Platform } from '../../platform/platform.ts'
import { LatencyHistogram, type HistogramData } from './histogram.ts'
import { selfSample, type ProcessSample } from './process-stats.ts'

export type DatabaseChoice = 'pglite' | 'postgres'

export const PG_URL = process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

export interface PlatformProbe extends ProcessSample {
  /** Events judged by the pipeline. */
  processed: number
  /** Alert candidates committed, and alerts opened. */
  committed: number
  opened: number
  decision: HistogramData
  committedLatency: HistogramData
  /** Events the event log has copied into the database, and journaled events not copied yet. */
  inDatabase: number
  behind: number
}

export interface EmbeddedPlatform {
  platform: Platform
  api: string
  mqtt: string
  admin: { username: string; password: string }
  /** The master key of ID numbers (DATA_KEY), for a second Registry on the same database. */
  dataKey: string
  database: DatabaseChoice
  /** Counters now, with the latencies recorded since the previous call. */
  probe (): PlatformProbe
  stop (): Promise<void>
}

/** A throw-away database on the PostgreSQL server; `drop` removes it. */
async function scratchDatabase (): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `rh_load_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: PG_URL })
  try {
    await admin.connect()
  } catch (err) {
    throw new Error(`PostgreSQL is not reachable at ${PG_URL} (${(err as Error).message}); set PG_TEST_URL`)
  }
  await admin.query(`create database ${name}`)
  await admin.end()
  const url = new URL(PG_URL)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_URL })
      await c.connect()
      await c.query(`drop database if exists ${name} with (force)`)
      await c.end()
    },
  }
}

export async function startEmbeddedPlatform (o: { database?: DatabaseChoice; env?: Record<string, string> } = {}): Promise<EmbeddedPlatform> {
  const database = o.database ?? 'pglite'
  const dataDir = mkdtempSync(join(tmpdir(), 'rh-load-'))
  const scratch = database === 'postgres' ? await scratchDatabase() : undefined
  const removeDir = (): void => rmSync(dataDir, { recursive: true, force: true })
  // Whatever happens to this process, the data directory goes with it.
  process.once('exit', removeDir)
  const cleanup = async (): Promise<void> => {
    await scratch?.drop()
    removeDir()
    process.off('exit', removeDir)
  }
  const dataKey = randomBytes(32).toString('hex')
  const config = loadConfig({
    HOST: '127.0.0.1', HTTP_PORT: '0', MQTT_PORT: '0', MQTT_WS_PORT: 'off', DATA_DIR: dataDir, DEMO: 'off',
    DATA_KEY: dataKey, LOG_LEVEL: 'warn',
    ...(scratch === undefined ? {} : { DATABASE_URL: scratch.url }),
    ...o.env,
  })
  const platform = new Platform(config, pino({ level: 'warn' }))
  const admin = { username: 'load-admin', password: randomBytes(12).toString('hex') }
  let addresses
  try {
    addresses = await platform.start()
    await platform.registry!.users.create(null, { username: admin.username, displayName: 'Load runner', role: 'admin', password: admin.password })
  } catch (err) {
    await platform.stop()
    await cleanup()
    throw err
  }

  let decision = new LatencyHistogram()
  let committedLatency = new LatencyHistogram()
  const accepted = platform.accepted$.subscribe((m) => {
    const ts = (m.payload as { ts?: string }).ts
    if (m.channel.startsWith('event/') && ts !== undefined) decision.record(Date.now() - Date.parse(ts))
  })
  const committed = platform.pipeline!.committed$.subscribe((batch) => {
    const now = Date.now()
    for (const c of batch) if (c.type === 'unknown_credential') committedLatency.record(now - c.at)
  })
  return {
    platform,
    api: addresses.api,
    mqtt: addresses.mqtt,
    admin,
    dataKey,
    database,
    probe () {
      const stored = platform.eventLog!.stats()
      const p: PlatformProbe = {
        ...selfSample(),
        processed: platform.pipeline!.counters.events,
        committed: platform.pipeline!.counters.committed,
        opened: platform.alerts!.counters.opened,
        decision: decision.toJSON(),
        committedLatency: committedLatency.toJSON(),
        inDatabase: stored.inDatabase,
        behind: stored.behind,
      }
      decision = new LatencyHistogram()
      committedLatency = new LatencyHistogram()
      return p
    },
    async stop () {
      accepted.unsubscribe()
      committed.unsubscribe()
      await platform.stop()
      await cleanup()
    },
  }
}
