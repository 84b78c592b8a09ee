// One landlord's registration never changes another landlord's tenant, on
// both databases, with readers of both buildings on real sockets. Landlord-li
// (demo-b1) registering a person who lives in landlord-wang's demo-b2 gets a
// pending registration that says only that the move waits; nothing of the
// stay in demo-b2 changes, its card keeps opening demo-b2's door and nothing
// of it shows on li's side. Wang confirms (or disputes), the jurisdiction
// decides when wang does not answer in time (after a restart, from stored
// times), li may withdraw, and each step is in both buildings' ledgers, each
// naming only its own building's data.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AllowlistSync } from '../../protocol/index.ts'
import { DATABASE_KINDS } from '../../test/support/databases.ts'
import { residentIdNumber } from '../../test/support/id-numbers.ts'
import { connectReader, type Inbox } from '../../test/support/mqtt-device.ts'
import { callApi, provisionReader, startTestPlatform, type TestPlatform } from '../../test/support/platform.ts'
import { registryFingerprint } from '../../test/support/registry-state.ts'

const SYNC = /\/command\/allowlist-sync$/
const HOUR = 3_600_000

describe.each(DATABASE_KINDS)('moves between landlords (%s)', (kind) => {
  let tp: TestPlatform
  let serial = 0
  const readers: Record<string, { box: Inbox; end (): Promise<void> }> = {}

  beforeAll(async () => {
    tp = await startTestPlatform(kind)
    for (const b of ['demo-b1', 'demo-b2']) {
      const { client, box } = await connectReader(await provisionReader(tp, 'admin', b, `mv-${b}`))
      await box.next(SYNC)
      readers[b] = { box, end: () => client.endAsync(true).then(() => undefined) }
    }
  }, 60_000)
  afterAll(async () => {
    for (const r of Object.values(readers)) await r.end()
    await tp?.dispose()
  })

  const api = (who: string, method: string, url: string, payload?: object) => callApi(tp, who, method, url, payload)
  const idNumber = (): string => residentIdNumber(8100 + ++serial)
  const card = (): string => `CB${String(++serial).padStart(6, '0')}`

  /** landlord-wang's tenant in demo-b2, with a card, the stay as admin sees it, and its card's delta consumed. */
  async function wangTenant (entry: object = {}) {
    const number = idNumber()
    const value = card()
    const r = await api('landlord-wang', 'POST', '/rooms/demo-b2-101/registrations', {
      resident: { name: 'Entered By Wang', idType: 'resident_id', idNumber: number, phone: '13800000001', employer: 'Wang Works', ...entry },
      credentials: [{ kind: 'card', value }],
    })
    expect(r.status).toBe(201)
    await readers['demo-b2']!.box.next(SYNC)
    return { number, value, registrationId: r.body.registration.id as string, credentialId: r.body.credentials[0].id as string, residentId: r.body.registration.resident.id as string, arrivedAt: r.body.registration.arrivedAt as string }
  }
  /** landlord-li registers the same person in demo-b1. */
  async function liRegisters (number: string, room = 'demo-b1-201') {
    const value = card()
    const r = await api('landlord-li', 'POST', `/rooms/${room}/registrations`, {
      resident: { name: 'Entered By Li', idType: 'resident_id', idNumber: number, phone: '13900000002' },
      credentials: [{ kind: 'card', value }],
    })
    expect(r.status, JSON.stringify(r.body)).toBe(201)
    return { value, body: r.body, registrationId: r.body.registration.id as string, credentialId: r.body.credentials[0].id as string, moveId: r.body.move?.id as string }
  }
  const stayOf = async (registrationId: string) => ({
    registration: (await api('admin', 'GET', `/registrations/${registrationId}`)).body,
    credentials: (await api('admin', 'GET', `/registrations/${registrationId}/credentials`)).body,
  })
  const lastSeq = async (): Promise<number> =>
    (await tp.platform.db.query<{ seq: number }>('select coalesce(max(seq), 0)::int as seq from registry_ledger')).rows[0]!.seq
  const ledgerSince = async (who: string, buildingId: string, seq: number) =>
    (await api(who, 'GET', `/buildings/${buildingId}/ledger?afterSeq=${seq}`)).body as Array<{ action: string; actorId: string; registrationId?: string; credentialId?: string; detail: Record<string, unknown> }>
  /**
   * Proves that no allow-list change reached a building's reader since the last one it took: a visitor pass
   * issued now must be the very next delta, one version on from the version before it.
   */
  async function nothingReached (buildingId: string): Promise<void> {
    const version = (await api('admin', 'GET', `/buildings/${buildingId}`)).body.allowlistVersion as number
    const room = buildingId === 'demo-b1' ? 'demo-b1-102' : 'demo-b2-101'
    const pass = await api('admin', 'POST', `/rooms/${room}/visitor-passes`, { visitorName: 'Marker', validUntil: new Date(Date.now() + HOUR).toISOString() })
    const next = await readers[buildingId]!.box.next(SYNC) as AllowlistSync
    expect({ baseVersion: next.baseVersion, upsert: next.upsert.map((e) => e.credentialId), remove: next.remove })
      .toEqual({ baseVersion: version, upsert: [pass.body.id], remove: [] })
  }

  it('leaves the other landlord\'s tenant as they were, and shows the registering landlord nothing of them', async () => {
    const a = await wangTenant()
    const before = await stayOf(a.registrationId)
    const seq = await lastSeq()
    const b = await liRegisters(a.number)

    expect(b.body).toMatchObject({
      registration: { status: 'pending', buildingId: 'demo-b1', roomId: 'demo-b1-201', resident: { name: 'Entered By Li' } },
      credentials: [{ status: 'pending', value: `…${b.value.slice(-4)}` }],
      closedRegistrationId: null,
      move: { status: 'waiting', from: null, to: { id: b.registrationId }, actions: ['withdraw'] },
    })
    expect(b.body.move.message).toMatch(/registered at another address; the move waits for confirmation/)
    const leaks = ['demo-b2', a.registrationId, a.credentialId, a.arrivedAt, tp.userIds['landlord-wang']!, 'Entered By Wang', '13800000001', 'Wang Works']
    for (const leak of leaks) expect(JSON.stringify(b.body)).not.toContain(leak)

    // Each book names only its own building's stay; the other side's people are withheld.
    const li = await ledgerSince('landlord-li', 'demo-b1', seq)
    expect(li.map((e) => [e.action, e.registrationId])).toEqual([['registration.pending', b.registrationId], ['credential.issued', b.registrationId]])
    for (const leak of leaks) expect(JSON.stringify(li)).not.toContain(leak)
    const wang = await ledgerSince('landlord-wang', 'demo-b2', seq)
    expect(wang).toEqual([expect.objectContaining({ action: 'move.requested', registrationId: a.registrationId, actorId: '(withheld)', detail: { moveId: b.moveId } })])
    for (const leak of [b.registrationId, b.credentialId, 'demo-b1', tp.userIds['landlord-li']!, 'Entered By Li']) expect(JSON.stringify(wang)).not.toContain(leak)

    // Nothing of the stay in demo-b2 changed, and neither building's readers heard of anything.
    expect(await stayOf(a.registrationId)).toEqual(before)
    await nothingReached('demo-b2')
    await nothingReached('demo-b1')

    // Li can do nothing to wang's tenant: their stay is not there for him.
    const unchanged = await registryFingerprint(tp.platform.db)
    for (const [method, url, payload] of [
      ['GET', `/registrations/${a.registrationId}`], ['GET', `/registrations/${a.registrationId}/credentials`],
      ['POST', `/registrations/${a.registrationId}/deregister`, { reason: 'moved_out' }],
      ['POST', `/registrations/${a.registrationId}/renew`, { permitValidUntil: '2030-01-01' }],
      ['POST', `/registrations/${a.registrationId}/credentials`, { kind: 'qr' }],
      ['POST', `/credentials/${a.credentialId}/revoke`, { reason: 'lost' }],
    ] as Array<[string, string, object?]>) {
      expect({ url, status: (await api('landlord-li', method, url, payload)).status }).toEqual({ url, status: 404 })
    }
    for (const step of ['confirm', 'dispute', 'decide']) {
      const body = { confirm: {}, dispute: { reason: 'not mine to say' }, decide: { outcome: 'moved', reason: 'not mine to say' } }[step]!
      const r = await api('landlord-li', 'POST', `/moves/${b.moveId}/${step}`, body)
      expect({ step, status: r.status }).toEqual({ step, status: 403 })
    }
    expect(await registryFingerprint(tp.platform.db)).toBe(unchanged)

    // Each reads the person as their own side entered them.
    const asLi = (await api('landlord-li', 'GET', `/residents/${a.residentId}`)).body
    expect(asLi).toMatchObject({ name: 'Entered By Li', phone: '13900000002', employer: null, householdAddress: null })
    expect(asLi.registrations.map((g: { id: string }) => g.id)).toEqual([b.registrationId])
    for (const leak of leaks) expect(JSON.stringify(asLi)).not.toContain(leak)
    const asWang = (await api('landlord-wang', 'GET', `/residents/${a.residentId}`)).body
    expect(asWang).toMatchObject({ name: 'Entered By Wang', phone: '13800000001', employer: 'Wang Works' })
    expect(asWang.registrations.map((g: { id: string; status: string }) => [g.id, g.status])).toEqual([[a.registrationId, 'active']])
    expect(JSON.stringify(asWang)).not.toContain('Entered By Li')
  })

  it('on confirmation ends the old stay (moved) and only then puts the new card on its readers', async () => {
    const a = await wangTenant()
    const b = await liRegisters(a.number)
    const waiting = (await api('landlord-wang', 'GET', '/moves?awaiting=true')).body as Array<Record<string, any>>
    const mine = waiting.find((m) => m.id === b.moveId)
    expect(mine).toMatchObject({ status: 'waiting', from: { id: a.registrationId, status: 'active' }, to: null, actions: ['confirm', 'dispute'] })
    for (const leak of [b.registrationId, 'demo-b1', 'Entered By Li']) expect(JSON.stringify(mine)).not.toContain(leak)
    expect((await api('landlord-li', 'GET', '/moves?awaiting=true')).body.map((m: { id: string }) => m.id)).not.toContain(b.moveId)

    const seq = await lastSeq()
    const confirmed = await api('landlord-wang', 'POST', `/moves/${b.moveId}/confirm`, {})
    expect(confirmed).toMatchObject({ status: 200, body: { status: 'confirmed', from: { status: 'departed', departureReason: 'moved' }, to: null, actions: [] } })
    const removed = await readers['demo-b2']!.box.next(SYNC) as AllowlistSync
    expect({ upsert: removed.upsert, remove: removed.remove }).toEqual({ upsert: [], remove: [a.credentialId] })
    const added = await readers['demo-b1']!.box.next(SYNC) as AllowlistSync
    expect({ upsert: added.upsert.map((e) => e.credentialId), remove: added.remove }).toEqual({ upsert: [b.credentialId], remove: [] })

    expect((await api('landlord-li', 'GET', `/registrations/${b.registrationId}`)).body.status).toBe('active')
    expect((await api('landlord-li', 'GET', `/registrations/${b.registrationId}/credentials`)).body).toEqual([expect.objectContaining({ status: 'active' })])
    expect((await api('landlord-li', 'GET', `/moves/${b.moveId}`)).body).toMatchObject({ status: 'confirmed', from: null, to: { status: 'active' } })
    expect((await api('landlord-li', 'GET', `/moves/${b.moveId}`)).body.message).toMatch(/confirmed/)

    expect((await ledgerSince('landlord-wang', 'demo-b2', seq)).map((e) => [e.action, e.actorId, e.detail])).toEqual([
      ['registration.departed', tp.userIds['landlord-wang'], expect.objectContaining({ reason: 'moved', moveId: b.moveId })],
      ['credential.revoked', tp.userIds['landlord-wang'], { reason: 'departed: moved' }],
      ['move.confirmed', tp.userIds['landlord-wang'], { moveId: b.moveId }],
    ])
    expect((await ledgerSince('landlord-li', 'demo-b1', seq)).map((e) => [e.action, e.actorId, e.registrationId])).toEqual([
      ['registration.activated', '(withheld)', b.registrationId],
      ['credential.activated', '(withheld)', b.registrationId],
      ['move.confirmed', '(withheld)', b.registrationId],
    ])
    const audit = (await api('admin', 'GET', `/audit?subjectId=${b.moveId}`)).body as Array<{ action: string; actorId: string }>
    // The steps (reads of the move, this test's own included, are audited as move.read).
    expect(audit.filter((e) => e.action !== 'move.read').map((e) => [e.action, e.actorId]).reverse()).toEqual([
      ['move.requested', tp.userIds['landlord-li']], ['move.confirmed', tp.userIds['landlord-wang']],
    ])
    // Now the stay in demo-b1 is the person's current one; wang still reads what he entered.
    expect((await api('landlord-wang', 'GET', `/residents/${a.residentId}`)).body).toMatchObject({ name: 'Entered By Wang', phone: '13800000001' })
    expect((await api('landlord-li', 'GET', `/residents/${a.residentId}`)).body).toMatchObject({ name: 'Entered By Li', employer: null })
  })

  it('lets a tenant who moves keep their own card, which waits with the new registration; someone else\'s stays refused', async () => {
    const a = await wangTenant()
    const r = await api('landlord-li', 'POST', '/rooms/demo-b1-201/registrations', {
      resident: { name: 'Entered By Li', idType: 'resident_id', idNumber: a.number }, credentials: [{ kind: 'card', value: a.value }],
    })
    expect(r.status, JSON.stringify(r.body)).toBe(201)
    expect(r.body.credentials).toEqual([expect.objectContaining({ status: 'pending', value: `…${a.value.slice(-4)}` })])
    // The same card for another person is in use, whoever asks and whether it is active or waiting.
    const other = await api('landlord-li', 'POST', '/rooms/demo-b1-101/registrations', {
      resident: { name: 'Someone Else', idType: 'resident_id', idNumber: idNumber() }, credentials: [{ kind: 'card', value: a.value }],
    })
    expect([other.status, other.body.code]).toEqual([409, 'RH_CREDENTIAL_IN_USE'])
    expect((await api('landlord-wang', 'POST', `/moves/${r.body.move.id}/confirm`, {})).status).toBe(200)
    const removed = await readers['demo-b2']!.box.next(SYNC) as AllowlistSync
    expect(removed.remove).toEqual([a.credentialId])
    const added = await readers['demo-b1']!.box.next(SYNC) as AllowlistSync
    expect(added.upsert.map((e) => e.credentialId)).toEqual([r.body.credentials[0].id])
    expect((await api('landlord-li', 'GET', `/registrations/${r.body.registration.id}/credentials`)).body)
      .toEqual([expect.objectContaining({ value: `…${a.value.slice(-4)}`, status: 'active' })])
  })

  it('a dispute goes to the jurisdiction of the old address, which may decide that the person stays', async () => {
    const a = await wangTenant()
    const b = await liRegisters(a.number)
    expect((await api('landlord-wang', 'POST', `/moves/${b.moveId}/dispute`, { reason: 'she still lives in 101, seen today' })).body)
      .toMatchObject({ status: 'disputed', disputeReason: 'she still lives in 101, seen today', actions: ['confirm'] })
    const liSees = (await api('landlord-li', 'GET', `/moves/${b.moveId}`)).body
    expect(liSees).toMatchObject({ status: 'disputed', disputeReason: null, from: null })
    expect(JSON.stringify(liSees)).not.toContain('101')
    // Police of another jurisdiction do not see it; those of the old address's do, and may decide at once.
    expect((await api('police-other', 'GET', `/moves/${b.moveId}`)).status).toBe(404)
    expect((await api('police-other', 'POST', `/moves/${b.moveId}/decide`, { outcome: 'stays', reason: 'checked' })).status).toBe(404)
    expect((await api('police-zumiao', 'GET', `/moves/${b.moveId}`)).body.actions).toEqual(['decide'])
    const before = await stayOf(a.registrationId)
    const decided = await api('police-zumiao', 'POST', `/moves/${b.moveId}/decide`, { outcome: 'stays', reason: 'visited: she lives at the old address' })
    expect(decided).toMatchObject({ status: 200, body: { status: 'decided_stays', to: { status: 'cancelled' } } })
    expect(await stayOf(a.registrationId)).toEqual(before)
    expect((await api('landlord-li', 'GET', `/registrations/${b.registrationId}/credentials`)).body).toEqual([expect.objectContaining({ status: 'revoked' })])
    expect((await api('landlord-li', 'GET', `/moves/${b.moveId}`)).body.message).toMatch(/cancelled/)
    // The cancelled card never was on a reader, so no reader hears of it.
    await nothingReached('demo-b1')
    await nothingReached('demo-b2')
  })

  it('the registering landlord may withdraw; the old side sees the request gone', async () => {
    const a = await wangTenant()
    const b = await liRegisters(a.number)
    expect((await api('landlord-wang', 'POST', `/moves/${b.moveId}/withdraw`, {})).status).toBe(403)
    const w = await api('landlord-li', 'POST', `/moves/${b.moveId}/withdraw`, { reason: 'registered by mistake' })
    expect(w).toMatchObject({ status: 200, body: { status: 'withdrawn', to: { status: 'cancelled' } } })
    expect((await api('landlord-wang', 'GET', `/moves/${b.moveId}`)).body).toMatchObject({ status: 'withdrawn', from: { status: 'active' }, actions: [] })
    expect((await api('landlord-wang', 'POST', `/moves/${b.moveId}/confirm`, {})).status).toBe(409)
  })

  it('when the old landlord deregisters the person anyway, the waiting registration becomes active', async () => {
    const a = await wangTenant()
    const b = await liRegisters(a.number)
    expect((await api('landlord-wang', 'POST', `/registrations/${a.registrationId}/deregister`, { reason: 'moved_out' })).status).toBe(200)
    await readers['demo-b2']!.box.next(SYNC)
    const added = await readers['demo-b1']!.box.next(SYNC) as AllowlistSync
    expect(added.upsert.map((e) => e.credentialId)).toEqual([b.credentialId])
    expect((await api('landlord-li', 'GET', `/moves/${b.moveId}`)).body).toMatchObject({ status: 'released', to: { status: 'active' } })
  })

  it('a second move waiting on the same stay goes on to wait for the person\'s new stay', async () => {
    // A third landlord with a building of his own.
    const zhao = await api('admin', 'POST', '/users', { username: `landlord-zhao-${kind}`, displayName: 'Zhao', role: 'landlord', password: 'long-enough-pw' })
    tp.tokens.zhao = (await callApi(tp, null, 'POST', '/auth/login', { username: `landlord-zhao-${kind}`, password: 'long-enough-pw' })).body.token
    const building = await api('admin', 'POST', '/buildings', { gridId: 'lianhua-g1', name: 'Zhao block', address: '3 Lane', landlordId: zhao.body.id })
    const room = (await api('zhao', 'POST', `/buildings/${building.body.id}/rooms`, { number: '1', capacity: 2 })).body.id as string
    const a = await wangTenant()
    const b = await liRegisters(a.number)
    const c = await api('zhao', 'POST', `/rooms/${room}/registrations`, { resident: { name: 'Entered By Zhao', idType: 'resident_id', idNumber: a.number } })
    const second = c.body.move.id as string
    expect((await api('landlord-wang', 'GET', '/moves?awaiting=true')).body.map((m: { id: string }) => m.id)).toEqual(expect.arrayContaining([b.moveId, second]))

    expect((await api('landlord-wang', 'POST', `/moves/${b.moveId}/confirm`, {})).status).toBe(200)
    // The person now lives at li's: Zhao's move waits for li, and is no longer wang's business.
    expect((await api('landlord-wang', 'GET', `/moves/${second}`)).status).toBe(404)
    const forLi = (await api('landlord-li', 'GET', '/moves?awaiting=true')).body as Array<Record<string, any>>
    expect(forLi.find((m) => m.id === second)).toMatchObject({ status: 'waiting', from: { id: b.registrationId }, to: null, actions: ['confirm', 'dispute'] })
    expect((await api('zhao', 'GET', `/moves/${second}`)).body).toMatchObject({ status: 'waiting', from: null, to: { id: c.body.registration.id, status: 'pending' } })
    expect((await api('landlord-li', 'POST', `/moves/${second}/confirm`, {})).status).toBe(200)
    expect((await api('zhao', 'GET', `/registrations/${c.body.registration.id}`)).body.status).toBe('active')
    expect((await api('landlord-li', 'GET', `/registrations/${b.registrationId}`)).body).toMatchObject({ status: 'departed', departureReason: 'moved' })
    await readers['demo-b2']!.box.next(SYNC)
    await readers['demo-b1']!.box.next(SYNC)
    await readers['demo-b1']!.box.next(SYNC)
  })

  it('a pending registration counts in no room and on no reader until it is active', async () => {
    const room = (await api('landlord-li', 'POST', '/buildings/demo-b1/rooms', { number: `p-${kind}`, capacity: 1 })).body.id as string
    const first = await api('landlord-li', 'POST', `/rooms/${room}/registrations`, { resident: { name: 'One', idType: 'resident_id', idNumber: idNumber() } })
    expect(first.body.overCapacity).toBe(false)
    const a = await wangTenant()
    const b = await liRegisters(a.number, room)
    // It would overfill the room once active, and says so; until then the room holds one.
    expect(b.body.overCapacity).toBe(true)
    expect((await api('landlord-li', 'GET', `/rooms/${room}`)).body.registered).toBe(1)
    const view = tp.platform.view
    await view.reloadBuilding('demo-b1')
    expect(view.room(room)).toMatchObject({ registered: 1, residentIds: [first.body.registration.resident.id] })
    expect(view.credentialByValue('card', b.value)).toBeUndefined()
    expect(view.credentialByValue('card', a.value)).toMatchObject({ buildingId: 'demo-b2', status: 'active', registrationStatus: 'active' })
  })

  it('moves a person at once for whoever may change both stays', async () => {
    const a = await wangTenant()
    const r = await api('admin', 'POST', '/rooms/demo-b1-102/registrations', { resident: { name: 'By Admin', idType: 'resident_id', idNumber: a.number } })
    expect(r.body).toMatchObject({ registration: { status: 'active' }, closedRegistrationId: a.registrationId, move: null })
    expect((await stayOf(a.registrationId)).registration).toMatchObject({ status: 'departed', departureReason: 'registered_elsewhere' })
    await readers['demo-b2']!.box.next(SYNC)
  })
})

describe.each(DATABASE_KINDS)('a move nobody answers (%s)', (kind) => {
  let tp: TestPlatform
  beforeAll(async () => { tp = await startTestPlatform(kind, { env: { MOVE_CONFIRM_HOURS: '72' } }) }, 60_000)
  afterAll(async () => { await tp?.dispose() })
  const api = (who: string, method: string, url: string, payload?: object) => callApi(tp, who, method, url, payload)

  it('waits for the old side until the configured time, then the jurisdiction decides, also after a restart', async () => {
    const number = residentIdNumber(8900)
    expect((await api('landlord-wang', 'POST', '/rooms/demo-b2-101/registrations', { resident: { name: 'W', idType: 'resident_id', idNumber: number } })).status).toBe(201)
    const b = await api('landlord-li', 'POST', '/rooms/demo-b1-101/registrations', { resident: { name: 'L', idType: 'resident_id', idNumber: number } })
    const moveId = b.body.move.id as string
    const due = Date.parse(b.body.move.dueAt)
    expect(due - Date.parse(b.body.move.requestedAt)).toBe(72 * HOUR)
    expect((await api('police-zumiao', 'GET', `/moves/${moveId}`)).body).toMatchObject({ overdue: false, actions: [] })
    const early = await api('police-zumiao', 'POST', `/moves/${moveId}/decide`, { outcome: 'moved', reason: 'no answer' })
    expect([early.status, early.body.code]).toEqual([409, 'RH_CONFLICT'])

    // Three days and an hour later, on a platform started afresh: the time comes from the stored request.
    await tp.restart({ registryClock: () => Date.now() + 73 * HOUR })
    expect((await api('police-zumiao', 'GET', '/moves?awaiting=true')).body).toEqual([expect.objectContaining({ id: moveId, overdue: true, actions: ['decide'] })])
    const decided = await api('police-zumiao', 'POST', `/moves/${moveId}/decide`, { outcome: 'moved', reason: 'landlord did not answer in 3 days' })
    expect(decided).toMatchObject({ status: 200, body: { status: 'decided_moved', from: { status: 'departed', departureReason: 'moved' }, to: { status: 'active' } } })
  })
})
