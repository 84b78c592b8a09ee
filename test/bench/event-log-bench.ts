// npm run bench:event-log — how many events per second the durable event log
// alone takes (group commit, batches of `--batch` concurrent appends), on the
// embedded database and on the PostgreSQL server, with no broker and no
// pipeline: the ceiling the database puts on the whole pipeline. The last
// line of output is one JSON object.

import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
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

async function measure (db: Database): Promise<number> {
  const log = new EventLog(db)
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
  const rate = Math.round(EVENTS / ((performance.now() - t0) / 1000))
  await log.close()
  return rate
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
console.log(JSON.stringify({ pglite_events_per_s: pglite, postgres_events_per_s: postgres, events: EVENTS, batch: BATCH, cpus: cpus().length, node: process.version }))
