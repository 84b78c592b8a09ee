// A site that already runs Frigate, behind the gateway, against the real
// platform: an Aedes broker on port 0 plays Frigate's broker and carries
// Frigate-shaped messages. A person entering a configured zone reaches the
// platform as one `event/person` however many updates Frigate sends, and
// still one after the gateway restarts and Frigate's messages come again;
// hostile messages are refused and counted; Frigate going offline makes the
// connector unreachable; and with a line configured, the zone order becomes
// in/out counts in `event/line`.

import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mqtt, { type MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FrigateConfig } from '../gateway/frigate/frigate-config.ts'
import { frigateEvent } from '../gateway/frigate/frigate-messages.test-kit.ts'
import { FrigateSite } from '../gateway/frigate/frigate-site.ts'
import { SourceSequences } from '../gateway/journal/sequences.ts'
import { testBroker, type TestBroker } from '../protocol/device-client/broker.test-kit.ts'
import { loadSiteConfig, SiteConfigError } from '../gateway/site-config.ts'
import { shippedModels } from '../gateway/legacy/reader-model.ts'
import { callApi, startTestPlatform, type TestPlatform } from './support/platform.ts'
import { until } from './support/wait.ts'

describe('a Frigate site behind the gateway', () => {
  let tp: TestPlatform
  let frigateBroker: TestBroker
  let frigate: MqttClient
  let dir: string
  let site: FrigateSite
  let config: FrigateConfig
  const startedAt = new Date(Date.now() - 60_000).toISOString()

  const provisionCamera = async (): Promise<{ id: string; buildingId: string; password: string }> => {
    const r = await callApi(tp, 'landlord-li', 'POST', '/buildings/demo-b1/devices', { door: 'main-gate', kind: 'camera', vendor: 'Acme Access', model: 'AC-10' })
    expect(r.status, JSON.stringify(r.body)).toBe(201)
    return { id: r.body.mqtt.clientId, buildingId: 'demo-b1', password: r.body.mqtt.password }
  }
  const openSite = async (): Promise<FrigateSite> => {
    const s = await FrigateSite.open({
      config, mqttUrl: tp.mqttUrl.replace('localhost', '127.0.0.1'), dataDir: dir, timeZone: 'Asia/Shanghai', journal: {},
      sequences: new SourceSequences(join(dir, 'sequences.json')), onLog: () => {}, lineCountPeriodS: 1,
    })
    s.start()
    await until('the camera sessions online and Frigate subscribed', () => s.sessions.every((c) => c.client.connected) && s.adapter.connected, 10_000)
    return s
  }
  /** What Frigate publishes, waited for until the gateway has read it. */
  const publish = async (topic: string, payload: string | Buffer): Promise<void> => {
    const before = site.adapter.counters.messages
    await frigate.publishAsync(topic, payload, { qos: 1 })
    await until(`the gateway read ${topic}`, () => site.adapter.counters.messages > before, 5000)
  }
  const doorEvents = async (channel: string): Promise<any[]> => {
    const r = await callApi(tp, 'police-zumiao', 'GET', `/buildings/demo-b1/doors/main-gate/events?from=${encodeURIComponent(startedAt)}&to=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)
    expect(r.status).toBe(200)
    return (r.body as any[]).filter((e) => e.channel === channel)
  }
  const now = (): number => Date.now() / 1000

  beforeAll(async () => {
    tp = await startTestPlatform('pglite')
    frigateBroker = await testBroker()
    frigate = await mqtt.connectAsync(frigateBroker.url, { clientId: 'frigate', reconnectPeriod: 0 })
    dir = mkdtempSync(join(tmpdir(), 'rh-gw-frigate-'))
    config = {
      url: frigateBroker.url, topicPrefix: 'frigate', http: 'http://frigate.lan:5000',
      cameras: [
        { map: { frigate: 'front_door', zones: { lobby: { door: 'main-gate' }, porch: {} } }, device: await provisionCamera() },
        { map: { frigate: 'gate_cam', zones: { street: {}, yard: {} }, line: { door: 'main-gate', outside: 'street', inside: 'yard' } }, device: await provisionCamera() },
      ],
    }
    site = await openSite()
  }, 60_000)

  afterAll(async () => {
    await site?.stop()
    await frigate?.endAsync(true)
    await frigateBroker?.close()
    await tp?.dispose()
    rmSync(dir, { recursive: true, force: true })
  })

  it('publishes one event/person per person and zone entered, however many updates Frigate sends', async () => {
    const cam = site.sessions[0]!
    const id = `${now().toFixed(6)}-p1`
    await publish('frigate/lobby/person', '2')
    await publish('frigate/events', frigateEvent({ type: 'new', id, frameTime: now() }))
    await publish('frigate/events', frigateEvent({ id, entered: ['lobby'], frameTime: now() }))
    for (let i = 0; i < 5; i++) await publish('frigate/events', frigateEvent({ id, entered: ['lobby'], before: ['lobby'], frameTime: now() }))
    await publish('frigate/events', frigateEvent({ type: 'end', id, entered: ['lobby', 'garden'], before: ['lobby'], frameTime: now() }))
    await until('the person event at the platform', async () => (await doorEvents('event/person')).length === 1, 10_000)
    const [e] = await doorEvents('event/person')
    expect(e.deviceId).toBe(cam.client.deviceId)
    expect(e.payload).toMatchObject({ door: 'main-gate', zone: 'lobby', count: 2, confidence: 0.91, snapshot: `http://frigate.lan:5000/api/events/${id}/snapshot.jpg` })
    expect(cam.counters).toMatchObject({ persons: 1, duplicates: 6 })
    // A zone without a door is reported too, as the camera's, without a door (not in the door's history).
    await publish('frigate/events', frigateEvent({ id, entered: ['lobby', 'porch'], frameTime: now() }))
    await until('the porch entry kept', () => cam.counters.persons === 2, 5000)
  })

  it('refuses what is not Frigate\'s, counts it, and carries on', async () => {
    const a = site.adapter.counters
    const before = { ...a, refused: { ...a.refused } }
    await publish('frigate/events', '{"type": "new", "after": ')
    await publish('frigate/events', Buffer.alloc(200 * 1024, 0x7b))
    await publish('frigate/events', JSON.stringify({ type: 'update', after: { id: 'x', camera: 42 } }))
    await publish('frigate/events', frigateEvent({ camera: 'garage', entered: ['lobby'] }))
    await publish('frigate/events', frigateEvent({ label: 'car', entered: ['lobby'] }))
    await publish('frigate/lobby/person', 'many')
    expect(a.refused).toEqual({ not_json: before.refused.not_json + 1, too_big: before.refused.too_big + 1, not_frigate: before.refused.not_frigate + 2 })
    expect(a.unknownCamera).toBe(before.unknownCamera + 1)
    expect(a.notPerson).toBe(before.notPerson + 1)
    expect(site.adapter.zoneCount('lobby')).toBe(2)
    // Still reading: a real entry after all that arrives.
    const id = `${now().toFixed(6)}-p2`
    await publish('frigate/events', frigateEvent({ id, entered: ['lobby'], frameTime: now() }))
    await until('the second person at the platform', async () => (await doorEvents('event/person')).length === 2, 10_000)
  })

  it('makes no second event when the gateway restarts and Frigate\'s messages come again', async () => {
    const id = `${now().toFixed(6)}-p3`
    const entry = frigateEvent({ id, entered: ['lobby'], frameTime: now() })
    await publish('frigate/events', entry)
    await until('the third person at the platform', async () => (await doorEvents('event/person')).length === 3, 10_000)
    await until('the journals emptied', () => site.journals.every((j) => j.depth === 0), 5000)
    await site.stop()
    site = await openSite()
    await publish('frigate/events', entry)
    await publish('frigate/events', frigateEvent({ type: 'end', id, entered: ['lobby'], before: ['lobby'], frameTime: now() }))
    expect(site.sessions[0]!.counters).toMatchObject({ persons: 0, duplicates: 2 })
    expect(site.journals[0]!.depth).toBe(0)
    const events = await doorEvents('event/person')
    expect(events).toHaveLength(3)
    expect(new Set(events.map((e) => e.eventId)).size).toBe(3)
  }, 30_000)

  it('says Frigate is unreachable when Frigate says offline, reachable when it is back', async () => {
    expect(site.sessions[0]!.connector).toMatchObject({ kind: 'frigate', state: 'reachable' })
    await publish('frigate/available', 'offline')
    expect(site.sessions[0]!.connector.state).toBe('unreachable')
    expect(Date.parse(site.sessions[1]!.connector.lastHeardAt!)).toBeGreaterThan(Date.now() - 5000)
    await publish('frigate/available', 'online')
    expect(site.sessions[0]!.connector.state).toBe('reachable')
  })

  it('with a line configured, counts street→yard as in and yard→street as out, once each, in event/line', async () => {
    const cam = site.sessions[1]!
    const before = (await doorEvents('event/line')).filter((e) => e.deviceId === cam.client.deviceId)
    const inId = `${now().toFixed(6)}-in`
    const outId = `${now().toFixed(6)}-out`
    await publish('frigate/events', frigateEvent({ camera: 'gate_cam', id: inId, entered: ['street'], frameTime: now() }))
    await publish('frigate/events', frigateEvent({ camera: 'gate_cam', id: inId, entered: ['street', 'yard'], frameTime: now() }))
    await publish('frigate/events', frigateEvent({ camera: 'gate_cam', id: inId, entered: ['street', 'yard'], frameTime: now() }))
    await publish('frigate/events', frigateEvent({ camera: 'gate_cam', id: outId, entered: ['yard', 'street'], frameTime: now() }))
    expect(cam.counters.crossings).toEqual({ in: 1, out: 1 })
    await until('the counts at the platform', async () => {
      const lines = (await doorEvents('event/line')).filter((e) => e.deviceId === cam.client.deviceId)
      return lines.reduce((n, e) => n + e.payload.in, 0) === 1 && lines.reduce((n, e) => n + e.payload.out, 0) === 1
    }, 10_000)
    const lines = (await doorEvents('event/line')).filter((e) => e.deviceId === cam.client.deviceId)
    expect(lines.length).toBeGreaterThan(before.length)
    expect(lines.every((e) => e.payload.periodS === 1 && e.payload.door === 'main-gate')).toBe(true)
  })
})

describe('the frigate section of the site config', () => {
  it('lists every mistake with its place', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rh-gw-frigate-config-'))
    try {
      writeFileSync(join(dir, 'cam.json'), JSON.stringify({ clientId: 'd-cam1', password: 'secret' }))
      chmodSync(join(dir, 'cam.json'), 0o600)
      writeFileSync(join(dir, 'pw.txt'), 'frigate-pass\n')
      chmodSync(join(dir, 'pw.txt'), 0o644)
      const file = join(dir, 'site.yaml')
      const write = (frigate: string): void => writeFileSync(file, `platform: { mqtt: mqtt://127.0.0.1:1883 }\nsite: { timeZone: Asia/Shanghai, dataDir: data }\nlisteners: []\nreaders: []\nfrigate:\n${frigate}`)
      write(`  mqtt: mqtt://127.0.0.1:1884
  passwordFile: pw.txt
  http: http://frigate.lan:5000
  cameras:
    - { frigate: front_door, credentialsFile: cam.json, building: demo-b1, zones: { lobby: { door: main-gate } }, line: { door: main-gate, outside: street, inside: lobby } }
    - { frigate: lobby, credentialsFile: cam.json, building: demo-b1, zones: { lobby: {} } }
`)
      const problems = (() => {
        try {
          loadSiteConfig(file, shippedModels())
          return []
        } catch (err) {
          expect(err).toBeInstanceOf(SiteConfigError)
          return (err as SiteConfigError).problems
        }
      })()
      expect(problems).toEqual([
        expect.stringMatching(/^\/frigate\/passwordFile: .* can be read by other users; chmod 600 it$/),
        '/frigate/username: a passwordFile needs the username it goes with',
        '/frigate/cameras/0/zones/lobby: lobby is also a camera name; Frigate\'s count topics could not tell them apart',
        '/frigate/cameras/0/line/outside: street is not one of this camera\'s zones; add it under zones',
        '/frigate/cameras/1/zones/lobby: zone lobby is configured on camera front_door too; Frigate zone names are one per site',
        '/frigate/cameras/1/zones/lobby: lobby is also a camera name; Frigate\'s count topics could not tell them apart',
        '/frigate/cameras/1/credentialsFile: device d-cam1 is used by another Frigate camera too (one session per device)',
      ])
      write('  mqtt: http://frigate\n  cameras: []\n')
      expect(() => loadSiteConfig(file, shippedModels())).toThrow(/\/frigate\/mqtt: write mqtt:\/\/host:port/)
      chmodSync(join(dir, 'pw.txt'), 0o600)
      write('  mqtt: mqtt://127.0.0.1:1884\n  username: gw\n  passwordFile: pw.txt\n  cameras:\n    - { frigate: front_door, credentialsFile: cam.json, building: demo-b1, zones: { lobby: { door: main-gate } } }\n')
      expect(loadSiteConfig(file, shippedModels()).frigate).toEqual({
        url: 'mqtt://127.0.0.1:1884', topicPrefix: 'frigate', username: 'gw', password: 'frigate-pass',
        cameras: [{ map: { frigate: 'front_door', zones: { lobby: { door: 'main-gate' } } }, device: { id: 'd-cam1', buildingId: 'demo-b1', password: 'secret' } }],
      })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
