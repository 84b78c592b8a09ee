// The alert and webhook routes on a real listening Fastify instance (same
// auth plugin and error shape as the app), with a real platform's accounts and
// database; the SSE stream is read by a real HTTP client.

import type { AddressInfo } from 'node:net'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { callApi, startTestPlatform, type TestPlatform } from '../../test/support/platform.ts'
import { ApiClient } from '../../contract/client.ts'
import { LiveStreamReader } from '../../contract/live-stream-reader.ts'
import { authPlugin } from '../api/auth.ts'
import { alertRoutes } from '../api/routes/alerts.ts'
import { webhookRoutes } from '../api/routes/webhooks.ts'
import { isAppError } from '../errors.ts'
import { AlertService } from './alert-service.ts'
import { candidate } from './alerts.test-kit.ts'
import { LiveStream } from './live-stream.ts'
import { webhookSecretSealer } from './signature.ts'
import { Webhooks } from './webhooks.ts'

const until = async (what: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> => {
  const end = Date.now() + ms
  while (!await what()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 20))
  }
}

let tp: TestPlatform
let app: FastifyInstance
let base: string
let alerts: AlertService
let live: LiveStream

beforeAll(async () => {
  // Webhook receivers of tests listen on loopback: the development setting allows them.
  tp = await startTestPlatform('pglite', { env: { WEBHOOK_ALLOW_INSECURE_LOCAL: 'on' } })
  const registry = tp.platform.registry
  const root = { id: tp.userIds.admin!, role: 'admin' as const, username: 'admin' }
  await registry.buildings.create(root, { id: 'other-b1', gridId: 'other-grid', name: 'Other 1', address: 'Other road 1', landlordId: tp.userIds['landlord-wang']! })
  alerts = new AlertService({ db: tp.platform.db })
  live = new LiveStream({ changes$: alerts.changes$, maxBuffer: 20 })
  live.start()
  const f = Fastify({ ajv: { customOptions: { removeAdditional: false, allErrors: false } } }).withTypeProvider<TypeBoxTypeProvider>()
  f.setErrorHandler((err: FastifyError, _req, reply) => {
    const status = isAppError(err) ? err.statusCode ?? 400 : err.validation !== undefined ? 400 : err.statusCode ?? 500
    const code = isAppError(err) ? err.code : err.validation !== undefined ? 'RH_VALIDATION' : 'RH_INTERNAL'
    return reply.status(status).send({ statusCode: status, code, error: 'error', message: err.message })
  })
  await f.register(authPlugin, { users: registry.users })
  await f.register(alertRoutes, { alerts, live, users: registry.users, tickets: registry.streamTickets, heartbeatMs: 150 })
  await f.register(webhookRoutes, { webhooks: new Webhooks({ db: tp.platform.db, secrets: webhookSecretSealer('5e'.repeat(32)), targets: { allowInsecureLocal: true } }) })
  await f.listen({ host: '127.0.0.1', port: 0 })
  app = f
  base = `http://127.0.0.1:${(f.server.address() as AddressInfo).port}`
}, 120_000)

let appClosed = false
afterAll(async () => {
  live?.stop()
  if (!appClosed) await app?.close()
  await tp?.dispose()
})

async function call (who: string | null, method: string, url: string, payload?: unknown) {
  const headers: Record<string, string> = who === null ? {} : { authorization: `Bearer ${tp.tokens[who]}` }
  const r = await app.inject({ method: method as 'GET', url, headers, ...(payload === undefined ? {} : { payload: payload as object }) })
  return { status: r.statusCode, body: (r.body.length > 0 ? r.json() : {}) as Record<string, unknown> }
}

/** The live stream with `token` as the bearer header, or, `ticket`, the way a browser does; every message kept. */
const openStream = async (token?: string, auth: 'header' | 'ticket' = 'header', query?: Record<string, string>): Promise<LiveStreamReader> =>
  await LiveStreamReader.open({ base, ...(token === undefined ? {} : { token }), auth, keep: true, ...(query === undefined ? {} : { query }) })

describe('GET /alerts/stream (Server-Sent Events)', () => {
  it('streams each console only the alerts of its scope, with heartbeats; token by header or by stream ticket', async () => {
    const li = await openStream(tp.tokens['landlord-li'])
    const wang = await openStream(tp.tokens['landlord-wang'], 'ticket')
    const police = await openStream(tp.tokens['police-zumiao'])
    const other = await openStream(tp.tokens['police-other'], 'ticket')
    expect([li.status, wang.status, police.status, other.status]).toEqual([200, 200, 200, 200])
    expect(li.contentType).toMatch(/^text\/event-stream/)
    await until(() => live.size === 4)

    const a1 = (await alerts.raise(candidate('demo-b1', { dedupKey: 'sse-b1' })))!.alert
    const a2 = (await alerts.raise(candidate('demo-b2', { dedupKey: 'sse-b2' })))!.alert
    const a3 = (await alerts.raise(candidate('other-b1', { dedupKey: 'sse-other' })))!.alert
    await alerts.raise(candidate('demo-b1', { dedupKey: 'sse-b1' }))
    await alerts.acknowledge({ id: tp.userIds['police-zumiao']!, role: 'police', username: 'police-zumiao', areaPath: '/chancheng/zumiao/' }, a1.id)
    await until(() => li.alertIds().length === 3 && police.alertIds().length === 4 && wang.alertIds().length === 2 && other.alertIds().length === 1)
    await until(() => li.comments >= 2) // connected + at least one heartbeat
    expect(li.alertIds()).toEqual([a1.id, a1.id, a1.id])
    expect(li.messages.map((e) => (e.data as { kind: string }).kind)).toEqual(['opened', 'updated', 'acknowledged'])
    expect((li.messages[1]!.data as { alert: { count: number } }).alert.count).toBe(2)
    expect(wang.alertIds()).toEqual([a2.id, a3.id])
    expect(police.alertIds()).toEqual([a1.id, a2.id, a1.id, a1.id])
    expect(other.alertIds()).toEqual([a3.id])
    for (const c of [li, wang, police, other]) c.close()
    await until(() => live.size === 0)
  })

  it('refuses missing and unknown tokens and tickets (401) and vendors (403)', async () => {
    await expect(openStream()).rejects.toMatchObject({ status: 401, code: 'RH_UNAUTHENTICATED' })
    await expect(openStream('x'.repeat(40))).rejects.toMatchObject({ status: 401 })
    await expect(LiveStreamReader.open({ base, ticket: 'x'.repeat(43) })).rejects.toMatchObject({ status: 401 })
    await expect(openStream(tp.tokens['vendor-acme'])).rejects.toMatchObject({ status: 403, code: 'RH_FORBIDDEN' })
    expect((await call('vendor-acme', 'POST', '/alerts/stream/ticket')).status).toBe(403)
    expect((await call(null, 'POST', '/alerts/stream/ticket')).status).toBe(401)
  })

  it('takes a stream ticket once, within 60 s, from the address that asked for it, never the session token in the URL', async () => {
    const token = tp.tokens['grid-chen']!
    const issued = await call('grid-chen', 'POST', '/alerts/stream/ticket')
    expect(issued).toMatchObject({ status: 201, body: { ticket: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), expiresAt: expect.any(String) } })
    expect(Date.parse(issued.body.expiresAt as string) - Date.now()).toBeLessThanOrEqual(60_000)
    const ticket = issued.body.ticket as string
    expect(ticket).not.toBe(token)
    const first = await LiveStreamReader.open({ base, ticket })
    expect(first.status).toBe(200)
    first.close()
    // Once only.
    await expect(LiveStreamReader.open({ base, ticket })).rejects.toMatchObject({ status: 401 })
    // From the address it was issued to (inject's 127.0.0.2 differs from this client's 127.0.0.1).
    const elsewhere = await app.inject({ method: 'POST', url: '/alerts/stream/ticket', headers: { authorization: `Bearer ${token}` }, remoteAddress: '127.0.0.2' })
    await expect(LiveStreamReader.open({ base, ticket: (elsewhere.json() as { ticket: string }).ticket })).rejects.toMatchObject({ status: 401 })
    // The session token itself is not accepted in the URL.
    await expect(openStream(undefined, 'header', { access_token: token })).rejects.toMatchObject({ status: 400, code: 'RH_BAD_REQUEST' })
  })

  it('ends a ticket with the session it came from', async () => {
    const session = await tp.platform.registry.users.login('landlord-wang', 'demo-password', '127.0.0.1')
    const { ticket } = await new ApiClient(base, session.token).streamTicket()
    await tp.platform.registry.users.logout(session.token)
    await expect(LiveStreamReader.open({ base, ticket })).rejects.toMatchObject({ status: 401 })
  })

  it('drops a console that stops reading, with event: close {reason: slow_consumer}', async () => {
    const slow = await openStream(tp.tokens.admin)
    await until(() => live.size === 1)
    slow.pause()
    const padding = 'x'.repeat(16_000)
    for (let i = 0; i < 2000 && live.counters.dropped === 0; i++) {
      await alerts.raiseMany(Array.from({ length: 10 }, (_, j) => candidate('demo-b2', { dedupKey: `slow-${i}-${j}`, explanation: padding })))
    }
    expect(live.counters.dropped).toBe(1)
    expect(live.size).toBe(0)
    slow.resume()
    await until(() => slow.ended, 15_000)
    expect(slow.messages[slow.messages.length - 1]).toEqual({ event: 'close', data: { reason: 'slow_consumer' } })
    expect(slow.alertIds().length).toBeGreaterThan(0)
  })
})

describe('alert routes', () => {
  it('lists, reads, acknowledges and resolves within scope, with coded errors', async () => {
    const b1 = (await alerts.raise(candidate('demo-b1', { dedupKey: 'rest-b1', type: 'tamper' })))!.alert
    const b2 = (await alerts.raise(candidate('demo-b2', { dedupKey: 'rest-b2', type: 'tamper' })))!.alert
    const mine = await call('landlord-li', 'GET', '/alerts?type=tamper&status=live')
    expect(mine.status).toBe(200)
    expect((mine.body.items as Array<{ id: string }>).map((a) => a.id)).toEqual([b1.id])
    expect((await call('landlord-li', 'GET', `/alerts/${b2.id}`)).status).toBe(404)
    expect((await call('vendor-acme', 'GET', '/alerts')).status).toBe(403)
    expect((await call(null, 'GET', '/alerts')).status).toBe(401)
    expect((await call('admin', 'GET', '/alerts?status=bogus')).body.code).toBe('RH_VALIDATION')
    expect((await call('landlord-li', 'POST', `/alerts/${b1.id}/acknowledge`, { note: 'seen' })).body).toMatchObject({ status: 'acknowledged' })
    expect((await call('landlord-li', 'POST', `/alerts/${b1.id}/acknowledge`, {})).body).toMatchObject({ statusCode: 409, code: 'RH_ILLEGAL_TRANSITION' })
    expect((await call('landlord-li', 'POST', `/alerts/${b1.id}/resolve`, { note: 'x', closureReason: 'real' })).status).toBe(403)
    // A grid worker acts on the alerts assigned to them.
    expect((await call('grid-chen', 'POST', `/alerts/${b1.id}/resolve`, { note: 'x', closureReason: 'real' })).body).toMatchObject({ statusCode: 403, code: 'RH_FORBIDDEN' })
    expect((await call('police-zumiao', 'POST', `/alerts/${b1.id}/assign`, { assigneeId: tp.userIds['grid-chen'] })).body).toMatchObject({ stage: 'dispatched' })
    expect((await call('grid-chen', 'POST', `/alerts/${b1.id}/resolve`, {})).status).toBe(400)
    expect((await call('grid-chen', 'POST', `/alerts/${b1.id}/resolve`, { note: 'visited, door fixed' })).body).toMatchObject({ code: 'RH_VALIDATION' })
    expect((await call('grid-chen', 'POST', `/alerts/${b1.id}/resolve`, { note: 'visited, door fixed', closureReason: 'real' })).body)
      .toMatchObject({ status: 'resolved', stage: 'archived', closureReason: 'real' })
    const got = await call('police-zumiao', 'GET', `/alerts/${b1.id}`)
    expect((got.body.history as Array<{ action: string }>).map((h) => h.action)).toEqual(['opened', 'acknowledged', 'assigned', 'resolved'])
    expect((await call('police-other', 'POST', `/alerts/${b1.id}/resolve`, { note: 'x', closureReason: 'real' })).status).toBe(404)
  })

  it('lets police and admins manage webhooks of their jurisdiction and see the delivery queue', async () => {
    const created = await call('police-zumiao', 'POST', '/webhooks', { url: 'http://127.0.0.1:9/hook', areaId: 'lianhua', minSeverity: 'major' })
    expect(created.status).toBe(201)
    expect(created.body.secret).toMatch(/^whsec_/)
    const id = (created.body.webhook as { id: string }).id
    expect((await call('police-other', 'POST', '/webhooks', { url: 'http://127.0.0.1:9/x', areaId: 'lianhua' })).status).toBe(404)
    expect((await call('landlord-li', 'POST', '/webhooks', { url: 'http://127.0.0.1:9/x', areaId: 'lianhua' })).status).toBe(403)
    expect((await call('admin', 'POST', '/webhooks', { url: 'ftp://x/y', areaId: 'lianhua' })).status).toBe(400)
    await alerts.raise(candidate('demo-b1', { dedupKey: 'hook-b1', severity: 'critical' }))
    const deliveries = await call('police-zumiao', 'GET', `/webhooks/${id}/deliveries?pending=true`)
    expect(deliveries.body).toEqual([expect.objectContaining({ event: 'alert.opened', attempts: 0, deliveredAt: null })])
    expect(((await call('admin', 'GET', '/webhooks')).body as unknown as Array<{ id: string; pending: number }>).find((w) => w.id === id)?.pending).toBe(1)
    expect((await call('police-other', 'GET', '/webhooks')).body).toEqual([])
    expect(JSON.stringify((await call('admin', 'GET', '/webhooks')).body)).not.toContain('whsec_')
    expect((await call('police-other', 'DELETE', `/webhooks/${id}`)).status).toBe(404)
    expect((await call('police-zumiao', 'DELETE', `/webhooks/${id}`)).status).toBe(204)
    expect((await call('police-zumiao', 'GET', `/webhooks/${id}/deliveries`)).status).toBe(404)
  })

  it('never takes the platform itself as a webhook target, even with the development setting on', async () => {
    const a = tp.platform.addresses
    const ports = [new URL(a.api).port, new URL(a.mqtt).port, new URL(a.mqttWs ?? '').port]
    for (const port of ports) {
      const r = await callApi(tp, 'admin', 'POST', '/webhooks', { url: `http://127.0.0.1:${port}/auth/login`, areaId: 'lianhua' })
      expect({ port, status: r.status, message: r.body.message }).toEqual({ port, status: 400, message: expect.stringContaining('a port of the platform itself') })
    }
    const metadata = await callApi(tp, 'police-zumiao', 'POST', '/webhooks', { url: 'https://169.254.169.254/latest/meta-data/', areaId: 'lianhua' })
    expect(metadata).toMatchObject({ status: 400, body: { code: 'RH_BAD_REQUEST', message: expect.stringContaining('not a public address') } })
    const audit = await callApi(tp, 'admin', 'GET', '/audit?action=webhook.refused')
    // Newest first; the earlier test's ftp:// URL was refused before these.
    expect((audit.body as Array<{ actorId: string; detail: { reason: string } }>).slice(0, 4).map((e) => [e.actorId, e.detail.reason])).toEqual([
      [tp.userIds['police-zumiao'], 'not a public address'],
      ...ports.map(() => [tp.userIds.admin, 'a port of the platform itself']),
    ])
  })
})

describe('shutdown', () => {
  it('ends open streams with event: close {reason: server_shutdown} so the app can close', async () => {
    const c = await openStream(tp.tokens['grid-chen'])
    await until(() => live.size === 1)
    appClosed = true
    const closing = app.close()
    // The stream ends at once; app.close() may then still wait for idle sockets the client's pool opened
    // without sending a request (Node reaps those at its headers timeout), which is not the stream's doing.
    await until(() => c.ended, 2000)
    await closing
    expect(c.messages).toEqual([{ event: 'close', data: { reason: 'server_shutdown' } }])
    expect(live.size).toBe(0)
  })
})
