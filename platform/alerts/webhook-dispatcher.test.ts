import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from '../../test/support/databases.ts'
import { AlertService } from './alert-service.ts'
import { candidate, seedAlertWorld, type AlertWorld } from './alerts.test-kit.ts'
import { verifySignature } from './signature.ts'
import { WebhookDispatcher } from './webhook-dispatcher.ts'
import { Webhooks } from './webhooks.ts'

interface Received { path: string; delivery: number; body: string; signature: string | undefined; timestamp: string | undefined; status: number; at: number }

/** A dispatch centre on a real socket: `mode` decides what each request gets. */
class Receiver {
  readonly requests: Received[] = []
  mode: 'down' | 'reset' | 'up' = 'up'
  /** Deliveries processed but answered 500 once (the response is "lost"): the dispatcher must send them again. */
  readonly flaky = new Set<number>()
  private server: Server | undefined
  url = ''

  async start (): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req).then(({ status, destroy }) => {
      if (destroy) { req.socket.destroy(); return }
      res.writeHead(status, { 'content-type': 'text/plain' }).end('ok')
    }))
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r))
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`
  }

  private async handle (req: IncomingMessage): Promise<{ status: number; destroy: boolean }> {
    const mode = this.mode
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const delivery = Number(req.headers['x-rh-delivery'])
    let status = mode === 'up' ? 200 : 503
    if (mode === 'up' && this.flaky.delete(delivery)) status = 500
    this.requests.push({
      path: req.url ?? '', delivery, body: Buffer.concat(chunks).toString('utf8'), status, at: Date.now(),
      signature: req.headers['x-rh-signature'] as string | undefined, timestamp: req.headers['x-rh-timestamp'] as string | undefined,
    })
    return { status, destroy: mode === 'reset' }
  }

  async stop (): Promise<void> {
    this.server?.closeAllConnections()
    await new Promise((r) => this.server?.close(r))
  }
}

const until = async (what: () => Promise<boolean>, ms = 20_000): Promise<void> => {
  const end = Date.now() + ms
  while (!await what()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 25))
  }
}

describe.each(DATABASE_KINDS)('WebhookDispatcher on %s', (kind) => {
  let t: TestDatabase
  let w: AlertWorld
  const receiver = new Receiver()
  beforeAll(async () => {
    t = await openTestDatabase(kind)
    w = await seedAlertWorld(t.db)
    await receiver.start()
  })
  afterAll(async () => { await receiver.stop(); await t?.dispose() })

  const dispatcher = (): WebhookDispatcher => new WebhookDispatcher({
    db: t.db, pollMs: 100, timeoutMs: 2000, backoff: { baseMs: 20, maxMs: 200 },
  })

  it('delivers every alert change once per delivery id, in order, signed, through an outage', async () => {
    const hooks = new Webhooks({ db: t.db })
    const d1 = await hooks.create(w.police, { url: `${receiver.url}/d1`, areaId: 'w-s1' })
    const d2 = await hooks.create(w.admin, { url: `${receiver.url}/d2`, areaId: 'w-d2', minSeverity: 'critical' })
    const secrets: Record<string, string> = { '/d1': d1.secret, '/d2': d2.secret }
    const disp = dispatcher()
    const alerts = new AlertService({ db: t.db, events: disp })
    disp.start()

    receiver.mode = 'down'
    const opened: string[] = []
    for (let i = 0; i < 10; i++) opened.push((await alerts.raise(candidate(i % 2 === 0 ? w.bA : w.bB, { dedupKey: `out-${i}` })))!.alert.id)
    await new Promise((r) => setTimeout(r, 400))
    receiver.mode = 'reset'
    for (let i = 10; i < 15; i++) opened.push((await alerts.raise(candidate(w.bA, { dedupKey: `out-${i}` })))!.alert.id)
    await new Promise((r) => setTimeout(r, 300))
    const seqs = (await t.db.query<{ seq: number }>('select seq from webhook_outbox order by seq')).rows.map((r) => r.seq)
    receiver.flaky.add(seqs[3]!).add(seqs[12]!)
    receiver.mode = 'up'
    await alerts.raise(candidate(w.bC, { dedupKey: 'out-c-major' }))
    await alerts.raise(candidate(w.bC, { dedupKey: 'out-c-critical', severity: 'critical' }))
    await alerts.acknowledge(w.police, opened[0]!, 'seen')
    await alerts.resolve(w.police, opened[0]!, 'done')
    await until(async () => (await t.db.query('select 1 from webhook_outbox where delivered_at is null')).rows.length === 0)
    await disp.stop()

    const outbox = (await t.db.query<{ seq: number; webhook_id: string; attempts: number }>(
      'select seq, webhook_id, attempts from webhook_outbox order by seq')).rows
    expect(outbox.filter((o) => o.webhook_id === d1.webhook.id)).toHaveLength(17) // 15 opened + acknowledged + resolved
    expect(outbox.filter((o) => o.webhook_id === d2.webhook.id)).toHaveLength(1) // only the critical one of jurisdiction 2
    for (const path of ['/d1', '/d2']) {
      const reqs = receiver.requests.filter((r) => r.path === path)
      const mine = outbox.filter((o) => o.webhook_id === (path === '/d1' ? d1 : d2).webhook.id).map((o) => o.seq)
      // Accepted exactly once per delivery id, every one of them.
      const accepted = reqs.filter((r) => r.status === 200).map((r) => r.delivery)
      expect(accepted).toEqual(mine)
      // Ordering: no request for a delivery before every earlier delivery was accepted.
      for (const r of reqs) {
        for (const earlier of mine.filter((s) => s < r.delivery)) {
          expect(reqs.some((x) => x.delivery === earlier && x.status === 200 && x.at <= r.at)).toBe(true)
        }
        expect(verifySignature(secrets[path]!, r.body, r.signature)).toBe(true)
        expect(Math.abs(Number(r.timestamp) - Date.now() / 1000)).toBeLessThan(120)
        expect(JSON.parse(r.body)).toMatchObject({ delivery: r.delivery, webhookId: expect.any(String), event: expect.any(String) })
      }
    }
    const d1Bodies = receiver.requests.filter((r) => r.path === '/d1' && r.status === 200).map((r) => JSON.parse(r.body) as { event: string; alert: { id: string; status: string } })
    expect(d1Bodies.slice(0, 15).map((b) => b.alert.id)).toEqual(opened)
    expect(d1Bodies.slice(15).map((b) => [b.event, b.alert.status])).toEqual([['alert.acknowledged', 'acknowledged'], ['alert.resolved', 'resolved']])
    // The flaky ones were sent again (same id, same body) and the outage cost retries.
    for (const s of [seqs[3]!, seqs[12]!]) {
      const sent = receiver.requests.filter((r) => r.delivery === s)
      expect(sent.filter((r) => r.status === 500)).toHaveLength(1)
      expect(new Set(sent.map((r) => r.body)).size).toBe(1)
    }
    expect(outbox[0]!.attempts).toBeGreaterThan(2)
    const deliveries = await hooks.deliveries(w.police, d1.webhook.id)
    expect(deliveries[0]).toMatchObject({ deliveredAt: expect.any(String), lastStatus: 200, lastError: null })
    await expect(hooks.deliveries(w.policeOther, d1.webhook.id)).rejects.toMatchObject({ code: 'RH_NOT_FOUND' })
    await hooks.remove(w.police, d1.webhook.id)
    await hooks.remove(w.admin, d2.webhook.id)
  })

  it('keeps undelivered rows across a stop and delivers them after a restart', async () => {
    const hooks = new Webhooks({ db: t.db })
    const h = await hooks.create(w.admin, { url: `${receiver.url}/restart`, areaId: 'w-d1' })
    receiver.mode = 'down'
    const first = dispatcher()
    const alerts = new AlertService({ db: t.db, events: first })
    first.start()
    for (let i = 0; i < 3; i++) await alerts.raise(candidate(w.bA, { dedupKey: `restart-${i}` }))
    await until(async () => receiver.requests.some((r) => r.path === '/restart'))
    await first.stop()
    const pending = await hooks.deliveries(w.admin, h.webhook.id, { pending: true })
    expect(pending).toHaveLength(3)
    expect(pending[2]!.lastError).toMatch(/HTTP 503/)
    receiver.mode = 'up'
    const second = dispatcher()
    second.start()
    await until(async () => (await hooks.deliveries(w.admin, h.webhook.id, { pending: true })).length === 0)
    await second.stop()
    // A request cut off by the stop may still have been processed by the receiver: the same
    // delivery id again (at-least-once), which the receiver drops.
    const ok = receiver.requests.filter((r) => r.path === '/restart' && r.status === 200).map((r) => r.delivery)
    expect([...new Set(ok)]).toEqual(pending.map((p) => p.seq).reverse())
    expect(ok.length).toBeLessThanOrEqual(4)
  })

  it('reaches the receiver well within a second of the commit (woken by the alert service, not by polling)', async () => {
    const hooks = new Webhooks({ db: t.db })
    const h = await hooks.create(w.admin, { url: `${receiver.url}/fast`, areaId: 'w-d1' })
    receiver.mode = 'up'
    const disp = new WebhookDispatcher({ db: t.db, pollMs: 60_000 })
    const alerts = new AlertService({ db: t.db, events: disp })
    disp.start()
    await new Promise((r) => setTimeout(r, 50))
    const latencies: number[] = []
    for (let i = 0; i < 5; i++) {
      const t0 = Date.now()
      await alerts.raise(candidate(w.bA, { dedupKey: `fast-${i}` }))
      await until(async () => receiver.requests.filter((r) => r.path === '/fast').length === i + 1, 5000)
      latencies.push(Date.now() - t0)
    }
    await disp.stop()
    await hooks.remove(w.admin, h.webhook.id)
    expect(Math.max(...latencies)).toBeLessThan(1000)
  })

  it('backs off from 1 s doubling to a 5 min cap, jittered to 50..100 %', () => {
    const d = new WebhookDispatcher({ db: t.db, random: () => 1 })
    expect([1, 2, 3, 9, 10, 40].map((n) => d.backoff(n))).toEqual([1000, 2000, 4000, 256_000, 300_000, 300_000])
    expect(new WebhookDispatcher({ db: t.db, random: () => 0 }).backoff(1)).toBe(500)
  })
})
