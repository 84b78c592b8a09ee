// The registry feed: the payload a population system receives (pure), and,
// on both databases, a real HTTP receiver on 127.0.0.1 that verifies each
// delivery's signature and gets an arrival exactly once, in order with the
// renewal and the departure after it; webhooks that subscribe to alerts only
// get none of it, and alerts do not reach a registry-only webhook.

import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifySignature } from '../alerts/signature.ts'
import { DATABASE_KINDS } from '../../test/support/databases.ts'
import { residentIdNumber } from '../../test/support/id-numbers.ts'
import { callApi, startTestPlatform, type TestPlatform } from '../../test/support/platform.ts'
import { until } from '../../test/support/wait.ts'
import { registryChangePayload } from './registry-feed.ts'

describe('registryChangePayload', () => {
  it('carries the person masked and only the detail a population system needs', () => {
    const p = registryChangePayload({
      seq: 7, at: new Date('2026-03-01T02:00:00Z'), action: 'registration.departed',
      refs: { buildingId: 'b1', roomId: 'r1', residentId: 'p1', registrationId: 'g1' },
      detail: { reason: 'moved out', departedAt: '2026-03-01T01:00:00.000Z', deregisteredBy: 'u-secret', closedBy: 'x' },
    }, { areaPath: '/d/s/c/g/', roomNumber: '101', resident: { idType: 'resident_id', idMasked: '44****************', sex: 'female', birthDate: '1993-07-14' } })
    expect(p).toEqual({
      event: 'registry.registration.departed',
      change: {
        seq: 7, at: '2026-03-01T02:00:00.000Z', action: 'registration.departed', buildingId: 'b1', areaPath: '/d/s/c/g/', roomId: 'r1', roomNumber: '101',
        registrationId: 'g1', resident: { id: 'p1', idType: 'resident_id', idNumberMasked: '44****************', sex: 'female', birthDecade: 1990 },
        detail: { reason: 'moved out', departedAt: '2026-03-01T01:00:00.000Z' },
      },
    })
    const building = registryChangePayload({ seq: 8, at: new Date(0), action: 'building.updated', refs: { buildingId: 'b1' }, detail: { name: 'New' } },
      { areaPath: '/d/', roomNumber: null, resident: null })
    expect(building.change.resident).toBeNull()
    expect(building.change.detail).toEqual({ name: 'New' })
  })
})

interface Received { headers: Record<string, string | string[] | undefined>; body: string }

describe.each(DATABASE_KINDS)('registry changes as signed webhooks (%s)', (kind) => {
  let tp: TestPlatform
  let server: Server
  const received: Received[] = []
  let failNext = 0

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        if (failNext > 0) { failNext--; res.statusCode = 503; res.end(); return }
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })
        res.statusCode = 204
        res.end()
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    tp = await startTestPlatform(kind, { env: { WEBHOOK_ALLOW_INSECURE_LOCAL: 'on' } })
  }, 60_000)
  afterAll(async () => {
    await tp?.dispose()
    await new Promise((resolve) => server?.close(resolve))
  })

  it('delivers an arrival once, signed, in order with its renewal and departure; alert-only webhooks get none', async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed`
    const feed = await callApi(tp, 'police-zumiao', 'POST', '/webhooks', { url, areaId: 'zumiao', subscriptions: ['registry'] })
    expect(feed.status).toBe(201)
    expect(feed.body.webhook.subscriptions).toEqual(['registry'])
    const secret: string = feed.body.secret
    // An alerts-only webhook of the same area (the default), and a registry webhook of another jurisdiction.
    const alertsOnly = await callApi(tp, 'police-zumiao', 'POST', '/webhooks', { url: `${url}?alerts`, areaId: 'zumiao' })
    expect(alertsOnly.body.webhook.subscriptions).toEqual(['alerts'])
    const other = await callApi(tp, 'police-other', 'POST', '/webhooks', { url: `${url}?other`, areaId: 'other-street', subscriptions: ['registry', 'alerts'] })
    expect(other.body.webhook.subscriptions).toEqual(['alerts', 'registry'])

    failNext = 1 // the first attempt is refused: the retry brings it, once
    const reg = await callApi(tp, 'landlord-li', 'POST', '/rooms/demo-b1-201/registrations', {
      resident: { name: '马超', idType: 'resident_id', idNumber: residentIdNumber(801), phone: '13800008011' }, permitValidUntil: '2027-01-31',
    })
    expect(reg.status).toBe(201)
    const registrationId: string = reg.body.registration.id
    expect((await callApi(tp, 'landlord-li', 'POST', `/registrations/${registrationId}/renew`, { permitValidUntil: '2027-07-31' })).status).toBe(200)
    expect((await callApi(tp, 'landlord-li', 'POST', `/registrations/${registrationId}/deregister`, { reason: 'moved out' })).status).toBe(200)

    await until('three registry deliveries', () => received.filter((r) => r.headers['x-rh-event'] !== undefined && String(r.headers['x-rh-event']).startsWith('registry.registration')).length >= 3, 15_000)
    // Anything a retry could still duplicate would arrive within a poll: wait one, then count.
    await new Promise((resolve) => setTimeout(resolve, 2_500))
    const mine = received.filter((r) => !String(r.headers['x-rh-event']).startsWith('alert.'))
    for (const r of mine) expect(verifySignature(secret, r.body, r.headers['x-rh-signature'] as string)).toBe(true)
    const bodies = mine.map((r) => JSON.parse(r.body))
    const forReg = bodies.filter((b) => b.change?.registrationId === registrationId)
    expect(forReg.map((b) => b.event)).toEqual(['registry.registration.arrived', 'registry.registration.renewed', 'registry.registration.departed'])
    expect(new Set(forReg.map((b) => b.delivery)).size).toBe(3)
    expect(forReg.map((b) => b.delivery)).toEqual([...forReg.map((b) => b.delivery)].sort((a, b) => a - b))
    expect(forReg[0]).toMatchObject({
      webhookId: feed.body.webhook.id,
      change: { buildingId: 'demo-b1', roomId: 'demo-b1-201', roomNumber: '201', resident: { idType: 'resident_id', idNumberMasked: '44****************', sex: 'male' } },
    })
    expect(forReg[1].change.detail).toMatchObject({ permitValidUntil: '2027-07-31' })
    expect(forReg[2].change.detail).toMatchObject({ reason: 'moved out' })
    // Masked identity only: neither the number, the name nor the phone is anywhere in what left.
    for (const r of mine) {
      expect(r.body).not.toContain(residentIdNumber(801))
      expect(r.body).not.toContain('马超')
      expect(r.body).not.toContain('13800008011')
    }
    // Each delivery reached this one webhook only, once: the alerts-only and the other area's webhook got no registry change.
    const ids = new Set(mine.map((r) => JSON.parse(r.body).webhookId))
    expect([...ids]).toEqual([feed.body.webhook.id])
    const queued = await tp.platform.db.query<{ webhook_id: string; n: number }>(
      `select webhook_id, count(*)::int as n from webhook_outbox where ledger_seq is not null group by webhook_id`)
    expect(queued.rows.map((r) => r.webhook_id)).toEqual([feed.body.webhook.id])
    const attempts = await callApi(tp, 'police-zumiao', 'GET', `/webhooks/${feed.body.webhook.id}/deliveries`)
    const arrived = attempts.body.find((d: { event: string }) => d.event === 'registry.registration.arrived')
    expect(arrived).toMatchObject({ alertId: null, attempts: 2, lastStatus: 204 })
    expect(arrived.ledgerSeq).toBeGreaterThan(0)
  }, 40_000)

  it('lets the owner change what a webhook receives, audited; bad choices are refused', async () => {
    const list = await callApi(tp, 'police-zumiao', 'GET', '/webhooks')
    const hook = list.body.find((w: { subscriptions: string[] }) => w.subscriptions.length === 1 && w.subscriptions[0] === 'alerts')
    const r = await callApi(tp, 'police-zumiao', 'PATCH', `/webhooks/${hook.id}`, { subscriptions: ['registry', 'alerts'] })
    expect(r.status).toBe(200)
    expect(r.body.subscriptions).toEqual(['alerts', 'registry'])
    for (const body of [{ subscriptions: [] }, { subscriptions: ['gossip'] }, {}, { subscriptions: ['alerts', 'alerts'] }]) {
      expect((await callApi(tp, 'police-zumiao', 'PATCH', `/webhooks/${hook.id}`, body)).status, JSON.stringify(body)).toBe(400)
    }
    expect((await callApi(tp, 'police-other', 'PATCH', `/webhooks/${hook.id}`, { subscriptions: ['alerts'] })).status).toBe(404)
    expect((await callApi(tp, 'landlord-li', 'PATCH', `/webhooks/${hook.id}`, { subscriptions: ['alerts'] })).status).toBe(403)
    const audit = await tp.platform.db.query<{ detail: { subscriptions: unknown } }>(
      `select detail from audit_log where action = 'webhook.updated' and subject_id = $1`, [hook.id])
    expect(audit.rows).toEqual([{ detail: expect.objectContaining({ subscriptions: { from: ['alerts'], to: ['alerts', 'registry'] } }) }])
    expect((await callApi(tp, 'police-zumiao', 'GET', '/webhooks')).body.find((w: { id: string }) => w.id === hook.id).subscriptions).toEqual(['alerts', 'registry'])
  })
})
