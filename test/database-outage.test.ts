// The PostgreSQL server goes away while the platform runs (a real server,
// stopped with pg_ctl): requests that need it answer 503 RH_UNAVAILABLE and
// write nothing, never 500; readiness (GET /health) turns 503 once an
// acknowledged event waits past its bound, while liveness (GET /health/live)
// stays 200, since restarting the process would not bring the database back.
// Once the server is back, everything answers again.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_PASSWORD } from '../platform/demo/demo-site.ts'
import { startPlatform, type RunningPlatform } from '../platform/starter.ts'
import { residentIdNumber } from './support/id-numbers.ts'
import { connectDevice } from './support/mqtt-device.ts'
import { freePort } from './support/platform-process.ts'
import { createThrowawayPostgres, throwawayPostgresWorks, type ThrowawayPostgres } from './support/throwaway-postgres.ts'
import { until } from './support/wait.ts'

const swipe = (n: number): string => JSON.stringify({
  eventId: `outage-${n}`, seq: n, ts: new Date().toISOString(), door: 'main-gate', direction: 'in',
  credential: { kind: 'card', value: `DEAD${String(n).padStart(4, '0')}` }, result: 'denied', reason: 'unknown_credential',
})

describe.skipIf(!throwawayPostgresWorks)('the database goes away while the platform runs', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rh-db-outage-'))
  let pg: ThrowawayPostgres
  let platform: RunningPlatform
  const tokens: Record<string, string> = {}

  beforeAll(async () => {
    pg = createThrowawayPostgres(await freePort())
    pg.start()
    platform = (await startPlatform({
      dataDir, dataKey: 'c7'.repeat(32), env: { LOG_LEVEL: 'silent', DATABASE_URL: pg.url, HEALTH_EVENT_COPY_DELAY_MAX_S: '1' },
    })).platform
    for (const who of ['admin', 'landlord-li']) tokens[who] = (await platform.registry.users.login(who, DEMO_PASSWORD, '127.0.0.1')).token
  }, 60_000)
  afterAll(async () => {
    await platform?.stop()
    pg?.remove()
    rmSync(dataDir, { recursive: true, force: true })
  })

  const call = async (who: string | null, method: 'GET' | 'POST', url: string, payload?: object): Promise<{ status: number; body: any }> => {
    const r = await platform.app.inject({
      method, url, ...(who === null ? {} : { headers: { authorization: `Bearer ${tokens[who]}` } }), ...(payload === undefined ? {} : { payload }),
    })
    return { status: r.statusCode, body: r.body.length > 0 ? JSON.parse(r.body) : {} }
  }
  const registration = {
    resident: { name: 'Outage Tenant', idType: 'resident_id', idNumber: residentIdNumber(9001) },
    credentials: [{ kind: 'card', value: 'CA900100' }],
  }

  it('answers 503 RH_UNAVAILABLE and writes nothing; live stays 200 while ready is 503', async () => {
    const provisioned = await call('landlord-li', 'POST', '/buildings/demo-b1/devices', { door: 'main-gate', kind: 'reader', vendor: 'Acme Access', model: 'AR-200' })
    expect(provisioned.status).toBe(201)
    const device = provisioned.body.mqtt
    const client = await connectDevice(device)
    try {
      await client.publishAsync(device.publish[0], swipe(1), { qos: 1 })
      await until('ready', async () => (await call(null, 'GET', '/health')).status === 200, 10_000)
      expect(await call(null, 'GET', '/health/live')).toMatchObject({ status: 200, body: { status: 'live' } })

      pg.stop()
      const unavailable = {
        statusCode: 503, code: 'RH_UNAVAILABLE', error: 'Service Unavailable',
        message: 'the database cannot be reached right now; try again shortly',
      }
      expect(await call('admin', 'GET', '/buildings')).toEqual({ status: 503, body: unavailable })
      expect(await call('landlord-li', 'POST', '/rooms/demo-b1-101/registrations', registration)).toEqual({ status: 503, body: unavailable })
      // A token this node has not validated cannot be judged either: 503, not 401.
      expect((await platform.app.inject({ method: 'GET', url: '/buildings', headers: { authorization: `Bearer ${'x'.repeat(43)}` } })).statusCode).toBe(503)

      // An event acknowledged now (journal first) waits for the database: not ready, but alive.
      await client.publishAsync(device.publish[0], swipe(2), { qos: 1 })
      await until('not ready', async () => (await call(null, 'GET', '/health')).status === 503, 10_000)
      expect((await call(null, 'GET', '/health')).body.reasons).toContain('event_copy_behind')
      const live = await call(null, 'GET', '/health/live')
      expect(live).toMatchObject({ status: 200, body: { status: 'live' } })

      pg.start()
      await until('ready again', async () => (await call(null, 'GET', '/health')).status === 200, 20_000)
      expect((await call('admin', 'GET', '/buildings')).status).toBe(200)
      const rooms = await call('landlord-li', 'GET', '/rooms/demo-b1-101/registrations')
      expect(rooms.status).toBe(200)
      expect(JSON.stringify(rooms.body)).not.toContain('Outage Tenant')
    } finally {
      client.end(true)
    }
  }, 90_000)
})
