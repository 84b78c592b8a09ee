// A whole platform for integration tests: real broker on ephemeral ports on
// 127.0.0.1, real API, a fresh migrated database of the given kind, the demo
// site plus a second jurisdiction with its own grid worker, police and vendor.

import pino, { type Logger } from 'pino'
import { DEMO_PASSWORD } from '../../platform/demo/demo-site.ts'
import type { PlatformOptions, RunningPlatform } from '../../platform/platform.ts'
import { startPlatform, type EmbeddedPlatform } from '../../platform/starter.ts'
import type { Actor } from '../../platform/registry/access.ts'
import { openTestDatabase, type DatabaseKind, type TestDatabase } from './databases.ts'
import type { MqttDetails } from './mqtt-device.ts'

export const OTHER_ACCOUNTS = [
  { username: 'grid-zhou', displayName: 'Zhou (grid worker, other community)', role: 'grid_worker', areaId: 'other-community' },
  { username: 'police-other', displayName: 'Other police station', role: 'police', areaId: 'other-street' },
  { username: 'vendor-other', displayName: 'Other vendor', role: 'vendor', organisation: 'Other Devices' },
] as const

export interface TestPlatform {
  platform: RunningPlatform
  mqttUrl: string
  wsUrl: string
  /** Bearer tokens by username (demo accounts and OTHER_ACCOUNTS). */
  tokens: Record<string, string>
  userIds: Record<string, string>
  /**
   * Stops the platform and starts a new one on the same database and data directory, as after a restart
   * (`registryClock`: the time the new registry lives in); tokens are issued afresh.
   */
  restart (o?: { registryClock?: () => number }): Promise<void>
  dispose (): Promise<void>
}

export interface ApiResponse {
  status: number
  // Tests read whatever field they check; the route schemas are tested elsewhere.
  body: any
}

/** Calls the API in-process (app.inject) as `who`, a username of `tp.tokens`, or with no token when null. */
export async function callApi (tp: TestPlatform, who: string | null, method: string, url: string, payload?: unknown): Promise<ApiResponse> {
  const headers: Record<string, string> = who === null ? {} : { authorization: `Bearer ${tp.tokens[who]}` }
  const r = await tp.platform.app.inject({ method: method as 'GET', url, headers, ...(payload === undefined ? {} : { payload: payload as object }) })
  return { status: r.statusCode, body: r.body.length > 0 ? JSON.parse(r.body) : {} }
}

/**
 * Provisions a reader at the main gate of a building, as `who`; returns its MQTT connection details. Only
 * administrators choose the id; for anyone else leave it out and read `clientId`.
 */
export async function provisionReader (tp: TestPlatform, who: string, buildingId: string, id?: string): Promise<MqttDetails> {
  const r = await callApi(tp, who, 'POST', `/buildings/${buildingId}/devices`, { ...(id === undefined ? {} : { id }), door: 'main-gate', kind: 'reader', vendor: 'Acme Access', model: 'AR-200' })
  if (r.status !== 201) throw new Error(`provisioning ${id ?? 'a reader'} in ${buildingId} as ${who}: ${r.status} ${JSON.stringify(r.body)}`)
  return r.body.mqtt as MqttDetails
}

export interface TestPlatformOptions {
  /** More settings (RULE_* for instance), on top of the test defaults. */
  env?: Record<string, string>
  /** The platform's logger; default silent. */
  logger?: Logger
  /** Pipeline timing and clock (see Platform). */
  pipeline?: PlatformOptions['pipeline']
}

export async function startTestPlatform (kind: DatabaseKind = 'pglite', o: TestPlatformOptions = {}): Promise<TestPlatform> {
  const t: TestDatabase = await openTestDatabase(kind)
  let embedded: EmbeddedPlatform
  try {
    embedded = await startPlatform({
      database: { given: t.db },
      dataKey: 'a3'.repeat(32),
      env: { MQTT_WS_PORT: '0', LOG_LEVEL: 'silent', ...o.env },
      logger: o.logger ?? pino({ level: 'silent' }),
      ...(o.pipeline === undefined ? {} : { pipeline: o.pipeline }),
    })
  } catch (err) {
    await t.dispose()
    throw err
  }
  const platform = embedded.platform
  const registry = platform.registry
  const adminRow = await t.db.query<{ id: string }>(`select id from users where username = 'admin'`)
  const root: Actor = { id: adminRow.rows[0]!.id, role: 'admin', username: 'admin' }
  await registry.areas.create(root, { id: 'other-district', kind: 'district', name: 'Other district' })
  await registry.areas.create(root, { id: 'other-street', parentId: 'other-district', kind: 'street', name: 'Other street' })
  await registry.areas.create(root, { id: 'other-community', parentId: 'other-street', kind: 'community', name: 'Other community' })
  await registry.areas.create(root, { id: 'other-grid', parentId: 'other-community', kind: 'grid', name: 'Other grid' })
  for (const a of OTHER_ACCOUNTS) await registry.users.create(root, { ...a, password: DEMO_PASSWORD })

  const tp: TestPlatform = {
    platform,
    mqttUrl: '',
    wsUrl: '',
    tokens: {},
    userIds: {},
    async restart (r = {}) {
      tp.platform = await embedded.restart(r)
      await connect(tp)
    },
    async dispose () {
      try {
        await embedded.stop()
      } finally {
        await t.dispose()
      }
    },
  }
  await connect(tp)
  return tp
}

/** Logs every account in and notes where the broker listens. */
async function connect (tp: TestPlatform): Promise<void> {
  const registry = tp.platform.registry
  const users = await tp.platform.db.query<{ id: string; username: string }>('select id, username from users')
  for (const u of users.rows) {
    const s = await registry.users.login(u.username, DEMO_PASSWORD, '127.0.0.1')
    tp.tokens[u.username] = s.token
    tp.userIds[u.username] = u.id
  }
  const a = tp.platform.broker.addresses()
  tp.mqttUrl = `mqtt://127.0.0.1:${a.tcp.port}`
  tp.wsUrl = `ws://127.0.0.1:${a.ws!.port}${a.ws!.path}`
}
