// Visitor passes through the API: issued for a room with a bounded validity,
// pushed to the building's readers as visitor entries, listed, revoked; and
// renewed, the new pass replacing the old one for the same visitor.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseAllowlistKey, presentedDigest, type AllowlistSync } from '../../protocol/index.ts'
import { DATABASE_KINDS } from '../../test/support/databases.ts'
import { connectReader } from '../../test/support/mqtt-device.ts'
import { callApi, provisionReader, startTestPlatform, type TestPlatform } from '../../test/support/platform.ts'
import { registryFingerprint } from '../../test/support/registry-state.ts'
import { until } from '../../test/support/wait.ts'

const DAY = 86_400_000

describe('visitor passes', () => {
  let tp: TestPlatform
  beforeAll(async () => { tp = await startTestPlatform('pglite') }, 60_000)
  afterAll(async () => { await tp?.dispose() })
  const api = (method: string, url: string, body?: object, who = 'landlord-li') => callApi(tp, who, method, url, body)

  it('issues a QR pass that readers receive as a visitor entry, lists it, and revokes it', async () => {
    const details = await provisionReader(tp, 'admin', 'demo-b1', 'vp-reader')
    const reader = await connectReader(details)
    const full = await reader.box.next(/command\/allowlist-sync$/) as AllowlistSync
    const until = new Date(Date.now() + 2 * DAY).toISOString()
    const pass = await api('POST', '/rooms/demo-b1-101/visitor-passes', { visitorName: 'Aunt Mei', validUntil: until })
    expect(pass.status).toBe(201)
    expect(pass.body).toMatchObject({ kind: 'qr', visitor: true, roomId: 'demo-b1-101', registrationId: null, validUntil: until, status: 'active' })
    expect(pass.body.value).toMatch(/^[A-Za-z0-9_-]{20,}$/)
    const delta = await reader.box.next(/command\/allowlist-sync$/) as AllowlistSync
    expect(delta).toMatchObject({ mode: 'delta', baseVersion: full.version })
    const digest = presentedDigest(parseAllowlistKey(details.allowlistKey!), 'qr', pass.body.value)
    expect(delta.upsert).toEqual([{ credentialId: pass.body.id, kind: 'qr', digest, validUntil: until, visitor: true }])
    expect((await api('GET', '/rooms/demo-b1-101/visitor-passes?active=true')).body.map((c: { id: string }) => c.id)).toEqual([pass.body.id])
    expect((await api('POST', `/credentials/${pass.body.id}/revoke`, { reason: 'left early' })).body.status).toBe('revoked')
    expect((await reader.box.next(/command\/allowlist-sync$/) as AllowlistSync).remove).toEqual([pass.body.id])
    expect((await api('GET', '/rooms/demo-b1-101/visitor-passes?active=true')).body).toEqual([])
    expect((await api('GET', '/rooms/demo-b1-101/visitor-passes')).body).toHaveLength(1)
    await reader.client.endAsync(true)
  })

  it('refuses passes that end in the past or last longer than 30 days, a blank name, and other landlords', async () => {
    const now = Date.now()
    const cases: Array<[object, number]> = [
      [{ visitorName: 'X', validUntil: new Date(now - DAY).toISOString() }, 400],
      [{ visitorName: 'X', validUntil: new Date(now + 31 * DAY).toISOString() }, 400],
      [{ visitorName: 'X', validFrom: new Date(now + 10 * DAY).toISOString(), validUntil: new Date(now + 35 * DAY).toISOString() }, 201],
      [{ visitorName: '   ', validUntil: new Date(now + DAY).toISOString() }, 400],
      [{ visitorName: 'X', validUntil: 'tomorrow' }, 400],
      [{ visitorName: 'X', validUntil: new Date(now + DAY).toISOString(), kind: 'card', value: 'not hex' }, 400],
    ]
    for (const [body, status] of cases) expect((await api('POST', '/rooms/demo-b1-102/visitor-passes', body)).status).toBe(status)
    const wang = await api('POST', '/rooms/demo-b1-102/visitor-passes', { visitorName: 'X', validUntil: new Date(now + DAY).toISOString() }, 'landlord-wang')
    expect(wang.status).toBe(404)
    expect((await api('GET', '/rooms/demo-b1-102/visitor-passes', undefined, 'landlord-wang')).status).toBe(404)
  })
})

describe.each(DATABASE_KINDS)('visitor pass renewal (%s)', (kind) => {
  let tp: TestPlatform
  beforeAll(async () => { tp = await startTestPlatform(kind) }, 60_000)
  afterAll(async () => { await tp?.dispose() })
  const api = (method: string, url: string, body?: object, who = 'landlord-li') => callApi(tp, who, method, url, body)
  const issue = (body: object, room = 'demo-b1-102', who?: string) => api('POST', `/rooms/${room}/visitor-passes`, body, who)
  const inDays = (d: number) => new Date(Date.now() + d * DAY).toISOString()

  it('a renewal keeps the visitor, replaces the pass on the readers in one change, and the ledger links them', async () => {
    const reader = await connectReader(await provisionReader(tp, 'admin', 'demo-b1', `vp-renew-${kind}`))
    await reader.box.next(/command\/allowlist-sync$/)
    const first = await issue({ visitorName: 'Cousin Bo', validUntil: inDays(1) })
    expect(first.status).toBe(201)
    expect(first.body).toMatchObject({ visitorId: first.body.id, renews: null })
    await reader.box.next(/command\/allowlist-sync$/)

    const renewed = await issue({ validUntil: inDays(3), renews: first.body.id })
    expect(renewed.status).toBe(201)
    expect(renewed.body).toMatchObject({ visitor: true, visitorId: first.body.id, renews: first.body.id, status: 'active' })
    const delta = await reader.box.next(/command\/allowlist-sync$/) as AllowlistSync
    expect(delta.upsert.map((e) => e.credentialId)).toEqual([renewed.body.id])
    expect(delta.remove).toEqual([first.body.id])
    const passes = (await api('GET', '/rooms/demo-b1-102/visitor-passes')).body as Array<{ id: string; status: string; revokeReason: string | null }>
    expect(passes.find((p) => p.id === first.body.id)).toMatchObject({ status: 'revoked', revokeReason: 'renewed' })
    const ledger = (await api('GET', '/buildings/demo-b1/ledger?afterSeq=0&limit=1000')).body as Array<{ action: string; credentialId?: string; detail: object }>
    expect(ledger.filter((e) => e.credentialId === renewed.body.id || e.credentialId === first.body.id).map((e) => [e.action, e.credentialId, e.detail])).toEqual([
      ['credential.issued', first.body.id, { kind: 'qr', visitor: true }],
      ['credential.revoked', first.body.id, { reason: 'renewed' }],
      ['credential.issued', renewed.body.id, { kind: 'qr', visitor: true, renews: first.body.id }],
    ])
    // The pipeline's view knows both as one visitor.
    await until('the view to know the renewal', () => tp.platform.view.credentialById(renewed.body.id) !== undefined)
    expect(tp.platform.view.visitorPasses(first.body.id).map((c) => c.credentialId).sort()).toEqual([first.body.id, renewed.body.id].sort())
    await reader.client.endAsync(true)
  })

  it('a renewal that starts later ends the pass it renews where it begins; renewing again replaces both', async () => {
    const first = await issue({ visitorName: 'Nephew Tao', validUntil: inDays(2) })
    const later = await issue({ validFrom: inDays(1), validUntil: inDays(4), renews: first.body.id })
    expect(later.status).toBe(201)
    const passes = async () => (await api('GET', '/rooms/demo-b1-102/visitor-passes?active=true')).body as Array<{ id: string; validUntil: string; visitorId: string }>
    expect((await passes()).filter((p) => p.visitorId === first.body.id).map((p) => [p.id, p.validUntil])).toEqual([
      [later.body.id, later.body.validUntil], [first.body.id, later.body.validFrom],
    ])
    const again = await issue({ validUntil: inDays(5), renews: later.body.id })
    expect(again.status).toBe(201)
    expect((await passes()).filter((p) => p.visitorId === first.body.id).map((p) => p.id)).toEqual([again.body.id])
  })

  it('renews only a visitor pass of the same room, in your scope; a first pass needs a name; refusals change nothing', async () => {
    const pass = await issue({ visitorName: 'Friend Lin', validUntil: inDays(1) })
    const before = await registryFingerprint(tp.platform.db)
    const resident = (await api('GET', '/buildings/demo-b1/registrations')).body[0] as { id: string }
    const card = (await api('GET', `/registrations/${resident.id}/credentials`)).body[0] as { id: string }
    const cases: Array<[object, string | undefined, string | undefined, number]> = [
      [{ validUntil: inDays(2), renews: pass.body.id }, 'demo-b1-101', undefined, 404], // another room
      [{ validUntil: inDays(2), renews: card.id }, 'demo-b1-102', undefined, 404], // not a visitor pass
      [{ validUntil: inDays(2), renews: 'c-nope' }, 'demo-b1-102', undefined, 404],
      [{ validUntil: inDays(2), renews: pass.body.id }, 'demo-b1-102', 'landlord-wang', 404],
      [{ validUntil: inDays(2) }, 'demo-b1-102', undefined, 400], // no name, nothing renewed
    ]
    for (const [body, room, who, status] of cases) expect((await issue(body, room, who)).status).toBe(status)
    expect(await registryFingerprint(tp.platform.db)).toBe(before)
  })
})
