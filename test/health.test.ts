// GET /health is what a load balancer or a supervisor watches: it must say
// 503 when the platform cannot do its job although every part is running:
// the event journal has failed (nothing can be acknowledged), alerts wait to
// be committed, or events wait to be copied into the database, past a bound.
// It stays public and tells reasons and figures, never details.

import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PG_TEST_URL } from './support/databases.ts'
import { callApi, provisionReader, startTestPlatform, type TestPlatform } from './support/platform.ts'
import { mountTinyDisk, tinyDisksWork, type TinyDisk } from './support/tiny-disk.ts'
import { connectDevice } from './support/mqtt-device.ts'
import { until } from './support/wait.ts'

const swipe = (n: number, card = `DEAD${String(n).padStart(4, '0')}`): string => JSON.stringify({
  eventId: `health-${n}`, seq: n, ts: new Date().toISOString(), door: 'main-gate', direction: 'in',
  credential: { kind: 'card', value: card }, result: 'denied', reason: 'unknown_credential',
})

const health = async (tp: TestPlatform): Promise<{ status: number; body: Record<string, unknown> }> => {
  const r = await tp.platform.app.inject({ method: 'GET', url: '/health' })
  return { status: r.statusCode, body: JSON.parse(r.body) as Record<string, unknown> }
}

// Needs root to mount a tmpfs for DATA_DIR (skipped otherwise): a journal that really fills up.
describe.skipIf(!tinyDisksWork)('health after the journal failed', () => {
  let disk: TinyDisk
  let tp: TestPlatform
  beforeAll(async () => {
    disk = mountTinyDisk(48 * 1024)
    tp = await startTestPlatform('pglite', { env: { DATA_DIR: disk.dir } })
  }, 60_000)
  afterAll(async () => { await tp?.dispose(); disk?.remove() })

  it('answers 503 journal_failed once nothing can be acknowledged', async () => {
    expect(await health(tp)).toMatchObject({ status: 200, body: { status: 'ok', reasons: [] } })
    const device = await provisionReader(tp, 'landlord-li', 'demo-b1')
    let n = 0
    let refused = false
    while (!refused && n < 2000) {
      const client = await connectDevice(device)
      try {
        for (let i = 0; i < 50 && !refused; i++) {
          n++
          const acked = await Promise.race([
            client.publishAsync(device.publish[0]!, swipe(n), { qos: 1 }).then(() => true, () => false),
            new Promise<boolean>((r) => client.once('close', () => r(false))),
          ])
          if (!acked) refused = true
        }
      } finally {
        client.end(true)
      }
    }
    expect(refused).toBe(true)
    const h = await health(tp)
    expect(h.status).toBe(503)
    expect(h.body).toMatchObject({ status: 'unhealthy', broker: true, registry: true, pipeline: true, reasons: ['journal_failed'] })
    // Public, so nothing beyond the reason: no error text, no path.
    expect(JSON.stringify(h.body)).not.toMatch(/ENOSPC|space|\/tmp/)
    const stats = await callApi(tp, 'admin', 'GET', '/broker/stats')
    expect(stats.body.eventLog).toMatchObject({ journalFailed: true, journalError: 'ENOSPC' })
  })
})

describe('health while the database holds the commits up (PostgreSQL)', () => {
  let tp: TestPlatform
  let locker: pg.Client
  beforeAll(async () => {
    tp = await startTestPlatform('postgres', { env: { HEALTH_ALERT_DELAY_MAX_S: '1', HEALTH_EVENT_COPY_DELAY_MAX_S: '1' } })
  }, 60_000)
  afterAll(async () => { await locker?.end().catch(() => {}); await tp?.dispose() })

  it('answers 503 while alerts and events wait past their bounds, and 200 again once they are written', async () => {
    const device = await provisionReader(tp, 'landlord-li', 'demo-b1')
    const client = await connectDevice(device)
    await client.publishAsync(device.publish[0]!, swipe(1), { qos: 1 })
    await until('health 200', async () => (await health(tp)).status === 200)
    // Another session holds both tables: the alert commit and the event copy wait on it (a stuck server).
    const url = new URL(PG_TEST_URL)
    url.pathname = `/${(await tp.platform.db.query<{ name: string }>('select current_database() as name')).rows[0]!.name}`
    locker = new pg.Client({ connectionString: url.toString() })
    await locker.connect()
    await locker.query('begin')
    await locker.query('lock table alerts, events in access exclusive mode')
    await client.publishAsync(device.publish[0]!, swipe(2), { qos: 1 })
    const behind = async (): Promise<boolean> => {
      const h = await health(tp)
      const reasons = h.body.reasons as string[]
      return h.status === 503 && reasons.includes('alert_commit_behind') && reasons.includes('event_copy_behind')
    }
    await until('health 503 with both reasons', behind, 10_000)
    const h = await health(tp)
    expect(h.body).toMatchObject({ status: 'unhealthy', reasons: ['event_copy_behind', 'alert_commit_behind'] })
    expect(h.body.figures).toMatchObject({ eventsBehind: 1, uncommittedAlerts: expect.any(Number) })
    await locker.query('rollback')
    await until('health 200 again', async () => (await health(tp)).status === 200, 10_000)
    expect((await health(tp)).body).toMatchObject({ status: 'ok', reasons: [], figures: { eventsBehind: 0, uncommittedAlerts: 0 } })
    await client.endAsync(true)
  })
})
