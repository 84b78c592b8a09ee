// The honest side of a fuzz run, as a real site and its dispatch centre
// would be: a reader presenting a never-seen card at a steady rate (timing
// each PUBACK), a console on the live stream timing each alert those swipes
// raise, and a probe timing a fresh login. All on 127.0.0.1.

import { request } from 'node:http'
import { connect as netConnect } from 'node:net'
import mqtt from 'mqtt'
import { LatencyHistogram } from '../../firmware-sim/load/histogram.ts'
import { CONNACK, DISCONNECT, PacketReader } from '../../firmware-sim/load/mqtt-wire.ts'
import { deviceTopic, LAST_WILL_PAYLOAD } from '../../protocol/index.ts'
import { validConnect, type DeviceLogin } from './corpus.ts'

const LOOPBACK = '127.0.0.1'

/** The honest reader: a real MQTT client presenting a new unknown card at a steady rate, timing each PUBACK. */
export class HonestReader {
  sent = 0
  acked = 0
  readonly latency = new LatencyHistogram()
  private seq = 0

  private constructor (private readonly client: mqtt.MqttClient, private readonly d: DeviceLogin) {}

  static async connect (port: number, d: DeviceLogin): Promise<HonestReader> {
    const client = await mqtt.connectAsync(`mqtt://${LOOPBACK}:${port}`, {
      clientId: d.deviceId, username: d.deviceId, password: d.password, clean: true, keepalive: 30, reconnectPeriod: 1000, connectTimeout: 10_000,
      will: { topic: deviceTopic(d.buildingId, d.deviceId, 'status'), payload: Buffer.from(LAST_WILL_PAYLOAD), qos: 1, retain: true },
    })
    return new HonestReader(client, d)
  }

  publish (): void {
    const seq = ++this.seq
    const at = Date.now()
    const event = {
      eventId: `honest-${seq}`, seq, ts: new Date(at).toISOString(), door: 'main-gate', direction: 'in',
      credential: { kind: 'card', value: `F0ZZ${seq.toString(16).toUpperCase().padStart(8, '0')}` }, result: 'denied', reason: 'unknown_credential',
    }
    this.sent++
    this.client.publish(deviceTopic(this.d.buildingId, this.d.deviceId, 'event/access'), JSON.stringify(event), { qos: 1 }, (err) => {
      if (err !== undefined && err !== null) return
      this.acked++
      this.latency.record(Date.now() - at)
    })
  }

  async close (): Promise<void> {
    await this.client.endAsync(true)
  }
}

/** A dispatch console on the live stream, timing every alert the honest reader opened. */
export function watchAlerts (api: string, token: string, deviceId: string): { ready: Promise<void>; count: () => number; latency: LatencyHistogram; close: () => void } {
  const latency = new LatencyHistogram()
  const seen = new Set<string>()
  let markReady!: () => void
  let fail!: (err: Error) => void
  const ready = new Promise<void>((resolve, reject) => { markReady = resolve; fail = reject })
  const req = request(new URL('/alerts/stream', api), { headers: { authorization: `Bearer ${token}` } }, (res) => {
    if (res.statusCode !== 200) {
      fail(new Error(`GET /alerts/stream answered ${res.statusCode}`))
      res.resume()
      return
    }
    markReady()
    res.setEncoding('utf8')
    let pending = ''
    res.on('data', (chunk: string) => {
      pending += chunk
      let cut
      while ((cut = pending.indexOf('\n\n')) >= 0) {
        const block = pending.slice(0, cut)
        pending = pending.slice(cut + 2)
        const data = block.split('\n').find((l) => l.startsWith('data: '))
        if (data === undefined || !block.includes('event: alert')) continue
        const m = JSON.parse(data.slice(6)) as { kind: string; alert: { id: string; type: string; deviceId: string | null; firstAt: string } }
        // Each never-seen card opens its own unknown_credential alert (the run of denials opens others).
        if (m.kind !== 'opened' || m.alert.type !== 'unknown_credential' || m.alert.deviceId !== deviceId || seen.has(m.alert.id)) continue
        seen.add(m.alert.id)
        latency.record(Date.now() - Date.parse(m.alert.firstAt))
      }
    })
  })
  req.on('error', (err) => fail(err))
  req.end()
  return { ready, count: () => seen.size, latency, close: () => req.destroy() }
}

/** One login of the probe on a fresh connection: ms to a successful CONNACK, undefined if refused or over 10 s. */
export function timeConnack (port: number, d: DeviceLogin): Promise<number | undefined> {
  return new Promise((resolve) => {
    const started = performance.now()
    const socket = netConnect({ host: LOOPBACK, port, localAddress: LOOPBACK })
    let settled = false
    const finish = (ms: number | undefined): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (ms !== undefined) socket.end(DISCONNECT)
      else socket.destroy()
      resolve(ms)
    }
    const timer = setTimeout(() => finish(undefined), 10_000)
    const reader = new PacketReader((type, body) => {
      if (type === CONNACK) finish(body[1] === 0 ? performance.now() - started : undefined)
    })
    socket.on('data', (chunk: Buffer) => reader.feed(chunk))
    socket.on('error', () => finish(undefined))
    socket.on('close', () => finish(undefined))
    socket.once('connect', () => socket.write(validConnect(d, 30)))
  })
}
