// Kill -9 the platform while devices publish, restart it on the same data:
// every event a device got a PUBACK for is in the log, none twice, the
// redelivered ones had no second effect, and the alerts are exactly what the
// events call for: every swipe of an unknown card counted once on its alert,
// and the runs of denials carried on across the crash.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mqtt, { type MqttClient } from 'mqtt'
import { afterAll, describe, expect, it } from 'vitest'
import { CredentialSecrets } from '../platform/privacy/credential-secrets.ts'
import { PgliteDatabase } from '../platform/store/pglite-database.ts'
import { freePort, kill9, startPlatformProcess, stopGracefully, type PlatformProcess } from './support/platform-process.ts'

const DEVICES = 4
const EVENTS_PER_DEVICE = 400

describe('crash and restart', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rh-crash-'))
  let proc: PlatformProcess | undefined
  afterAll(async () => {
    if (proc !== undefined) await stopGracefully(proc)
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('loses no acknowledged event and applies none twice', async () => {
    const env = {
      DATA_DIR: dataDir, HTTP_PORT: String(await freePort()), MQTT_PORT: String(await freePort()), MQTT_WS_PORT: 'off',
      DATA_KEY: 'c4'.repeat(32),
    }
    proc = await startPlatformProcess(env)
    const api = `http://127.0.0.1:${env.HTTP_PORT}`
    const login = await (await fetch(`${api}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'demo-password' }) })).json() as { token: string }
    const devices: Array<{ id: string; password: string; topic: string; will: string }> = []
    for (let i = 0; i < DEVICES; i++) {
      const r = await fetch(`${api}/buildings/demo-b1/devices`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${login.token}` },
        body: JSON.stringify({ id: `crash-${i}`, door: 'main-gate', kind: 'reader', vendor: 'Acme Access', model: 'AR-200' }),
      })
      const body = await r.json() as { mqtt: { clientId: string; password: string; publish: string[]; will: { topic: string } } }
      devices.push({ id: body.mqtt.clientId, password: body.mqtt.password, topic: body.mqtt.publish[0]!, will: body.mqtt.will.topic })
    }
    const url = `mqtt://127.0.0.1:${env.MQTT_PORT}`
    const acked = new Set<string>()
    // Each device's swipes present one unknown card at a door of its own, refused: an alert per card, and a run of denials.
    const ts = new Date().toISOString()
    const event = (d: number, n: number) => JSON.stringify({
      eventId: `crash-${d}-${n}`, seq: n + 1, ts, door: `door-${d}`, direction: 'in',
      credential: { kind: 'card', value: `DEAD000${d}` }, result: 'denied', reason: 'unknown_credential',
    })

    // Phase 1: every device publishes as fast as it can; the platform is killed part-way.
    const connect = (d: (typeof devices)[number]): Promise<MqttClient> => mqtt.connectAsync(url, {
      clientId: d.id, username: d.id, password: d.password, reconnectPeriod: 0, connectTimeout: 5000,
      will: { topic: d.will, payload: Buffer.from('{"state":"offline","reason":"lwt"}'), qos: 1, retain: true },
    })
    const clients = await Promise.all(devices.map(connect))
    const sending = clients.map(async (c, d) => {
      for (let n = 0; n < EVENTS_PER_DEVICE; n++) {
        try {
          await c.publishAsync(devices[d]!.topic, event(d, n), { qos: 1 })
          acked.add(`crash-${d}-${n}`)
        } catch {
          return
        }
      }
    })
    while (acked.size < (DEVICES * EVENTS_PER_DEVICE) / 3) await new Promise((r) => setTimeout(r, 5))
    await kill9(proc)
    // In-flight publishes of a dead connection never complete: stop waiting for them.
    for (const c of clients) c.end(true)
    await Promise.race([Promise.allSettled(sending), new Promise((r) => setTimeout(r, 1000))])
    const ackedBeforeCrash = acked.size
    expect(ackedBeforeCrash).toBeGreaterThan(0)
    expect(ackedBeforeCrash).toBeLessThan(DEVICES * EVENTS_PER_DEVICE)

    // Phase 2: restart; devices resend everything from the start (acknowledged ones too, as a gateway replay would).
    proc = await startPlatformProcess(env)
    const again = await Promise.all(devices.map(connect))
    await Promise.all(again.map(async (c, d) => {
      for (let n = 0; n < EVENTS_PER_DEVICE; n++) {
        await c.publishAsync(devices[d]!.topic, event(d, n), { qos: 1 })
        acked.add(`crash-${d}-${n}`)
      }
      await c.endAsync()
    }))
    await stopGracefully(proc)
    proc = undefined

    const db = await PgliteDatabase.open(join(dataDir, 'registry'))
    try {
      const rows = await db.query<{ event_id: string; n: number }>(
        `select event_id, count(*)::int as n from events where device_id like 'crash-%' and channel = 'event/access' group by event_id`)
      expect(rows.rows.every((r) => r.n === 1)).toBe(true)
      const logged = new Set(rows.rows.map((r) => r.event_id))
      expect(logged.size).toBe(DEVICES * EVENTS_PER_DEVICE)
      for (const id of acked) expect(logged.has(id)).toBe(true)

      const alerts = await db.query<{ type: string; dedup_key: string; count: number }>(
        `select type, dedup_key, count from alerts where building_id = 'demo-b1' and status <> 'resolved' order by dedup_key`)
      const count = (key: string): number | undefined => alerts.rows.find((a) => a.dedup_key === key)?.count
      // Alert keys name a card by its keyed digest under the data key.
      const secrets = CredentialSecrets.fromKey(env.DATA_KEY)
      for (let d = 0; d < DEVICES; d++) {
        const card = secrets.presentedKey('card', `DEAD000${d}`)
        expect(count(`unknown_credential:demo-b1:${card}`)).toBe(EVENTS_PER_DEVICE)
        // From the fifth denial of the card on, each counts on its repeated-denials alert.
        expect(count(`repeated_denials:cred:demo-b1:${card}`)).toBe(EVENTS_PER_DEVICE - 4)
      }
      // One card tried again and again at one door is the card's alarm, not also the door's.
      expect(alerts.rows.filter((a) => a.dedup_key.startsWith('repeated_denials:door:'))).toEqual([])
    } finally {
      await db.close()
    }
  }, 180_000)
})
