// npm run bench:event-log — how many events per second the durable event log
// alone takes (batches of `--batch` concurrent appends), on the embedded
// database and on the PostgreSQL server, with no broker and no pipeline: how
// fast appends are acknowledged (the journal's group commit) and how fast the
// indexer copies them into the database (appends wait once it is 100,000
// behind, so that is the sustained rate). The last line of output is one JSON
// object.

import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import type { AcceptedMessage } from '../../platform/broker/ports.ts'
import { EventLog } from '../../platform/events/event-log.ts'
import type { Database } from '../../platform/store/database.ts'
import { migrate } from '../../platform/store/migrate.ts'
import { PgliteDatabase } from '../../platform/store/pglite-database.ts'
import { openTestDatabase } from '../support/databases.ts'

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}
const EVENTS = arg('events', 60_000)
const BATCH = arg('batch', 200)

async function measure (db: Database): Promise<{ acked: number; indexed: number }> {
  const journalDir = mkdtempSync(join(tmpdir(), 'rh-log-bench-journal-'))
  const log = await EventLog.open(db, { dir: journalDir, logger: pino({ level: 'warn' }, pino.destination(2)) })
  let seq = 0
  const t0 = performance.now()
  for (let i = 0; i < EVENTS / BATCH; i++) {
    const appends: Array<Promise<unknown>> = []
    for (let j = 0; j < BATCH; j++) {
      seq++
      const m = {
        buildingId: 'bench-b', deviceId: `dev-${j}`, channel: 'event/access', receivedAt: Date.now(),
        payload: {
          eventId: `e-${seq}`, seq, ts: new Date().toISOString(), door: 'main-gate', direction: 'in',
          credential: { kind: 'card', value: '04A1B2C3', credentialId: `cred-${j}` }, result: 'granted',
        },
      } as AcceptedMessage
      appends.push(log.append(m))
    }
    await Promise.all(appends)
  }
  const acked = Math.round(EVENTS / ((performance.now() - t0) / 1000))
  await log.caughtUp()
  const indexed = Math.round(EVENTS / ((performance.now() - t0) / 1000))
  await log.close()
  rmSync(journalDir, { recursive: true, force: true })
  return { acked, indexed }
}

const dir = mkdtempSync(join(tmpdir(), 'rh-log-bench-'))
const embedded = await PgliteDatabase.open(join(dir, 'db'))
await migrate(embedded)
const pglite = await measure(embedded)
await embedded.close()
rmSync(dir, { recursive: true, force: true })
const server = await openTestDatabase('postgres')
const postgres = await measure(server.db)
await server.dispose()
console.log(`PGlite      acknowledged ${pglite.acked}/s, in the database ${pglite.indexed}/s`)
console.log(`PostgreSQL  acknowledged ${postgres.acked}/s, in the database ${postgres.indexed}/s`)
console.log(JSON.stringify({ pglite_events_per_s: pglite.indexed, pglite_acked_per_s: pglite.acked, postgres_events_per_s: postgres.indexed, postgres_acked_per_s: postgres.acked, events: EVENTS, batch: BATCH, cpus: cpus().length, node: process.version }))
