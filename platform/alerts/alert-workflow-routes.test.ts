// The workflow, evidence, export and handover routes through the real
// platform's API (schemas, auth, error shape), with the demo site's accounts;
// the live stream carries each step as its own change kind.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LiveStreamReader } from '../../contract/live-stream-reader.ts'
import { callApi, startTestPlatform, type TestPlatform } from '../../test/support/platform.ts'
import { candidate } from './alerts.test-kit.ts'

let tp: TestPlatform
let n = 0

beforeAll(async () => {
  tp = await startTestPlatform('pglite')
}, 120_000)
afterAll(async () => { await tp?.dispose() })

const raise = async (over: Parameters<typeof candidate>[1] = {}) =>
  (await tp.platform.alerts.raise(candidate('demo-b1', { dedupKey: `route-wf-${++n}`, door: `route-door-${n}`, ...over })))!.alert

const until = async (what: () => boolean, ms = 5000): Promise<void> => {
  const end = Date.now() + ms
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('alert workflow routes', () => {
  it('dispatches, takes feedback, verifies, comments and closes; the stream names each step', async () => {
    const stream = await LiveStreamReader.open({ base: tp.platform.addresses.api, token: tp.tokens['police-zumiao']!, auth: 'header', keep: true })
    try {
      const a = await raise()
      const chen = tp.userIds['grid-chen']!
      const offered = await callApi(tp, 'police-zumiao', 'GET', `/alerts/${a.id}/assignees`)
      expect(offered.status).toBe(200)
      expect((offered.body as Array<{ id: string }>).map((u) => u.id)).toContain(chen)
      expect((await callApi(tp, 'landlord-li', 'POST', `/alerts/${a.id}/assign`, { assigneeId: chen })).body).toMatchObject({ statusCode: 403, code: 'RH_FORBIDDEN' })
      expect((await callApi(tp, 'police-zumiao', 'POST', `/alerts/${a.id}/assign`, { assigneeId: tp.userIds['grid-zhou'] })).body).toMatchObject({ statusCode: 400, code: 'RH_BAD_REQUEST' })
      expect((await callApi(tp, 'police-zumiao', 'POST', `/alerts/${a.id}/assign`, { assigneeId: chen, extra: 1 })).body).toMatchObject({ code: 'RH_VALIDATION' })
      const assigned = await callApi(tp, 'police-zumiao', 'POST', `/alerts/${a.id}/assign`, { assigneeId: chen, note: '请尽快到场' })
      expect(assigned).toMatchObject({ status: 200, body: { stage: 'dispatched', assigneeId: chen, assigneeName: expect.stringContaining('Chen Jie'), status: 'acknowledged' } })
      const mine = await callApi(tp, 'grid-chen', 'GET', '/alerts?assignee=me')
      expect((mine.body.items as Array<{ id: string }>).map((x) => x.id)).toEqual([a.id])
      expect((await callApi(tp, 'grid-chen', 'POST', `/alerts/${a.id}/verify`, { accepted: true })).body).toMatchObject({ statusCode: 403 })
      expect((await callApi(tp, 'police-zumiao', 'POST', `/alerts/${a.id}/verify`, { accepted: true })).body).toMatchObject({ statusCode: 409, code: 'RH_ILLEGAL_TRANSITION' })
      expect((await callApi(tp, 'grid-chen', 'POST', `/alerts/${a.id}/feedback`, { note: '已到场，门已关好', photoRef: 'oss://photos/1.jpg' })).body).toMatchObject({ stage: 'feedback' })
      expect((await callApi(tp, 'police-zumiao', 'POST', `/alerts/${a.id}/verify`, { accepted: true, note: '核查无误' })).body).toMatchObject({ stage: 'verified' })
      const comment = await callApi(tp, 'landlord-li', 'POST', `/alerts/${a.id}/comments`, { text: '谢谢' })
      expect(comment).toMatchObject({ status: 201, body: { action: 'commented', note: '谢谢', actorId: tp.userIds['landlord-li'], actorName: expect.any(String) } })
      expect((await callApi(tp, 'police-zumiao', 'POST', `/alerts/${a.id}/resolve`, { note: 'done', closureReason: 'maybe' })).body).toMatchObject({ code: 'RH_VALIDATION' })
      expect((await callApi(tp, 'police-zumiao', 'POST', `/alerts/${a.id}/resolve`, { note: 'done', closureReason: 'real' })).body)
        .toMatchObject({ status: 'resolved', stage: 'archived', closureReason: 'real' })
      const got = await callApi(tp, 'police-zumiao', 'GET', `/alerts/${a.id}`)
      expect((got.body.history as Array<{ action: string; actorName: string | null }>).map((h) => [h.action, h.actorName === null])).toEqual([
        ['opened', true], ['assigned', false], ['feedback', false], ['verified', false], ['commented', false], ['resolved', false]])
      await until(() => stream.alertIds().filter((id) => id === a.id).length >= 6)
      const kinds = stream.messages.filter((m) => m.event === 'alert' && (m.data as { alert: { id: string } }).alert.id === a.id)
        .map((m) => (m.data as { kind: string }).kind)
      expect(kinds).toEqual(['opened', 'assigned', 'feedback', 'verified', 'commented', 'resolved'])
    } finally {
      stream.close()
    }
  })

  it('serves the evidence, the CSV export and the handover routes', async () => {
    const a = await raise({ evidence: ['demo-b1-reader/none'] })
    const ev = await callApi(tp, 'police-zumiao', 'GET', `/alerts/${a.id}/evidence`)
    expect(ev).toMatchObject({ status: 200, body: { alertId: a.id, events: [], missing: ['demo-b1-reader/none'], room: null, lastPassage: null } })
    expect((await callApi(tp, 'vendor-acme', 'GET', `/alerts/${a.id}/evidence`)).status).toBe(404)
    expect((await callApi(tp, 'police-other', 'GET', `/alerts/${a.id}/evidence`)).status).toBe(404)

    await callApi(tp, 'police-zumiao', 'POST', `/alerts/${a.id}/resolve`, { note: '误报', closureReason: 'false_alarm' })
    const since = new Date(Date.now() - 3_600_000).toISOString()
    const csv = await tp.platform.app.inject({ method: 'GET', url: `/alerts/export.csv?since=${encodeURIComponent(since)}`, headers: { authorization: `Bearer ${tp.tokens['police-zumiao']}` } })
    expect(csv.statusCode).toBe(200)
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect(csv.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]))
    expect(csv.body).toContain(`${a.id},`)
    expect(csv.body).toContain('误报')
    expect((await callApi(tp, 'vendor-acme', 'GET', `/alerts/export.csv?since=${encodeURIComponent(since)}`)).status).toBe(403)
    expect((await callApi(tp, 'admin', 'GET', '/alerts/export.csv')).body).toMatchObject({ code: 'RH_VALIDATION' })

    const h = await callApi(tp, 'police-zumiao', 'POST', '/handovers', { note: '交班：demo-b1 门禁需复查' })
    expect(h).toMatchObject({ status: 201, body: { areaId: 'zumiao', acknowledged: false } })
    expect((await callApi(tp, 'admin', 'GET', '/handovers/latest?areaId=zumiao')).body).toMatchObject({ handover: { id: h.body.id } })
    expect((await callApi(tp, 'police-zumiao', 'POST', `/handovers/${h.body.id}/acknowledge`)).body).toMatchObject({ statusCode: 409, code: 'RH_ILLEGAL_TRANSITION' })
    expect((await callApi(tp, 'admin', 'POST', `/handovers/${h.body.id}/acknowledge`)).body).toMatchObject({ acknowledged: true, acknowledgedBy: tp.userIds.admin })
    expect((await callApi(tp, 'grid-chen', 'GET', '/handovers/latest')).status).toBe(403)
    const summary = await callApi(tp, 'police-zumiao', 'GET', '/handovers/summary')
    expect(summary).toMatchObject({ status: 200, body: { areaId: 'zumiao', counts: expect.any(Object), offlineDevices: expect.any(Number) } })
  })
})
