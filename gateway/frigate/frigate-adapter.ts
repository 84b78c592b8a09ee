// The gateway's client of a site's Frigate broker: subscribes to Frigate's
// tracked objects (`<prefix>/events`), its availability, and the people
// count of each configured zone, and hands each person event to the camera
// session its Frigate camera is mapped to. Whatever is not what Frigate
// sends (not JSON, too big, another shape), or names a camera the site did
// not map, is refused and counted; nothing from this broker can stop the
// gateway. Reconnects on its own (every `reconnectMs`) when the broker goes.

import mqtt, { type MqttClient } from 'mqtt'
import type { DeviceLogEntry } from '../../protocol/device-client/index.ts'
import type { ConnectorState, FrigateCameraSession } from './frigate-camera.ts'
import { readAvailable, readCount, readFrigateEvent, type RefusalReason } from './frigate-message.ts'

export interface FrigateAdapterOptions {
  /** The Frigate broker: mqtt://host:port or mqtts://host:port. */
  url: string
  /** Frigate's `mqtt.topic_prefix`; default `frigate`. */
  topicPrefix?: string
  username?: string
  password?: string
  /** Frigate camera name → its camera session. */
  cameras: ReadonlyMap<string, FrigateCameraSession>
  /** The zones whose counts are read (`<prefix>/<zone>/person`). */
  zones: Iterable<string>
  reconnectMs?: number
  now?: () => number
  onLog?: (e: Omit<DeviceLogEntry, 'deviceId'>) => void
}

export interface FrigateAdapterCounters {
  messages: number
  /** Refused messages by reason. */
  refused: Record<RefusalReason, number>
  /** Events of a Frigate camera the site did not map to a device. */
  unknownCamera: number
  /** Events of anything but a person (Frigate tracks cars, dogs...). */
  notPerson: number
  /** Events a camera session could not keep (a full journal, a failing disk). */
  failed: number
}

export class FrigateAdapter {
  readonly counters: FrigateAdapterCounters = { messages: 0, refused: { too_big: 0, not_json: 0, not_frigate: 0 }, unknownCamera: 0, notPerson: 0, failed: 0 }
  private client: MqttClient | undefined
  private readonly prefix: string
  private readonly counts = new Map<string, number>()
  private readonly zoneNames: ReadonlySet<string>
  /** What Frigate last said on `<prefix>/available`; unknown until it says. */
  private available: 'online' | 'offline' | undefined
  private lastHeardAt: number | undefined
  private readonly now: () => number

  constructor (private readonly o: FrigateAdapterOptions) {
    this.prefix = o.topicPrefix ?? 'frigate'
    this.zoneNames = new Set(o.zones)
    this.now = o.now ?? Date.now
  }

  /** Connected to the Frigate broker and subscribed. */
  get connected (): boolean {
    return this.client?.connected === true
  }

  /** The latest count of people Frigate published for a configured zone. */
  zoneCount (zone: string): number | undefined {
    return this.counts.get(zone)
  }

  /**
   * How the gateway reaches Frigate: `unreachable` when its broker is not connected or Frigate said offline;
   * otherwise `reachable` (the shared connector states; Frigate has no login to report on its own).
   */
  connector (): ConnectorState {
    const state = this.connected && this.available !== 'offline' ? 'reachable' : 'unreachable'
    return { kind: 'frigate', state, ...(this.lastHeardAt === undefined ? {} : { lastHeardAt: new Date(this.lastHeardAt).toISOString() }) }
  }

  /** Connects and subscribes; does not wait for the broker (it may be down: then it keeps trying). */
  start (): void {
    if (this.client !== undefined) throw new Error('the Frigate adapter was already started')
    const client = mqtt.connect(this.o.url, {
      protocolVersion: 4,
      clientId: `rh-gateway-${process.pid}-${Math.random().toString(16).slice(2, 10)}`,
      clean: true,
      reconnectPeriod: this.o.reconnectMs ?? 5000,
      connectTimeout: 10_000,
      ...(this.o.username === undefined ? {} : { username: this.o.username }),
      ...(this.o.password === undefined ? {} : { password: this.o.password }),
    })
    this.client = client
    client.on('connect', () => {
      const topics = [`${this.prefix}/events`, `${this.prefix}/available`, ...[...this.zoneNames].map((z) => `${this.prefix}/${z}/person`)]
      client.subscribe(topics, { qos: 1 }, (err) => {
        if (err) this.log('error', 'subscribing to Frigate failed', String(err))
        else this.log('info', 'subscribed to Frigate', { url: this.o.url, topics: topics.length })
      })
    })
    client.on('close', () => { this.counts.clear() })
    client.on('error', (err) => this.log('warn', 'the Frigate broker connection failed', err.message))
    client.on('message', (topic, payload) => {
      try {
        this.received(topic, payload)
      } catch (err) {
        this.log('error', 'a Frigate message could not be handled', String(err))
      }
    })
  }

  async stop (): Promise<void> {
    const c = this.client
    this.client = undefined
    if (c !== undefined) await c.endAsync(true)
  }

  private received (topic: string, payload: Buffer): void {
    this.counters.messages++
    const now = this.now()
    this.lastHeardAt = now
    if (topic === `${this.prefix}/available`) {
      const a = readAvailable(payload)
      if (!a.ok) return this.refuse(a.reason, topic, a.detail)
      if (a.value !== this.available) this.log(a.value === 'online' ? 'info' : 'warn', `Frigate says ${a.value}`)
      this.available = a.value
      return
    }
    if (topic === `${this.prefix}/events`) return this.event(payload, now)
    const zone = topic.slice(this.prefix.length + 1, -'/person'.length)
    if (topic.startsWith(`${this.prefix}/`) && topic.endsWith('/person') && this.zoneNames.has(zone)) {
      const c = readCount(payload)
      if (!c.ok) return this.refuse(c.reason, topic, c.detail)
      this.counts.set(zone, c.value)
    }
  }

  private event (payload: Buffer, now: number): void {
    const r = readFrigateEvent(payload, now)
    if (!r.ok) return this.refuse(r.reason, `${this.prefix}/events`, r.detail)
    const e = r.value
    if (e.after.label !== 'person') {
      this.counters.notPerson++
      return
    }
    const camera = this.o.cameras.get(e.after.camera)
    if (camera === undefined) {
      this.counters.unknownCamera++
      return
    }
    camera.take(e, now).catch((err: unknown) => {
      this.counters.failed++
      camera.client.log('error', 'a Frigate person event could not be kept', String(err))
    })
  }

  private refuse (reason: RefusalReason, topic: string, detail: string): void {
    this.counters.refused[reason]++
    // The first few in full, then one in a hundred: a flood must not become a flood of log lines.
    const n = this.counters.refused[reason]
    if (n <= 10 || n % 100 === 0) this.log('warn', 'a Frigate message was refused', { topic, reason, detail, refused: n })
  }

  private log (level: DeviceLogEntry['level'], msg: string, detail?: unknown): void {
    try {
      this.o.onLog?.({ level, msg, ...(detail === undefined ? {} : { detail }) })
    } catch {
      // a broken logger must not break the adapter
    }
  }
}
