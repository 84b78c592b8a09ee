// Who looked at whom: every read of a person's record, every registration
// listing, every read of a move and the building's ledger, remote door openings, webhook changes and
// logins each leave exactly one audit row per request (however many rows the
// request returned), with the actor, their role and address; refused reads
// leave no "read" row. GET /audit finds them by action, prefix, actor,
// subject, address and time. On both databases, over the API.

import type { MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASE_KINDS } from '../../test/support/databases.ts'
import { residentIdNumber } from '../../test/support/id-numbers.ts'
import { connectReader, type Inbox } from '../../test/support/mqtt-device.ts'
import { callApi, provisionReader, startTestPlatform, type TestPlatform } from '../../test/support/platform.ts'

interface Entry { seq: number; at: string; actorId: string | null; actorRole: string | null; action: string; subjectType: string | null; subjectId: string | null; ip: string | null; detail: Record<string, unknown> }

describe.each(DATABASE_KINDS)('audited reads and actions (%s)', (kind) => {
  let tp: TestPlatform
  let reader: { client: MqttClient; box: Inbox }
  let ids: { registration: string; resident: string; credential: string }
  beforeAll(async () => {
    tp = await startTestPlatform(kind)
    reader = await connectReader(await provisionReader(tp, 'admin', 'demo-b1', 'audit-reader'))
    await reader.box.next(/\/command\/allowlist-sync$/)
    const r = await callApi(tp, 'admin', 'POST', '/rooms/demo-b1-201/registrations', {
      resident: { name: 'Audited Tenant', idType: 'resident_id', idNumber: residentIdNumber(5151) },
      credentials: [{ kind: 'card', value: 'AD510001' }],
    })
    expect(r.status).toBe(201)
    ids = { registration: r.body.registration.id, resident: r.body.registration.resident.id, credential: r.body.credentials[0].id }
  }, 60_000)
  afterAll(async () => {
    await reader?.client.endAsync(true)
    await tp?.dispose()
  })

  const lastSeq = async (): Promise<number> =>
    (await tp.platform.db.query<{ n: number }>('select coalesce(max(seq), 0)::int as n from audit_log')).rows[0]!.n
  /** The audit rows a call wrote (read through GET /audit, oldest first). */
  const written = async (call: () => Promise<{ status: number }>, status: number): Promise<Entry[]> => {
    const seq = await lastSeq()
    const r = await call()
    expect(r.status).toBe(status)
    const all = (await callApi(tp, 'admin', 'GET', '/audit?limit=50')).body as Entry[]
    return all.filter((e) => e.seq > seq).reverse()
  }

  it.each([
    ['GET /residents/{id}', () => `/residents/${ids.resident}`, 'resident.read', 'resident', () => ids.resident],
    ['GET /registrations/{id}', () => `/registrations/${ids.registration}`, 'registration.read', 'registration', () => ids.registration],
    ['GET /registrations/{id}/credentials', () => `/registrations/${ids.registration}/credentials`, 'registration.credentials.read', 'registration', () => ids.registration],
    ['GET /buildings/{id}/registrations', () => '/buildings/demo-b1/registrations', 'registrations.list', 'building', () => 'demo-b1'],
    ['GET /rooms/{id}/registrations', () => '/rooms/demo-b1-201/registrations?status=active', 'registrations.list', 'room', () => 'demo-b1-201'],
    ['GET /buildings/{id}/ledger', () => '/buildings/demo-b1/ledger', 'ledger.read', 'building', () => 'demo-b1'],
    ['GET /rooms/{id}/visitor-passes', () => '/rooms/demo-b1-201/visitor-passes', 'visitor_passes.list', 'room', () => 'demo-b1-201'],
  ])('%s leaves one audit row per request', async (_route, url, action, subjectType, subjectId) => {
    for (const who of ['landlord-li', 'grid-chen', 'police-zumiao'] as const) {
      const rows = await written(() => callApi(tp, who, 'GET', url()), 200)
      expect(rows).toEqual([expect.objectContaining({
        action, actorId: tp.userIds[who], actorRole: who.split('-')[0] === 'grid' ? 'grid_worker' : who.split('-')[0], subjectType, subjectId: subjectId(), ip: '127.0.0.1',
      })])
    }
    // Out of scope: refused, and not recorded as a read.
    expect(await written(() => callApi(tp, 'landlord-wang', 'GET', url()), 404)).toEqual([])
  })

  it('audits reads of moves, each side shown masked and only to those who may read it', async () => {
    // Wang's tenant, registered by Li in demo-b1: a move Li sees from the new side, Wang from the old one.
    const idNumber = residentIdNumber(5301)
    const old = await callApi(tp, 'landlord-wang', 'POST', '/rooms/demo-b2-101/registrations', {
      resident: { name: 'Moving Tenant', idType: 'resident_id', idNumber, phone: '13800005301' },
    })
    expect(old.status).toBe(201)
    const next = await callApi(tp, 'landlord-li', 'POST', '/rooms/demo-b1-102/registrations', {
      resident: { name: 'Moving Tenant As Li Wrote', idType: 'resident_id', idNumber },
    })
    expect(next.status).toBe(201)
    const move = next.body.move.id as string
    const [fromId, toId] = [old.body.registration.id as string, next.body.registration.id as string]

    for (const [who, shown] of [['landlord-li', [toId]], ['landlord-wang', [fromId]], ['grid-chen', [fromId, toId]], ['admin', [fromId, toId]]] as const) {
      let body: Record<string, unknown> = {}
      const rows = await written(async () => {
        const r = await callApi(tp, who, 'GET', `/moves/${move}`)
        body = r.body
        return r
      }, 200)
      expect(rows).toEqual([expect.objectContaining({
        action: 'move.read', actorId: tp.userIds[who], subjectType: 'move', subjectId: move, ip: '127.0.0.1', detail: { shown },
      })])
      // Every side shown carries the masked number only, never the number or the birth date.
      const text = JSON.stringify(body)
      expect(text).not.toContain(idNumber)
      expect(text).not.toContain(idNumber.slice(6, 14))
      for (const side of ['from', 'to'] as const) {
        const reg = body[side] as { id: string; resident: { idNumberMasked: string } } | null
        expect(reg?.id ?? null).toBe(shown.includes(side === 'from' ? fromId : toId) ? (side === 'from' ? fromId : toId) : null)
        if (reg !== null) expect(reg.resident.idNumberMasked).toMatch(/^\d{2}\*{16}$/)
      }
    }
    // The other landlord's side: nothing of what Wang entered reaches Li, nothing of Li's entry reaches Wang.
    const asLi = JSON.stringify((await callApi(tp, 'landlord-li', 'GET', `/moves/${move}`)).body)
    for (const leak of [fromId, 'demo-b2', '13800005301', 'Moving Tenant"']) expect(asLi).not.toContain(leak)
    const asWang = JSON.stringify((await callApi(tp, 'landlord-wang', 'GET', `/moves/${move}`)).body)
    for (const leak of [toId, 'demo-b1', 'As Li Wrote']) expect(asWang).not.toContain(leak)

    const listed = await written(() => callApi(tp, 'landlord-li', 'GET', `/moves?status=open&registrationId=${toId}`), 200)
    expect(listed).toEqual([expect.objectContaining({
      action: 'moves.list', actorId: tp.userIds['landlord-li'], subjectType: 'registration', subjectId: toId,
      detail: { status: 'open', awaiting: false, returned: 1 },
    })])
    expect(await written(() => callApi(tp, 'landlord-wang', 'GET', '/moves?awaiting=true'), 200))
      .toEqual([expect.objectContaining({ action: 'moves.list', subjectType: null, detail: expect.objectContaining({ awaiting: true }) })])
    // Neither side in scope: refused, and not recorded as a read.
    expect(await written(() => callApi(tp, 'grid-zhou', 'GET', `/moves/${move}`), 404)).toEqual([])
  })

  it('records how many rows a listing returned, in its one row', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await callApi(tp, 'admin', 'POST', '/rooms/demo-b1-102/registrations', { resident: { name: `Listed ${i}`, idType: 'resident_id', idNumber: residentIdNumber(5200 + i) } })
      expect(r.status).toBe(201)
    }
    let returned = 0
    const rows = await written(async () => {
      const r = await callApi(tp, 'landlord-li', 'GET', '/rooms/demo-b1-102/registrations')
      returned = (r.body as unknown[]).length
      return r
    }, 200)
    expect(returned).toBeGreaterThanOrEqual(3)
    expect(rows).toEqual([expect.objectContaining({ action: 'registrations.list', detail: { status: null, returned } })])
  })

  it('records remote door openings with who asked, why and the request id', async () => {
    let requestId = ''
    const rows = await written(async () => {
      const r = await callApi(tp, 'landlord-li', 'POST', '/devices/audit-reader/open-door', { reason: 'courier at the gate', durationS: 5 })
      requestId = r.body.requestId
      return r
    }, 202)
    const sent = await reader.box.next(/\/command\/open-door$/) as { requestId: string }
    expect(sent.requestId).toBe(requestId)
    expect(rows).toEqual([expect.objectContaining({
      action: 'device.open_door', actorId: tp.userIds['landlord-li'], actorRole: 'landlord', subjectType: 'device', subjectId: 'audit-reader', ip: '127.0.0.1',
      detail: { buildingId: 'demo-b1', door: 'main-gate', reason: 'courier at the gate', durationS: 5, requestId },
    })])
    // Refused (not the landlord of the building): no door opened, nothing recorded as opened.
    expect(await written(() => callApi(tp, 'landlord-wang', 'POST', '/devices/audit-reader/open-door', { reason: 'x' }), 404)).toEqual([])
  })

  it('records logins, successful and failed', async () => {
    const ok = await written(() => callApi(tp, null, 'POST', '/auth/login', { username: 'landlord-wang', password: 'demo-password' }), 200)
    expect(ok).toEqual([expect.objectContaining({ action: 'login.succeeded', actorId: tp.userIds['landlord-wang'], actorRole: 'landlord', subjectType: 'user', subjectId: tp.userIds['landlord-wang'], ip: '127.0.0.1' })])
    const failed = await written(() => callApi(tp, null, 'POST', '/auth/login', { username: 'landlord-wang', password: 'wrong-password' }), 401)
    expect(failed).toEqual([expect.objectContaining({ action: 'login.failed', actorId: null, detail: expect.objectContaining({ username: 'landlord-wang' }) })])
  })

  it('lets the administrator find entries by action prefix, subject, actor, address and time', async () => {
    // The database's clock is this machine's: whatever this test writes is at or after `start`.
    const start = new Date().toISOString()
    await callApi(tp, 'police-zumiao', 'GET', `/residents/${ids.resident}`)
    await callApi(tp, 'police-zumiao', 'POST', `/residents/${ids.resident}/id-number`, { reason: 'case 2026-51' })
    const q = async (query: string): Promise<Entry[]> => {
      const r = await callApi(tp, 'admin', 'GET', `/audit?${query}`)
      expect(r.status).toBe(200)
      return r.body as Entry[]
    }
    const police = tp.userIds['police-zumiao']!
    const about = await q(`subjectType=resident&subjectId=${ids.resident}&actorId=${police}&since=${encodeURIComponent(start)}`)
    expect(about.map((e) => e.action)).toEqual(['resident.id_number.read', 'resident.read'])
    expect((await q(`actionPrefix=resident.&actorId=${police}&since=${encodeURIComponent(start)}`)).map((e) => e.action)).toEqual(['resident.id_number.read', 'resident.read'])
    expect((await q('actionPrefix=login.&limit=1000')).every((e) => e.action.startsWith('login.'))).toBe(true)
    expect((await q(`ip=127.0.0.1&actorId=${police}&since=${encodeURIComponent(start)}`))).toHaveLength(2)
    expect(await q(`ip=10.9.9.9&since=${encodeURIComponent(start)}`)).toEqual([])
    expect(await q(`until=${encodeURIComponent('2000-01-01T00:00:00Z')}`)).toEqual([])
    expect((await callApi(tp, 'police-zumiao', 'GET', '/audit')).status).toBe(403)
  })
})
