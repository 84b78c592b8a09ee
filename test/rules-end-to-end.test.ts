// Every rule end to end, on both databases: devices provisioned through the
// API connect to the real broker over a real socket and publish; the alert
// appears on the API, on the live stream (SSE) of the police console, on the
// police station's MQTT alert topic and at its webhook receiver (signed).
// Dedup, the lifecycle and auto-resolution are checked on the way. The
// platform's clock for the rules is moved forward where a rule waits days.

import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import mqtt, { type MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifySignature } from '../platform/alerts/signature.ts'
import { DATABASE_KINDS } from './support/databases.ts'
import { residentIdNumber } from './support/id-numbers.ts'
import { connectDevice, type MqttDetails } from './support/mqtt-device.ts'
import { callApi, startTestPlatform, type TestPlatform } from './support/platform.ts'
import { LiveStreamReader } from '../contract/live-stream-reader.ts'
import { until } from './support/wait.ts'

interface Alert {
  id: string; type: string; status: string; count: number; level: number | null; severity: string; roomId: string | null; door: string | null
  credentialId: string | null; evidence: string[]; autoResolved: boolean; explanation: string
}

const HOUR = 3_600_000
const DAY = 24 * HOUR

describe.each(DATABASE_KINDS)('rules end to end (%s)', (kind) => {
  let tp: TestPlatform
  let clockOffset = 0
  const devices: Record<string, { client: MqttClient; details: MqttDetails; seq: number }> = {}
  let sse: LiveStreamReader
  let dispatch: MqttClient
  const onTopic: Array<{ topic: string; kind: string; alert: Alert }> = []
  let hookServer: Server
  let hookSecret = ''
  const hooks: Array<{ event: string; alert: Alert; signed: boolean; delivery: string }> = []

  const api = (who: string, method: string, url: string, body?: object) => callApi(tp, who, method, url, body)
  const b = 'demo-b1'
  let n = 0

  beforeAll(async () => {
    tp = await startTestPlatform(kind, {
      // The webhook receiver below listens on loopback over http: the development setting allows it.
      env: { WEBHOOK_ALLOW_INSECURE_LOCAL: 'on', RULE_HEARTBEAT_S: '30', RULE_MISSED_HEARTBEATS: '2', RULE_TAILGATING_WINDOW_S: '1', RULE_VISITOR_MAX_STAY_H: '1' },
      pipeline: { tickMs: 100, sweepMs: 200, now: () => Date.now() + clockOffset },
    })
    // The police station's webhook receiver, and its console stream and MQTT feed.
    hookServer = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const body = Buffer.concat(chunks)
        const parsed = JSON.parse(body.toString()) as { event: string; alert: Alert }
        hooks.push({ ...parsed, signed: verifySignature(hookSecret, body, req.headers['x-rh-signature'] as string), delivery: String(req.headers['x-rh-delivery']) })
        res.writeHead(204).end()
      })
    })
    await new Promise<void>((resolve) => hookServer.listen(0, '127.0.0.1', resolve))
    const hook = await api('police-zumiao', 'POST', '/webhooks', { url: `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/alerts`, areaId: 'zumiao' })
    expect(hook.status).toBe(201)
    hookSecret = hook.body.secret
    sse = await LiveStreamReader.open({ base: tp.platform.addresses.api.replace('localhost', '127.0.0.1'), token: tp.tokens['police-zumiao']!, auth: 'header', keep: true })
    dispatch = await mqtt.connectAsync(tp.mqttUrl, {
      clientId: 'dispatch:police-zumiao', username: 'user:police-zumiao', password: tp.tokens['police-zumiao'], clean: true, reconnectPeriod: 0,
    })
    dispatch.on('message', (topic, payload) => onTopic.push({ topic, ...JSON.parse(payload.toString()) as { kind: string; alert: Alert } }))
    await dispatch.subscribeAsync('rh-alerts/v1/chancheng/zumiao/#', { qos: 1 })
    for (const [id, deviceKind] of [['e2e-reader', 'reader'], ['e2e-cam', 'camera']] as const) {
      const p = await api('landlord-li', 'POST', `/buildings/${b}/devices`, { door: 'main-gate', kind: deviceKind, vendor: 'Acme Access', model: 'X' })
      expect(p.status).toBe(201)
      devices[id] = { client: await connectDevice(p.body.mqtt), details: p.body.mqtt, seq: 0 }
      await publish(id, 'status', { state: 'online', ts: new Date().toISOString() })
    }
  }, 120_000)

  afterAll(async () => {
    sse?.close()
    await dispatch?.endAsync(true)
    for (const d of Object.values(devices)) await d.client.endAsync(true)
    hookServer?.close()
    await tp?.dispose()
  })

  async function publish (device: string, channel: string, payload: object): Promise<void> {
    const d = devices[device]!
    await d.client.publishAsync(`rh/v1/${b}/${d.details.clientId}/${channel}`, JSON.stringify(payload), { qos: 1 })
  }

  /** An event on `channel` with fresh eventId and seq, device time now (plus `shiftMs`). */
  function event (device: string, channel: string, fields: object, shiftMs = 0): Promise<void> {
    const d = devices[device]!
    d.seq++
    n++
    return publish(device, channel, { eventId: `${kind}-${n}`, seq: d.seq, ts: new Date(Date.now() + shiftMs).toISOString(), ...fields })
  }

  const swipe = (value: string, o: { kind?: string; direction?: 'in' | 'out'; result?: 'granted' | 'denied'; door?: string } = {}) =>
    event('e2e-reader', 'event/access', {
      door: o.door ?? 'main-gate', direction: o.direction ?? 'in', credential: { kind: o.kind ?? 'card', value },
      result: o.result ?? 'denied', ...(o.result === 'granted' ? {} : { reason: 'unknown_credential' }),
    })

  async function alertsOf (type: string, status = 'live'): Promise<Alert[]> {
    const r = await api('police-zumiao', 'GET', `/alerts?buildingId=${b}&type=${type}&status=${status}`)
    expect(r.status).toBe(200)
    return r.body.items
  }

  async function waitFor (type: string, check: (a: Alert[]) => boolean = (a) => a.length > 0, status = 'live'): Promise<Alert[]> {
    let found: Alert[] = []
    await until(`a ${type} alert`, async () => check(found = await alertsOf(type, status)), 8000)
    return found
  }

  async function register (room: string, card: string, i: number): Promise<{ registrationId: string; credentialId: string }> {
    const r = await api('landlord-li', 'POST', `/rooms/${room}/registrations`, {
      resident: { name: `Resident ${i}`, idType: 'resident_id', idNumber: residentIdNumber(9000 + i) },
      credentials: [{ kind: 'card', value: card }],
    })
    expect(r.status).toBe(201)
    return { registrationId: r.body.registration.id, credentialId: r.body.credentials[0].id }
  }

  it('an unknown card: one alert, counted, delivered by API, live stream, MQTT topic and signed webhook; then its lifecycle', async () => {
    await swipe('0BADCAFE')
    await swipe('0BADCAFE')
    const [a] = await waitFor('unknown_credential', (x) => x[0]?.count === 2)
    expect(a).toMatchObject({ severity: 'warning', door: 'main-gate', count: 2 })
    expect(a!.evidence).toHaveLength(2)
    expect(a!.explanation).toContain('…CAFE')
    await until('the live stream to show it', () => sse.alertIds().includes(a!.id))
    await until('the MQTT topic to carry it', () => onTopic.some((m) => m.alert.id === a!.id))
    expect(onTopic.find((m) => m.alert.id === a!.id)!.topic).toBe(`rh-alerts/v1/chancheng/zumiao/lianhua/lianhua-g1/${b}`)
    await until('the webhook to receive it', () => hooks.some((h) => h.alert.id === a!.id))
    expect(hooks.find((h) => h.alert.id === a!.id)).toMatchObject({ event: 'alert.opened', signed: true })

    expect((await api('landlord-li', 'POST', `/alerts/${a!.id}/acknowledge`, { note: 'I will check' })).body.status).toBe('acknowledged')
    expect((await api('landlord-li', 'POST', `/alerts/${a!.id}/resolve`, { note: 'x', closureReason: 'real' })).status).toBe(403)
    const resolved = await api('police-zumiao', 'POST', `/alerts/${a!.id}/resolve`, { note: 'stolen card reported', closureReason: 'real' })
    expect(resolved.body).toMatchObject({ status: 'resolved', resolutionNote: 'stolen card reported', closureReason: 'real', autoResolved: false })
    await until('the webhook to receive the resolution', () => hooks.some((h) => h.alert.id === a!.id && h.event === 'alert.resolved'))
    // The same card again after resolution is a new alert.
    await swipe('0BADCAFE')
    const [again] = await waitFor('unknown_credential')
    expect(again!.id).not.toBe(a!.id)
  })

  it('five denials in a row raise repeated_denials, for the card and (with the three before) for the door', async () => {
    for (let i = 0; i < 5; i++) await swipe('0BADF00D')
    const found = await waitFor('repeated_denials', (x) => x.length === 2)
    const card = found.find((a) => a.explanation.includes('…F00D was refused 5 times'))
    expect(card).toMatchObject({ severity: 'major', count: 1 })
    expect(card!.evidence).toHaveLength(5)
    const door = found.find((a) => a !== card)!
    expect(door.explanation).toContain('8 access attempts in a row were refused at door main-gate')
  })

  it('a card of another building, a departed tenant\'s card, a card outside its hours', async () => {
    await swipe('04D5E6F7', { result: 'granted' }) // Huang Lei, registered in demo-b2
    expect((await waitFor('foreign_credential'))[0]).toMatchObject({ severity: 'major' })

    const t = await register('demo-b1-201', `0E2E${kind === 'pglite' ? '01' : '02'}`, 1)
    expect((await api('landlord-li', 'POST', `/registrations/${t.registrationId}/deregister`, { reason: 'moved_out' })).status).toBe(200)
    await until('the view to know the departure', () => tp.platform.view.credentialById(t.credentialId)?.registrationStatus === 'departed')
    await swipe(`0E2E${kind === 'pglite' ? '01' : '02'}`)
    expect((await waitFor('expired_credential'))[0]!.explanation).toContain('deregistered')

    const u = await register('demo-b1-201', `0E2E${kind === 'pglite' ? '11' : '12'}`, 2)
    const today = new Date(Date.now() + 8 * HOUR).getUTCDay() || 7 // ISO weekday in Shanghai
    const c = await api('landlord-li', 'POST', `/registrations/${u.registrationId}/credentials`, {
      kind: 'card', value: `0E2E${kind === 'pglite' ? '21' : '22'}`, windows: [{ days: [today % 7 + 1], from: '00:00', to: '23:59' }],
    })
    expect(c.status).toBe(201)
    await until('the view to know the window', () => tp.platform.view.credentialById(c.body.id)?.windows != null)
    await swipe(`0E2E${kind === 'pglite' ? '21' : '22'}`, { result: 'granted' })
    expect((await waitFor('outside_window'))[0]).toMatchObject({ severity: 'warning' })
  })

  it('doors: forced (critical), held open (resolved when closed), tamper', async () => {
    await event('e2e-reader', 'event/door', { door: 'main-gate', state: 'forced_open' })
    expect((await waitFor('door_forced'))[0]).toMatchObject({ severity: 'critical', door: 'main-gate' })
    await event('e2e-reader', 'event/door', { door: 'main-gate', state: 'held_open', durationS: 90 })
    const [held] = await waitFor('door_held_open')
    await event('e2e-reader', 'event/door', { door: 'main-gate', state: 'closed', durationS: 95 })
    const [closed] = await waitFor('door_held_open', (x) => x.some((y) => y.id === held!.id), 'resolved')
    expect(closed).toMatchObject({ autoResolved: true })
    await event('e2e-reader', 'event/door', { door: 'main-gate', state: 'tamper' })
    expect((await waitFor('tamper'))[0]).toMatchObject({ severity: 'critical' })
  })

  it('tailgating: the camera counts three in, one granted entry explains one', async () => {
    // At a door of its own: the granted swipes of the tests before would explain people at the main gate.
    await swipe('04A1B2C3', { result: 'granted', door: 'side-gate' }) // Zhang Wei, room 101
    await event('e2e-cam', 'event/line', { door: 'side-gate', in: 3, out: 0, periodS: 5 })
    const [a] = await waitFor('tailgating')
    expect(a).toMatchObject({ door: 'side-gate', severity: 'major' })
    expect(a!.explanation).toContain('2 entered without a credential')
  })

  it('overcrowding by the register and by observation', async () => {
    await register('demo-b1-101', `0E3E${kind === 'pglite' ? '01' : '02'}`, 3) // 101 holds 2: Zhang Wei + this one
    await register('demo-b1-101', `0E3E${kind === 'pglite' ? '11' : '12'}`, 4)
    expect((await waitFor('overcrowding_registered'))[0]).toMatchObject({ roomId: 'demo-b1-101', severity: 'major' })
    // Room 102 (capacity 3): its tenant and three visitors go in, then a fourth.
    const passes: string[] = []
    for (let i = 0; i < 4; i++) {
      const p = await api('landlord-li', 'POST', '/rooms/demo-b1-102/visitor-passes', { visitorName: `Guest ${i}`, validUntil: new Date(Date.now() + 2 * DAY).toISOString() })
      expect(p.status).toBe(201)
      passes.push(p.body.value)
    }
    await until('the view to know the passes', () => tp.platform.view.credentialByValue('qr', passes[3]!) !== undefined)
    await swipe('E0040150A1B2C3D4', { kind: 'ic_card', result: 'granted' })
    for (const qr of passes.slice(0, 3)) await swipe(qr, { kind: 'qr', result: 'granted' })
    const [raised] = await waitFor('overcrowding_observed')
    expect(raised).toMatchObject({ roomId: 'demo-b1-102', level: 4, count: 1 })
    // The open alert follows the room: five inside now, everywhere the alert goes.
    await swipe(passes[3]!, { kind: 'qr', result: 'granted' })
    const [five] = await waitFor('overcrowding_observed', (x) => x[0]?.level === 5)
    expect(five).toMatchObject({ id: raised!.id, count: 1 })
    expect(five!.explanation).toContain('5 people of room 102 are inside')
    expect(five!.evidence).toHaveLength(5)
    const isFive = (a: Alert): boolean => a.id === raised!.id && a.level === 5 && a.explanation.includes('5 people')
    await until('the live stream to show five', () => sse.messages.some((e) => e.event === 'alert' && isFive((e.data as { alert: Alert }).alert)))
    await until('the MQTT topic to carry five', () => onTopic.some((m) => m.kind === 'updated' && isFive(m.alert)))
    await until('the webhook to be told', () => hooks.some((h) => h.event === 'alert.changed' && isFive(h.alert)))
    const history = (await api('police-zumiao', 'GET', `/alerts/${raised!.id}`)).body.history as Array<{ action: string; detail: object }>
    expect(history.map((h) => [h.action, h.detail])).toContainEqual(['changed', { level: { from: 4, to: 5 } }])
    await swipe(passes[0]!, { kind: 'qr', direction: 'out', result: 'granted' })
    await waitFor('overcrowding_observed', (x) => x[0]?.level === 4)
    await swipe(passes[1]!, { kind: 'qr', direction: 'out', result: 'granted' })
    await waitFor('overcrowding_observed', (x) => x.some((y) => y.roomId === 'demo-b1-102' && y.autoResolved), 'resolved')
  })

  it('presence follows visitors across renewed passes: in on the new pass, out on the old one', async () => {
    const room = await api('landlord-li', 'POST', `/buildings/${b}/rooms`, { number: `3${kind === 'pglite' ? '01' : '02'}`, capacity: 2 })
    expect(room.status).toBe(201)
    const url = `/rooms/${room.body.id}/visitor-passes`
    const issue = async (body: object) => {
      const r = await api('landlord-li', 'POST', url, { validUntil: new Date(Date.now() + DAY).toISOString(), ...body })
      expect(r.status).toBe(201)
      return r.body as { id: string; value: string }
    }
    const old = [await issue({ visitorName: 'Guest A' }), await issue({ visitorName: 'Guest B' })]
    const renewed = [await issue({ renews: old[0]!.id }), await issue({ renews: old[1]!.id })]
    const later = [await issue({ visitorName: 'Guest C' }), await issue({ visitorName: 'Guest D' })]
    await until('the view to know the passes', () => tp.platform.view.credentialById(later[1]!.id) !== undefined)
    for (const p of renewed) await swipe(p.value, { kind: 'qr', result: 'granted' })
    // A reader that has not yet heard of the renewal lets them out on yesterday's pass.
    for (const p of old) await swipe(p.value, { kind: 'qr', direction: 'out', result: 'granted' })
    for (const p of later) await swipe(p.value, { kind: 'qr', result: 'granted' })
    // A later event with an alert of its own: once it is raised, everything before it was judged.
    await swipe(`0E4E${kind === 'pglite' ? '01' : '02'}`)
    await waitFor('unknown_credential', (x) => x.some((a) => a.explanation.includes(`…4E${kind === 'pglite' ? '01' : '02'}`)))
    expect((await alertsOf('overcrowding_observed')).filter((a) => a.roomId === room.body.id)).toEqual([])
    // The stale reader is reported, for the pass it should no longer have taken.
    const stale = await alertsOf('expired_credential')
    expect(old.every((p) => stale.some((a) => a.credentialId === p.id))).toBe(true)
    // C and D leave again, so that only room 102's visitors overstay later on.
    for (const p of later) await swipe(p.value, { kind: 'qr', direction: 'out', result: 'granted' })
  })

  it('devices: offline by last will and resolved on return; clock drift', async () => {
    const cam = devices['e2e-cam']!
    cam.client.stream.destroy() // connection lost: the broker publishes the last will
    const [a] = await waitFor('device_offline')
    expect(a!.explanation).toContain('last will')
    cam.client = await connectDevice(cam.details)
    await publish('e2e-cam', 'status', { state: 'online', ts: new Date().toISOString() })
    await waitFor('device_offline', (x) => x.some((y) => y.id === a!.id && y.autoResolved), 'resolved')
    await publish('e2e-reader', 'heartbeat', { ts: new Date(Date.now() - 60_000).toISOString(), uptimeS: 10 })
    expect((await waitFor('clock_drift'))[0]!.explanation).toContain('behind')
  })

  it('on the platform clock: a visitor overstays, residents go unseen, a room stands vacant', async () => {
    clockOffset = 2 * HOUR // past the one-hour stay of the visitors still inside room 102
    expect((await waitFor('visitor_overstay', (x) => x.length === 2))[0]).toMatchObject({ roomId: 'demo-b1-102', severity: 'warning' })
    clockOffset = 100 * DAY
    const unseen = await waitFor('resident_not_seen', (x) => x.length >= 3)
    expect(unseen.every((x) => x.severity === 'info')).toBe(true)
    expect((await waitFor('room_vacant', (x) => x.some((y) => y.roomId === 'demo-b1-201')))).toBeDefined()
    // Devices that said nothing for 100 days are offline too.
    await waitFor('device_offline', (x) => x.length >= 2)
  })

  it('sent every alert the police console saw to the webhook, once per delivery, signed', async () => {
    const live = (await api('police-zumiao', 'GET', `/alerts?buildingId=${b}&limit=1000`)).body.items as Alert[]
    await until('the webhook to catch up', () => live.every((a) => hooks.some((h) => h.alert.id === a.id)), 10_000)
    expect(hooks.every((h) => h.signed)).toBe(true)
    expect(new Set(hooks.map((h) => h.delivery)).size).toBe(hooks.length)
  })
})
