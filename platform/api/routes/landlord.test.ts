// The landlord's tools on both databases, end to end: a reader on a real socket
// publishes, the pipeline tracks presence, the API answers. Building time
// zones, occupancy (counts only), enrolling a card by swiping it, the inbox.

import type { MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASE_KINDS } from '../../../test/support/databases.ts'
import { residentIdNumber } from '../../../test/support/id-numbers.ts'
import { connectDevice, type MqttDetails } from '../../../test/support/mqtt-device.ts'
import { callApi, provisionReader, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts'
import { until } from '../../../test/support/wait.ts'

const DAY = 86_400_000
const dateIn = (days: number): string => new Date(Date.now() + days * DAY).toISOString().slice(0, 10)

describe.each(DATABASE_KINDS)('landlord tools (%s)', (kind) => {
  let tp: TestPlatform
  let reader: MqttDetails
  let client: MqttClient
  let seq = 0
  const api = (who: string, method: string, url: string, body?: unknown) => callApi(tp, who, method, url, body)

  beforeAll(async () => {
    tp = await startTestPlatform(kind, { pipeline: { tickMs: 100, sweepMs: 200 } })
    reader = await provisionReader(tp, 'landlord-li', 'demo-b1')
    client = await connectDevice(reader)
  }, 120_000)

  afterAll(async () => {
    await client?.endAsync(true)
    await tp?.dispose()
  })

  async function swipe (value: string, o: { result?: 'granted' | 'denied'; direction?: 'in' | 'out'; kind?: string } = {}): Promise<void> {
    seq++
    const before = await tp.platform.db.query<{ n: number }>('select count(*)::int as n from events')
    await client.publishAsync(`rh/v1/demo-b1/${reader.clientId}/event/access`, JSON.stringify({
      eventId: `${kind}-${seq}`, seq, ts: new Date().toISOString(), door: 'main-gate', direction: o.direction ?? 'in',
      credential: { kind: o.kind ?? 'card', value }, result: o.result ?? 'denied', ...(o.result === 'granted' ? {} : { reason: 'unknown_credential' }),
    }), { qos: 1 })
    await until('the event is in the database', async () =>
      (await tp.platform.db.query<{ n: number }>('select count(*)::int as n from events')).rows[0]!.n > before.rows[0]!.n, 5000)
  }

  describe('building time zone', () => {
    it('defaults to Asia/Shanghai, is set on create and PATCH in its canonical spelling, and reaches the pipeline', async () => {
      const created = await api('landlord-li', 'POST', '/buildings', { gridId: 'lianhua-g1', name: 'West', address: '1 West Rd', timeZone: 'asia/urumqi' })
      expect(created.status).toBe(201)
      expect(created.body.timeZone).toBe('Asia/Urumqi')
      expect((await api('landlord-li', 'GET', '/buildings/demo-b1')).body.timeZone).toBe('Asia/Shanghai')
      const id = created.body.id as string
      await until('the view has the zone', () => tp.platform.view.timeZone(id) === 'Asia/Urumqi')
      const patched = await api('landlord-li', 'PATCH', `/buildings/${id}`, { timeZone: 'Europe/Berlin' })
      expect(patched.status).toBe(200)
      expect(patched.body.timeZone).toBe('Europe/Berlin')
      await until('the view follows the change', () => tp.platform.view.timeZone(id) === 'Europe/Berlin')
    })

    it('refuses a zone the runtime does not know, or an offset, and changes nothing', async () => {
      const before = (await api('admin', 'GET', '/buildings')).body.length
      for (const timeZone of ['Mars/Olympus_Mons', '+08:00', 'UTC+8']) {
        const r = await api('landlord-li', 'POST', '/buildings', { gridId: 'lianhua-g1', name: 'X', address: 'Y', timeZone })
        expect(r.status, timeZone).toBe(400)
        expect(['RH_BAD_REQUEST', 'RH_VALIDATION']).toContain(r.body.code)
      }
      expect((await api('admin', 'GET', '/buildings')).body.length).toBe(before)
      const r = await api('landlord-li', 'PATCH', '/buildings/demo-b1', { timeZone: 'Nowhere/Land' })
      expect(r.status).toBe(400)
      expect((await api('landlord-li', 'GET', '/buildings/demo-b1')).body.timeZone).toBe('Asia/Shanghai')
      // Only those who manage the building set it.
      expect((await api('police-zumiao', 'PATCH', '/buildings/demo-b1', { timeZone: 'Asia/Tokyo' })).status).toBe(403)
    })
  })

  describe('occupancy', () => {
    it('counts registrations and the people the pipeline believes inside, per room, and names nobody', async () => {
      // Zhang Wei's card (demo room 101) goes in.
      await swipe('04A1B2C3', { result: 'granted' })
      let r = await api('landlord-li', 'GET', '/buildings/demo-b1/occupancy')
      await until('the pipeline counts the entry', async () => {
        r = await api('landlord-li', 'GET', '/buildings/demo-b1/occupancy')
        return r.body.rooms.find((x: { number: string }) => x.number === '101')?.observedInside === 1
      }, 5000)
      expect(r.status).toBe(200)
      expect(r.body.presenceKnown).toBe(true)
      const byNumber = Object.fromEntries(r.body.rooms.map((x: { number: string }) => [x.number, x]))
      expect(byNumber['101']).toEqual({
        roomId: 'demo-b1-101', number: '101', capacity: 2, registered: 1, observedInside: 1, vacant: false, overCapacity: { registered: false, observed: false },
      })
      expect(byNumber['201']).toMatchObject({ registered: 0, observedInside: 0, vacant: true })
      expect(r.body.totals).toMatchObject({ rooms: 3, capacity: 7, registered: 2, observedInside: 1, vacantRooms: 1, overCapacityRooms: 0 })
      expect(JSON.stringify(r.body)).not.toMatch(/Zhang|resident|registrationId/)
      // And out again.
      await swipe('04A1B2C3', { result: 'granted', direction: 'out' })
      await until('the exit is counted', async () =>
        (await api('landlord-li', 'GET', '/buildings/demo-b1/occupancy')).body.rooms.find((x: { number: string }) => x.number === '101').observedInside === 0, 5000)
    })

    it('is the landlord\'s for their own buildings, the area\'s for grid workers and police', async () => {
      expect((await api('grid-chen', 'GET', '/buildings/demo-b1/occupancy')).status).toBe(200)
      expect((await api('police-zumiao', 'GET', '/buildings/demo-b1/occupancy')).status).toBe(200)
      expect((await api('landlord-wang', 'GET', '/buildings/demo-b1/occupancy')).status).toBe(404)
      expect((await api('police-other', 'GET', '/buildings/demo-b1/occupancy')).status).toBe(404)
      expect((await api('vendor-acme', 'GET', '/buildings/demo-b1/occupancy')).status).toBe(403)
    })
  })

  describe('enrol a card by swiping it', () => {
    let registrationId: string

    beforeAll(async () => {
      const r = await api('landlord-li', 'POST', '/rooms/demo-b1-201/registrations', {
        resident: { name: '陈小红', idType: 'resident_id', idNumber: residentIdNumber(9101) },
      })
      expect(r.status).toBe(201)
      registrationId = r.body.registration.id
    })

    it('lists the unknown card with a masked number and a reference that enrols it, once', async () => {
      await swipe('ab12cd34')
      await swipe('AB12CD34')
      const list = await api('landlord-li', 'GET', '/buildings/demo-b1/unknown-credentials')
      expect(list.status).toBe(200)
      expect(list.body.windowMinutes).toBe(15)
      const item = list.body.items.find((x: { valueMasked: string }) => x.valueMasked === '…CD34')
      expect(item).toMatchObject({ kind: 'card', door: 'main-gate', deviceId: reader.clientId, result: 'denied', count: 2, heldElsewhere: false })
      expect(item.ref).toMatch(/^p-[A-Za-z0-9_-]{22}$/)
      expect(JSON.stringify(list.body)).not.toMatch(/AB12CD34/i)
      // The demo tenants' cards are held here: not listed.
      expect(list.body.items.find((x: { valueMasked: string }) => x.valueMasked === '…B2C3')).toBeUndefined()
      // Asking again gives the same reference.
      const again = await api('landlord-li', 'GET', '/buildings/demo-b1/unknown-credentials')
      expect(again.body.items.find((x: { valueMasked: string }) => x.valueMasked === '…CD34').ref).toBe(item.ref)

      // Another landlord cannot use it for their tenant, nor list this building.
      const other = await api('landlord-wang', 'POST', '/rooms/demo-b2-101/registrations', {
        resident: { name: '王五', idType: 'resident_id', idNumber: residentIdNumber(9102) },
      })
      expect((await api('landlord-wang', 'POST', `/registrations/${other.body.registration.id}/credentials`, { fromPresentation: item.ref })).status).toBe(404)
      expect((await api('landlord-wang', 'GET', '/buildings/demo-b1/unknown-credentials')).status).toBe(404)
      expect((await api('police-zumiao', 'GET', '/buildings/demo-b1/unknown-credentials')).status).toBe(403)

      const issued = await api('landlord-li', 'POST', `/registrations/${registrationId}/credentials`, { fromPresentation: item.ref })
      expect(issued.status).toBe(201)
      expect(issued.body).toMatchObject({ kind: 'card', value: '…CD34', status: 'active', registrationId })
      const stored = await tp.platform.db.query<{ value: string }>('select value from credentials where id = $1', [issued.body.id])
      expect(stored.rows[0]!.value).toBe('AB12CD34')
      // Used: it enrols nothing more, and the card, now held here, leaves the list.
      expect((await api('landlord-li', 'POST', `/registrations/${registrationId}/credentials`, { fromPresentation: item.ref })).status).toBe(404)
      const after = await api('landlord-li', 'GET', '/buildings/demo-b1/unknown-credentials')
      expect(after.body.items.find((x: { valueMasked: string }) => x.valueMasked === '…CD34')).toBeUndefined()
    })

    it('refuses a reference past its 15 minutes, and a body with both a value and a reference', async () => {
      await swipe('0F0F0F0F')
      const item = (await api('landlord-li', 'GET', '/buildings/demo-b1/unknown-credentials')).body.items
        .find((x: { valueMasked: string }) => x.valueMasked === '…0F0F')
      expect((await api('landlord-li', 'POST', `/registrations/${registrationId}/credentials`, { kind: 'card', value: '0F0F0F0F', fromPresentation: item.ref })).status).toBe(400)
      await tp.platform.db.query(`update enrolment_refs set expires_at = now() - interval '1 second' where ref = $1`, [item.ref])
      const late = await api('landlord-li', 'POST', `/registrations/${registrationId}/credentials`, { fromPresentation: item.ref })
      expect(late.status).toBe(409)
      expect(late.body.code).toBe('RH_CONFLICT')
      const held = await tp.platform.db.query(`select 1 from credentials where value = '0F0F0F0F'`)
      expect(held.rows).toHaveLength(0)
      // A listing older than the window is not widened by `since`.
      const old = await api('landlord-li', 'GET', `/buildings/demo-b1/unknown-credentials?since=${encodeURIComponent(new Date(Date.now() - DAY).toISOString())}`)
      expect(old.status).toBe(200)
    })

    it('marks a card another building holds: enrolling it answers 409 and names nobody', async () => {
      await swipe('04D5E6F7') // demo-b2's tenant's card
      const item = (await api('landlord-li', 'GET', '/buildings/demo-b1/unknown-credentials')).body.items
        .find((x: { valueMasked: string }) => x.valueMasked === '…E6F7')
      expect(item.heldElsewhere).toBe(true)
      const r = await api('landlord-li', 'POST', `/registrations/${registrationId}/credentials`, { fromPresentation: item.ref })
      expect(r.status).toBe(409)
      expect(r.body.code).toBe('RH_CREDENTIAL_IN_USE')
    })
  })

  describe('deregistration inbox', () => {
    it('lists residents not seen, permits expiring and expired, each with its registration id and action', async () => {
      const reg = async (room: string, n: number, extra: object) => {
        const r = await api('landlord-li', 'POST', `/rooms/${room}/registrations`, {
          resident: { name: n === 1 ? 'Zhao Liu' : '孙七', idType: 'resident_id', idNumber: residentIdNumber(9200 + n) }, ...extra,
        })
        expect(r.status).toBe(201)
        return r.body.registration.id as string
      }
      const gone = await reg('demo-b1-102', 1, { arrivedAt: new Date(Date.now() - 45 * DAY).toISOString() })
      const expiring = await reg('demo-b1-102', 2, { permitValidUntil: dateIn(10) })
      const r = await api('landlord-li', 'GET', '/buildings/demo-b1/inbox')
      expect(r.status).toBe(200)
      expect(r.body.notSeenDays).toBe(30)
      const notSeen = r.body.items.find((x: { registrationId: string }) => x.registrationId === gone)
      expect(notSeen).toMatchObject({ type: 'not_seen', roomNumber: '102', nameMasked: 'Z*** L**', lastSeenAt: null, actions: ['deregister'] })
      expect(notSeen.daysNotSeen).toBeGreaterThanOrEqual(44)
      const permit = r.body.items.find((x: { registrationId: string }) => x.registrationId === expiring)
      expect(permit).toMatchObject({ type: 'permit_expiring', nameMasked: '孙*', permitValidUntil: dateIn(10), actions: ['renew'] })
      expect(permit.daysLeft).toBeGreaterThanOrEqual(9)
      expect(permit.daysLeft).toBeLessThanOrEqual(11)
      expect(JSON.stringify(r.body)).not.toMatch(/Zhao|Liu|孙七/)

      // The one-click action takes the id; the item goes.
      expect((await api('landlord-li', 'POST', `/registrations/${gone}/deregister`, { reason: 'moved_out' })).status).toBe(200)
      // A renewal lies ahead: one that has already ended is refused.
      expect((await api('landlord-li', 'POST', `/registrations/${expiring}/renew`, { permitValidUntil: dateIn(-2) })).status).toBe(400)
      const renewed = await api('landlord-li', 'POST', `/registrations/${expiring}/renew`, { permitValidUntil: dateIn(60) })
      expect(renewed.status).toBe(200)
      const ended = await reg('demo-b1-102', 3, { permitValidUntil: dateIn(-2) })
      const after = await api('landlord-li', 'GET', '/buildings/demo-b1/inbox')
      expect(after.body.items.find((x: { registrationId: string }) => x.registrationId === gone)).toBeUndefined()
      expect(after.body.items.find((x: { registrationId: string }) => x.registrationId === expiring)).toBeUndefined()
      expect(after.body.items.find((x: { registrationId: string }) => x.registrationId === ended))
        .toMatchObject({ type: 'permit_expired', actions: ['renew', 'deregister'], lapsed: false, reminders: [] })
    })

    it('is audited, and scoped like the registrations', async () => {
      const audit = await tp.platform.db.query(`select 1 from audit_log where action = 'inbox.read' and subject_id = 'demo-b1'`)
      expect(audit.rows.length).toBeGreaterThan(0)
      expect((await api('grid-chen', 'GET', '/buildings/demo-b1/inbox')).status).toBe(200)
      expect((await api('landlord-wang', 'GET', '/buildings/demo-b1/inbox')).status).toBe(404)
      expect((await api('vendor-acme', 'GET', '/buildings/demo-b1/inbox')).status).toBe(403)
    })
  })
})
