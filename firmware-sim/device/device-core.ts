// What readers and cameras share: one MQTT connection at a time with the last
// will set (§5.3), the steps after every CONNACK (§5.4: subscribe, retained
// online status, replay, heartbeats), events with seq and eventId kept in the
// outbox until acknowledged (§10), commands answered once (§8), config (§8.3),
// and reconnecting with back-off after a lost connection (§5.5). Time comes
// from the simulation clock, looked at on a short real-time tick.

import { randomUUID } from 'node:crypto'
import {
  decodeErrorReply,
  deviceSubscriptionFilters,
  deviceTopic,
  LAST_WILL_PAYLOAD,
  parseDeviceTopic,
  type CommandName,
  type CommandPayloads,
  type Config,
  type EventChannel,
  type Heartbeat,
  type UplinkChannel,
  type UplinkPayloads,
} from '../../protocol/index.ts'
import { CommandHandler, type ReplyBody } from './commands.ts'
import type { DeviceCredentials, InstalledCredentials, SimClock, SimDevice } from './device-api.ts'
import { resolveOptions, type DeviceLogEntry, type ResolvedOptions, type SimDeviceCounters, type SimDeviceOptions } from './options.ts'
import { Outbox } from './outbox.ts'
import { applyConfig, type DeviceSettings } from './settings.ts'
import { SimTimers } from './sim-timers.ts'
import { connectionLink, type Link } from './mqtt-link.ts'

export type EventFields<C extends EventChannel> = Omit<UplinkPayloads[C], 'eventId' | 'seq' | 'ts'>

const MAX_IN_FLIGHT = 64
export const iso = (t: number): string => new Date(t).toISOString()

export abstract class DeviceCore implements SimDevice {
  readonly deviceId: string
  readonly buildingId: string
  readonly door: string
  readonly counters: SimDeviceCounters = { published: 0, acked: 0, buffered: 0, commands: 0, dropped: 0, errorReplies: 0 }
  protected readonly o: ResolvedOptions
  protected readonly clock: SimClock
  protected readonly timers = new SimTimers()
  protected readonly settings: DeviceSettings
  private readonly outbox: Outbox
  private readonly commands: CommandHandler
  private readonly bootAt: number
  private link: Link | undefined
  /** Per connection: settles once the online status went out (replies wait for it, §5.4). */
  private readonly linkReady = new WeakMap<Link, Promise<void>>()
  private online = false
  private connecting = false
  private wanted: 'idle' | 'online' | 'offline' | 'stopped' = 'idle'
  private ticker: NodeJS.Timeout | undefined
  private nextHeartbeatAt = 0
  private retryAt: number | undefined
  private backoffS: number
  private seq: number
  private events = 0
  private lastEventId = ''
  private lastSeq: number | undefined
  private waiters: Array<{ resolve: () => void; reject: (err: Error) => void }> = []

  constructor (private creds: DeviceCredentials, options: SimDeviceOptions, readonly kind: 'reader' | 'camera', private readonly onLog?: (e: DeviceLogEntry) => void) {
    this.deviceId = creds.deviceId
    this.buildingId = creds.buildingId
    this.door = creds.door
    deviceTopic(creds.buildingId, creds.deviceId, 'status') // throws RangeError for invalid ids
    this.o = resolveOptions(options, kind)
    this.clock = options.clock
    this.settings = { heartbeatS: options.heartbeatS, doorHeldOpenS: 60, timezone: 'Asia/Shanghai', lineCountPeriodS: this.o.lineCountPeriodS }
    this.outbox = new Outbox(this.o.bufferLimit)
    this.commands = new CommandHandler((name, command) => this.dispatch(name, command))
    this.bootAt = this.clock.now()
    this.backoffS = this.o.backoffMinS
    this.seq = this.o.seqStart
  }

  /** Connected, subscribed and online status published. */
  get connected (): boolean {
    return this.online
  }

  /** Events waiting in the on-device buffer (including those in flight). */
  get pendingEvents (): number {
    return this.outbox.size
  }

  async start (): Promise<void> {
    if (this.wanted !== 'idle') throw new Error(`${this.deviceId} was already started`)
    this.wanted = 'online'
    this.ticker = setInterval(() => this.tick(), this.o.tickMs)
    try {
      await this.attempt()
    } catch (err) {
      this.halt()
      throw err
    }
  }

  async stop (opts: { graceful?: boolean } = {}): Promise<void> {
    const link = this.link
    const wasOnline = this.online
    this.halt()
    if (link === undefined) return
    if (opts.graceful === true && wasOnline) {
      const offline = { state: 'offline' as const, ts: iso(this.clock.now()), reason: 'shutdown' as const }
      await this.send(link, 'status', offline, { qos: 1, retain: true }).catch(() => {})
      await link.close(false)
    } else {
      await link.close(true)
    }
  }

  async disconnect (): Promise<void> {
    if (this.wanted === 'stopped' || this.wanted === 'idle') return
    this.wanted = 'offline'
    this.retryAt = undefined
    await this.link?.close(true)
  }

  async reconnect (): Promise<void> {
    if (this.wanted === 'stopped' || this.wanted === 'idle') throw new Error(`${this.deviceId} is not started`)
    this.wanted = 'online'
    if (this.online) return
    await this.connectNow()
  }

  async installCredentials (creds: InstalledCredentials): Promise<void> {
    if (this.wanted === 'stopped' || this.wanted === 'idle') throw new Error(`${this.deviceId} is not started`)
    this.creds = { ...this.creds, password: creds.password }
    this.credentialsInstalled(creds)
    this.wanted = 'online'
    // A connection of the old secret (the platform usually closed it already) ends with a DISCONNECT: no will.
    await this.link?.close(false)
    this.backoffS = this.o.backoffMinS
    await this.connectNow()
  }

  // ------------------------------------------------------------ for the kinds

  /** New credentials were installed (the secret is taken care of here). */
  protected credentialsInstalled (_creds: InstalledCredentials): void {}

  /** Carries out a command other than config. */
  protected abstract execute<N extends Exclude<CommandName, 'config'>> (name: N, command: CommandPayloads[N]): ReplyBody | Promise<ReplyBody>
  /** Kind-specific fields of the heartbeat. */
  protected heartbeatExtras (): Partial<Heartbeat> {
    return {}
  }

  /** A config command was applied. */
  protected configured (_config: Config, _now: number): void {}
  /** Called on every tick with the simulation time. */
  protected ticked (_now: number): void {}

  /** Records an event at simulation time `t`: seq and eventId fixed now, kept until acknowledged. */
  protected recordEvent<C extends EventChannel> (channel: C, fields: EventFields<C>, t = this.clock.now()): void {
    const { seq, eventId } = this.nextIds()
    const extra = this.o.faults.has('bad_payload') ? { vendorExt: 'sim' } : {}
    const payload = { eventId, seq, ts: iso(t), ...fields, ...extra }
    const before = this.outbox.dropped
    this.outbox.push({ topic: deviceTopic(this.buildingId, this.deviceId, channel), payload: JSON.stringify(payload) })
    this.counters.dropped += this.outbox.dropped - before
    if (!this.online) this.counters.buffered++
    this.pump()
  }

  protected log (level: DeviceLogEntry['level'], msg: string, detail?: unknown): void {
    try {
      this.onLog?.({ deviceId: this.deviceId, level, msg, ...(detail === undefined ? {} : { detail }) })
    } catch {
      // a broken logger must not break the device
    }
  }

  // ------------------------------------------------------------ internals

  private nextIds (): { seq: number; eventId: string } {
    this.events++
    const second = this.events % 2 === 0
    const seq = this.o.faults.has('seq_not_increasing') && second ? this.seq - 1 : this.seq++
    const eventId = this.o.faults.has('duplicate_event_ids') && second ? this.lastEventId : randomUUID()
    this.lastEventId = eventId
    this.lastSeq = seq
    return { seq, eventId }
  }

  private halt (): void {
    this.wanted = 'stopped'
    this.retryAt = undefined
    this.online = false
    clearInterval(this.ticker)
    this.timers.clear()
    for (const w of this.waiters.splice(0)) w.reject(new Error(`${this.deviceId} stopped`))
  }

  /** Tries to connect now, unless a try is under way; resolves once online (a failed try schedules the next). */
  private async connectNow (): Promise<void> {
    const online = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }))
    if (!this.connecting) {
      this.retryAt = undefined
      this.attempt().catch(() => {})
    }
    await online
  }

  private attempt (): Promise<void> {
    this.connecting = true
    const willTopic = deviceTopic(this.buildingId, this.deviceId, 'status')
    const will = this.o.faults.has('no_will')
      ? undefined
      : { topic: willTopic, payload: this.o.faults.has('shutdown_will') ? '{"state":"offline","reason":"shutdown"}' : LAST_WILL_PAYLOAD }
    const link = connectionLink(this.creds, {
      keepaliveS: this.o.keepaliveS,
      will,
      onMessage: (topic, payload) => { void this.received(link, topic, payload) },
      onClose: (wasUp) => this.lost(link, wasUp),
    })
    this.link = link
    const ready = link.connected.then(async () => {
      await link.client.subscribeAsync([...deviceSubscriptionFilters(this.buildingId, this.deviceId)], { qos: 1 })
      const status = { state: 'online' as const, ts: iso(this.clock.now()), firmware: this.o.firmware, vendor: this.o.vendor, model: this.o.model, doors: [this.door] }
      await this.send(link, 'status', status, { qos: 1, retain: !this.o.faults.has('status_not_retained') })
      if (this.link !== link || this.wanted === 'stopped') throw new Error('connection replaced')
      this.connecting = false
      this.online = true
      this.backoffS = this.o.backoffMinS
      if (this.o.faults.has('no_replay')) this.counters.dropped += this.outbox.discard()
      this.nextHeartbeatAt = this.clock.now() + this.settings.heartbeatS * 1000
      for (const w of this.waiters.splice(0)) w.resolve()
      this.pump()
    }).catch(async (err: unknown) => {
      if (this.link === link) this.connecting = false
      await link.close(true)
      throw err
    })
    this.linkReady.set(link, ready)
    return ready
  }

  private lost (link: Link, wasUp: boolean): void {
    if (this.link !== link) return
    this.link = undefined
    this.online = false
    this.connecting = false
    this.outbox.requeue()
    if (this.wanted !== 'online') return
    if (!wasUp) this.backoffS = Math.min(this.backoffS * 2, this.o.backoffMaxS)
    const delayMs = this.backoffS * 1000 * (1 + Math.random() * 0.2)
    this.retryAt = this.clock.now() + delayMs
    this.log('info', wasUp ? 'connection lost, reconnecting' : 'connection attempt failed', { retryInS: Math.round(delayMs / 100) / 10, error: link.error?.message })
  }

  private tick (): void {
    try {
      const now = this.clock.now()
      this.timers.runDue(now)
      this.ticked(now)
      const link = this.link
      if (this.online && link !== undefined && now >= this.nextHeartbeatAt) {
        this.nextHeartbeatAt += this.settings.heartbeatS * 1000
        if (this.nextHeartbeatAt <= now) this.nextHeartbeatAt = now + this.settings.heartbeatS * 1000
        if (!this.o.faults.has('no_heartbeat')) this.heartbeat(link, now)
      }
      if (this.wanted === 'online' && !this.connecting && this.link === undefined && this.retryAt !== undefined && now >= this.retryAt) {
        this.retryAt = undefined
        this.attempt().catch(() => {})
      }
    } catch (err) {
      this.log('error', 'tick failed', String(err))
    }
  }

  private heartbeat (link: Link, now: number): void {
    const hb: Heartbeat = {
      ts: iso(now),
      uptimeS: Math.max(0, Math.floor((now - this.bootAt) / 1000)),
      firmware: this.o.firmware,
      ...(this.lastSeq === undefined ? {} : { seq: this.lastSeq }),
      ...this.heartbeatExtras(),
    }
    this.send(link, 'heartbeat', hb, { qos: 0, retain: false }).catch(() => {})
  }

  private pump (): void {
    const link = this.link
    if (!this.online || link === undefined) return
    while (this.outbox.inFlight < MAX_IN_FLIGHT) {
      const entry = this.outbox.takeNext()
      if (entry === undefined) return
      this.counters.published++
      link.client.publish(entry.topic, entry.payload, { qos: 1 }, (err) => {
        if (err) return // the entry goes back to the queue when the connection closes
        this.counters.acked++
        this.outbox.acknowledge(entry)
        try {
          this.pump()
        } catch (e) {
          this.log('error', 'sending buffered events failed', String(e))
        }
      })
    }
  }

  private async send<C extends UplinkChannel> (link: Link, channel: C, payload: UplinkPayloads[C], o: { qos: 0 | 1; retain: boolean }): Promise<void> {
    this.counters.published++
    await link.client.publishAsync(deviceTopic(this.buildingId, this.deviceId, channel), JSON.stringify(payload), o)
    if (o.qos === 1) this.counters.acked++
  }

  private async received (link: Link, topic: string, payload: Buffer): Promise<void> {
    try {
      const t = parseDeviceTopic(topic)
      if (t === null || t.buildingId !== this.buildingId || t.deviceId !== this.deviceId) return
      if (t.channel === 'error') {
        this.counters.errorReplies++
        const e = decodeErrorReply(payload)
        this.log('warn', 'the platform rejected a message', e.ok ? e.value : payload.toString('utf8').slice(0, 500))
        return
      }
      if (!t.channel.startsWith('command/')) return
      this.counters.commands++
      const reply = await this.commands.handle(t.channel.slice('command/'.length), payload)
      if (reply === undefined || this.o.faults.has('no_command_reply')) return
      if (reply.status === 'error') this.log('warn', 'command failed', reply)
      // Commands may arrive right after the SUBACK: the reply goes out after the online status.
      const up = await (this.linkReady.get(link) ?? Promise.reject(new Error('no connection'))).then(() => true, () => false)
      if (up && this.link === link) await this.send(link, 'reply', reply, { qos: 1, retain: false })
    } catch (err) {
      this.log('error', 'handling a message failed', String(err))
    }
  }

  private dispatch<N extends CommandName> (name: N, command: CommandPayloads[N]): ReplyBody | Promise<ReplyBody> {
    if (name !== 'config') return this.execute(name as Exclude<CommandName, 'config'>, command as CommandPayloads[Exclude<CommandName, 'config'>])
    const c = command as Config
    const applied = applyConfig(this.settings, c)
    if (!applied.ok) return applied.reply
    const now = this.clock.now()
    Object.assign(this.settings, applied.settings)
    if (c.heartbeatS !== undefined) this.nextHeartbeatAt = Math.min(this.nextHeartbeatAt, now + c.heartbeatS * 1000)
    this.configured(c, now)
    return { status: 'ok', data: { ...this.settings } }
  }
}
