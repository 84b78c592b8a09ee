// Visitor passes through the API: issued for a room with a bounded validity,
// pushed to the building's readers as visitor entries, listed, revoked.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseAllowlistKey, presentedDigest, type AllowlistSync } from '../../protocol/index.ts'
import { connectReader } from '../../test/support/mqtt-device.ts'
import { callApi, provisionReader, startTestPlatform, type TestPlatform } from '../../test/support/platform.ts'

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
