// The typed client and the live-stream reader against a real listening
// platform: login with the session token, calls typed by the contract,
// errors with the platform's code, the alert stream over a ticket, and
// close() while the stream is reconnecting (behind a proxy that drops it).

import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { candidate } from '../platform/alerts/alerts.test-kit.ts'
import { DEMO_PASSWORD } from '../platform/demo/demo-site.ts'
import { startTestPlatform, type TestPlatform } from '../test/support/platform.ts'
import { until } from '../test/support/wait.ts'
import { ApiClient, ApiError } from './client.ts'
import { LiveStreamReader } from './live-stream-reader.ts'

interface Proxy {
  base: string
  /** Stream responses open through it. */
  readonly streams: Set<ServerResponse>
  /** Drops every stream connection, as a proxy that restarts would. */
  dropStreams (): void
  close (): Promise<void>
}

/** A plain HTTP proxy in front of the platform; `before` runs as each request arrives, before it is passed on. */
async function proxy (target: string, before: (req: IncomingMessage) => void): Promise<Proxy> {
  const streams = new Set<ServerResponse>()
  const server = createServer((req, res) => {
    before(req)
    if (req.url?.startsWith('/alerts/stream?') === true) {
      streams.add(res)
      res.on('close', () => streams.delete(res))
    }
    const up = request(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers)
      r.pipe(res)
    })
    up.on('error', () => res.destroy())
    res.on('close', () => up.destroy())
    req.pipe(up)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    streams,
    dropStreams () { for (const res of streams) res.destroy() },
    async close () {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

describe('ApiClient', () => {
  let tp: TestPlatform
  let base: string
  beforeAll(async () => {
    tp = await startTestPlatform('pglite')
    base = tp.platform.addresses.api.replace('localhost', '127.0.0.1')
  }, 60_000)
  afterAll(async () => { await tp?.dispose() })

  it('logs in, calls routes typed by the contract, logs out', async () => {
    const li = await ApiClient.login(base, 'landlord-li', DEMO_PASSWORD)
    expect(li.token).toMatch(/.{20,}/)
    const me = await li.request('GET /auth/me')
    expect(me).toMatchObject({ username: 'landlord-li', role: 'landlord' })
    const buildings = await li.request('GET /buildings')
    expect(buildings.length).toBeGreaterThan(0)
    const b = buildings[0]!
    const room = await li.request('POST /buildings/:id/rooms', { params: { id: b.id }, body: { number: 'C-1', capacity: 2 } })
    expect(room).toMatchObject({ buildingId: b.id, number: 'C-1', capacity: 2, registered: 0 })
    expect((await li.request('GET /rooms/:id', { params: { id: room.id } })).id).toBe(room.id)
    const page = await li.request('GET /alerts', { query: { status: 'live', limit: 5 } })
    expect(page).toMatchObject({ items: expect.any(Array) })
    expect(li.calls).toBe(6)
    await li.logout()
    expect(li.token).toBe('')
  })

  it('answers refusals with ApiError carrying the status and the platform\'s code', async () => {
    const anon = new ApiClient(base)
    expect(await anon.request('GET /health/live')).toMatchObject({ status: 'live' })
    await expect(anon.request('GET /auth/me')).rejects.toMatchObject({ name: 'ApiError', status: 401, code: 'RH_UNAUTHENTICATED', route: 'GET /auth/me' })
    await expect(ApiClient.login(base, 'landlord-li', 'wrong-password')).rejects.toBeInstanceOf(ApiError)
    const li = await ApiClient.login(base, 'landlord-li', DEMO_PASSWORD)
    await expect(li.request('GET /buildings/:id', { params: { id: 'no-such-building' } })).rejects.toMatchObject({ status: 404, code: 'RH_NOT_FOUND' })
    await expect(li.call('POST', '/buildings', { name: 'x' })).rejects.toMatchObject({ status: 400, code: 'RH_VALIDATION' })
  })

  it('reads the live stream over a ticket: alerts of its scope, then the platform\'s close', async () => {
    const police = await ApiClient.login(base, 'police-zumiao', DEMO_PASSWORD)
    const stream = await police.liveStream({ keep: true })
    expect(stream.status).toBe(200)
    expect(stream.contentType).toMatch(/^text\/event-stream/)
    const raised = (await tp.platform.alerts.raise(candidate('demo-b1', { dedupKey: 'client-stream' })))!.alert
    await until('the alert comes on the stream', () => stream.alertIds().includes(raised.id))
    expect(stream.messages.find((m) => m.event === 'alert')).toMatchObject({ data: { kind: 'opened', alert: { id: raised.id, buildingId: 'demo-b1' } } })
    expect(stream.comments).toBeGreaterThanOrEqual(1) // ": connected"
    stream.close()
    await stream.done
    expect(stream.ended).toBe(true)
  })

  it('reconnects a dropped stream after the stream\'s retry delay, with a new ticket, and says so for a resync', async () => {
    const police = await ApiClient.login(base, 'police-zumiao', DEMO_PASSWORD)
    let resyncs = 0
    const stream = await police.liveStream({ keep: true, reconnect: true, onReconnect: () => { resyncs++ } })
    // The connection drops (a proxy restarts, say) while the platform runs on.
    tp.platform.app.server.closeAllConnections()
    await until('the reader reconnects', () => stream.reconnects === 1, 10_000)
    expect(resyncs).toBe(1)
    const raised = (await tp.platform.alerts.raise(candidate('demo-b1', { dedupKey: 'client-reconnect' })))!.alert
    await until('the alert comes on the new connection', () => stream.alertIds().includes(raised.id))
    stream.close()
    await stream.done
    expect(stream.reconnects).toBe(1)
  })

  it('ends for good when closed while a reconnect takes its ticket: no new connection is opened', async () => {
    const police = await ApiClient.login(base, 'police-zumiao', DEMO_PASSWORD)
    let stream: LiveStreamReader | undefined
    let ticketsAfterDrop = 0
    const p = await proxy(base, (req) => {
      if (stream === undefined || req.method !== 'POST' || req.url !== '/alerts/stream/ticket') return
      ticketsAfterDrop++
      stream.close() // the ticket request is then passed on and answered
    })
    try {
      stream = await LiveStreamReader.open({ base: p.base, token: police.token, reconnect: true })
      p.dropStreams()
      await until('the reader ends', () => stream!.ended, 8_000) // after the stream's 3 s retry delay
      expect(ticketsAfterDrop).toBe(1)
      expect(stream.reconnects).toBe(0)
      await until('no stream is open through the proxy', () => p.streams.size === 0, 1_000)
    } finally {
      stream?.close()
      await p.close()
    }
  }, 15_000)

  it('ends at once when closed during the retry delay', async () => {
    const police = await ApiClient.login(base, 'police-zumiao', DEMO_PASSWORD)
    let opened = 0
    const p = await proxy(base, (req) => { if (req.url?.startsWith('/alerts/stream?') === true) opened++ })
    let stream: LiveStreamReader | undefined
    try {
      stream = await LiveStreamReader.open({ base: p.base, token: police.token, reconnect: true })
      p.dropStreams()
      await until('the connection is gone', () => p.streams.size === 0)
      await new Promise((resolve) => setTimeout(resolve, 200)) // the reader is in its 3 s delay now
      const t0 = Date.now()
      stream.close()
      await stream.done
      expect(Date.now() - t0).toBeLessThan(1_000)
      expect(opened).toBe(1)
    } finally {
      stream?.close()
      await p.close()
    }
  })

  it('refuses a stream to vendors with ApiError 403', async () => {
    const vendor = await ApiClient.login(base, 'vendor-acme', DEMO_PASSWORD)
    await expect(vendor.liveStream()).rejects.toMatchObject({ status: 403, code: 'RH_FORBIDDEN' })
  })
})
