// What the API shows of a credential: a card number or face reference only
// masked (`…3F9A`), in every reply; a QR token and a visitor's name to the
// building's landlord only, who hands the code to its holder.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { residentIdNumber } from '../../test/support/id-numbers.ts'
import { callApi, startTestPlatform, type TestPlatform } from '../../test/support/platform.ts'

const DAY = 86_400_000

describe('credential values in replies', () => {
  let tp: TestPlatform
  beforeAll(async () => { tp = await startTestPlatform('pglite') }, 60_000)
  afterAll(async () => { await tp?.dispose() })
  const api = (who: string, method: string, url: string, body?: object) => callApi(tp, who, method, url, body)

  it('masks card and face values in every reply a landlord, the police or an administrator gets', async () => {
    const reg = await api('landlord-li', 'POST', '/rooms/demo-b1-201/registrations', {
      resident: { name: 'Masked Card', idType: 'resident_id', idNumber: residentIdNumber(8801) },
      credentials: [{ kind: 'card', value: 'A1B2C3D43F9A' }],
    })
    expect(reg.status, JSON.stringify(reg.body)).toBe(201)
    const id = reg.body.registration.id as string
    const face = await api('landlord-li', 'POST', `/registrations/${id}/credentials`, { kind: 'face', value: 'face-ref-000123456' })
    expect(face.status).toBe(201)
    const card2 = await api('landlord-li', 'POST', `/registrations/${id}/credentials`, { kind: 'ic_card', value: '9988776655E0' })
    const revoked = await api('landlord-li', 'POST', `/credentials/${card2.body.id as string}/revoke`, { reason: 'lost' })
    expect(revoked.body.status).toBe('revoked')
    const lists = await Promise.all(['landlord-li', 'police-zumiao', 'admin'].map(async (who) => await api(who, 'GET', `/registrations/${id}/credentials`)))
    const replies = [reg.body, face.body, card2.body, revoked.body, ...lists.map((l) => l.body)]
    for (const reply of replies) {
      const text = JSON.stringify(reply)
      for (const full of ['A1B2C3D43F9A', 'face-ref-000123456', '9988776655E0']) expect(text).not.toContain(full)
    }
    expect(reg.body.credentials[0]).toMatchObject({ kind: 'card', value: '…3F9A', visitorName: null })
    expect(lists[0]!.body.map((c: { value: string }) => c.value)).toEqual(['…3F9A', '…3456', '…55E0'])
  })

  it('shows a QR token and the visitor\'s name to the building\'s landlord only', async () => {
    const until = new Date(Date.now() + DAY).toISOString()
    const pass = await api('landlord-li', 'POST', '/rooms/demo-b1-101/visitor-passes', { visitorName: 'Cousin Lan', validUntil: until })
    expect(pass.status).toBe(201)
    expect(pass.body).toMatchObject({ kind: 'qr', visitorName: 'Cousin Lan' })
    const token = pass.body.value as string
    expect(token).toMatch(/^[A-Za-z0-9_-]{20,}$/)
    const mine = (await api('landlord-li', 'GET', '/rooms/demo-b1-101/visitor-passes')).body as Array<{ id: string; value: string; visitorName: string }>
    expect(mine.find((p) => p.id === pass.body.id)).toMatchObject({ value: token, visitorName: 'Cousin Lan' })
    for (const who of ['police-zumiao', 'admin']) {
      const r = await api(who, 'GET', '/rooms/demo-b1-101/visitor-passes')
      expect(r.status).toBe(200)
      const text = JSON.stringify(r.body)
      expect(text).not.toContain(token)
      expect(text).not.toContain('Cousin Lan')
      expect(r.body.find((p: { id: string }) => p.id === pass.body.id)).toMatchObject({ value: `…${token.slice(-4)}`, visitorName: null })
    }
    // A tenant's QR code likewise: its landlord gets the token to hand over.
    const reg = await api('landlord-li', 'POST', '/rooms/demo-b1-201/registrations', {
      resident: { name: 'QR Holder', idType: 'resident_id', idNumber: residentIdNumber(8802) }, credentials: [{ kind: 'qr' }],
    })
    expect(reg.body.credentials[0].value).toMatch(/^[A-Za-z0-9_-]{20,}$/)
    const seen = await api('police-zumiao', 'GET', `/registrations/${reg.body.registration.id as string}/credentials`)
    expect(seen.body[0].value).toBe(`…${(reg.body.credentials[0].value as string).slice(-4)}`)
  })
})
