// The device side of rh/v1 as a client: one MQTT connection at a time with
// the last will set (§5.3), the steps after every CONNACK (§5.4: subscribe,
// retained online status, replay, heartbeats), events with seq and eventId
// kept in the outbox until acknowledged (§10), commands answered once (§8),
// config applied (§8.3), and reconnecting with back-off after a lost
// connection (§5.5). Time comes from a clock looked at on a short real-time
// tick, so a simulation may run it faster. What a device does (decide on
// its allow-list, open its door, count people) is the caller's.

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
} from '../index.ts'
import type { ClientViolation, DeviceClientCounters, DeviceClientCredentials, DeviceClientOptions, DeviceClock, DeviceLogEntry } from './client-options.ts'
import { CommandHandler, type ReplyBody } from './commands.ts'
import { connectionLink, type Link } from './mqtt-link.ts'
import { Outbox, type EventBuffer } from './outbox.ts'
import { applyConfig, type DeviceSettings } from './settings.ts'

/** The fields of an event the caller gives; the client adds eventId, seq and ts. */
export type EventFields<C extends EventChannel> = Omit<UplinkPayloads[C], 'eventId' | 'seq' | 'ts'>

/** `idle` before start, `online` while it wants a connection, `offline` after disconnect(), `stopped`. */
export type ClientState = 'idle' | 'online' | 'offline' | 'stopped'

const MAX_IN_FLIGHT = 64
const iso = (t: number): string => new Date(t).toISOString()

export class DeviceClient {
  readonly deviceId: string
  readonly buildingId: string
  readonly counters: DeviceClientCounters = { published: 0, acked: 0, buffered: 0, commands: 0, dropped: 0, errorReplies: 0 }
  /** The settings in force; config commands change them. */
  readonly settings: DeviceSettings
  readonly clock: DeviceClock
  private creds: DeviceClientCredentials
  private readonly violations: ReadonlySet<ClientViolation>
  private readonly outbox: EventBuffer
  private readonly commands: CommandHandler
  private readonly bootAt: number
  private readonly tickMs: number
  private readonly backoffMinS: number
  private readonly backoffMaxS: number
  private readonly keepaliveS: number
  private link: Link | undefined
  /** Per connection: settles once the online status went out (replies wait for it, §5.4). */
  private readonly linkReady = new WeakMap<Link, Promise<void>>()
  private online = false
  private connecting = false
  private wanted: ClientState = 'idle'
  private ticker: NodeJS.Timeout | undefined
  private nextHeartbeatAt = 0
  private retryAt: number | undefined
  private backoffS: number
  private seq: number
  private events = 0
  private lastEventId = ''
  private lastSeq: number | undefined
  private waiters: Array<{ resolve: () => void; reject: (err: Error) => void }> = []

  constructor (private readonly o: DeviceClientOptions) {
    const c = o.credentials
    deviceTopic(c.buildingId, c.deviceId, 'status') // throws RangeError for invalid ids
    if (!(o.heartbeatS >= 1)) throw new RangeError(`heartbeatS must be at least 1, not ${o.heartbeatS}`)
    this.creds = { ...c }
    this.deviceId = c.deviceId
    this.buildingId = c.buildingId
    this.clock = o.clock ?? { now: Date.now }
    this.violations = new Set(o.violations ?? [])
    this.settings = { heartbeatS: o.heartbeatS, doorHeldOpenS: 60, timezone: 'Asia/Shanghai', lineCountPeriodS: 60, ...o.settings }
    this.outbox = o.buffer ?? new Outbox(o.bufferLimit ?? 10_000)
    this.commands = new CommandHandler((name, command) => this.dispatch(name, command))
    this.tickMs = o.tickMs ?? 50
    this.backoffMinS = o.backoffMinS ?? 5
    this.backoffMaxS = o.backoffMaxS ?? 300
    this.keepaliveS = o.keepaliveS ?? 30
    this.bootAt = this.clock.now()
    this.backoffS = this.backoffMinS
    this.seq = o.seqStart ?? Date.now()
  }

  /** Connected, subscribed and online status published. */
  get connected (): boolean {
    return this.online
  }

  get state (): ClientState {
    return this.wanted
  }

  /** Events waiting in the outbox (including those in flight). */
  get pendingEvents (): number {
    return this.outbox.size
  }

  /**
   * Connects; resolves once online. Rejects if the first attempt fails (then nothing is retried), unless
   * `retry`: then it backs off and tries again, as after a lost connection, until online or stopped.
   */
  async start (opts: { retry?: boolean } = {}): Promise<void> {
    if (this.wanted !== 'idle') throw new Error(`${this.deviceId} was already started`)
    this.wanted = 'online'
    this.ticker = setInterval(() => this.tick(), this.tickMs)
    if (opts.retry === true) return await this.connectNow()
    try {
      await this.attempt()
    } catch (err) {
      this.halt()
      throw err
    }
  }

  /**
   * `graceful`: publishes offline {reason: shutdown} and disconnects; otherwise the connection just drops (last will).
   * A graceful stop waits at most `ackTimeoutMs` (real time, default 5,000) for the PUBACK of that status (a
   * platform whose event log is full holds them back), then drops the connection as a non-graceful stop does.
   */
  async stop (opts: { graceful?: boolean; ackTimeoutMs?: number } = {}): Promise<void> {
    const link = this.link
    const wasOnline = this.online
    this.halt()
    if (link === undefined) return
    if (opts.graceful === true && wasOnline) {
      const offline = { state: 'offline' as const, ts: iso(this.clock.now()), reason: 'shutdown' as const }
      const sent = this.send(link, 'status', offline, { qos: 1, retain: true }).then(() => 'acked' as const, () => 'failed' as const)
      let timer: NodeJS.Timeout | undefined
      const timedOut = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), opts.ackTimeoutMs ?? 5000) })
      const outcome = await Promise.race([sent, timedOut])
      clearTimeout(timer)
      if (outcome === 'timeout') this.log('warn', 'the broker did not acknowledge the offline status; dropping the connection')
      await link.close(outcome === 'timeout')
    } else {
      await link.close(true)
    }
  }

  /** A network outage: the connection drops (the will fires) and events wait in the outbox until `reconnect`. */
  async disconnect (): Promise<void> {
    if (this.wanted === 'stopped' || this.wanted === 'idle') return
    this.wanted = 'offline'
    this.retryAt = undefined
    await this.link?.close(true)
  }

  /** Back online: resolves once the online status is out; the outbox is replayed in order. */
  async reconnect (): Promise<void> {
    if (this.wanted === 'stopped' || this.wanted === 'idle') throw new Error(`${this.deviceId} is not started`)
    this.wanted = 'online'
    if (this.online) return
    await this.connectNow()
  }

  /** A new secret (after a rotation): drops the connection it has with a DISCONNECT (no will) and connects with it. */
  async installCredentials (password: string): Promise<void> {
    if (this.wanted === 'stopped' || this.wanted === 'idle') throw new Error(`${this.deviceId} is not started`)
    this.creds = { ...this.creds, password }
    this.wanted = 'online'
    await this.link?.close(false)
    this.backoffS = this.backoffMinS
    await this.connectNow()
  }

  /** Records an event at time `t`: seq and eventId are fixed now; it waits in the outbox until acknowledged. */
  publishEvent<C extends EventChannel> (channel: C, fields: EventFields<C>, t = this.clock.now()): { seq: number; eventId: string } {
    const { ids, kept } = this.record(channel, fields, t)
    if (kept instanceof Promise) kept.catch((err: unknown) => this.log('error', 'the event buffer failed to keep an event', String(err)))
    return ids
  }

  /**
   * As publishEvent, and resolves once the buffer holds the event safely (at once for the in-memory outbox; once
   * on disk for a gateway's journal): only then may the device behind a gateway be told it was received.
   */
  async publishEventKept<C extends EventChannel> (channel: C, fields: EventFields<C>, t = this.clock.now()): Promise<{ seq: number; eventId: string }> {
    const { ids, kept } = this.record(channel, fields, t)
    await kept
    return ids
  }

  log (level: DeviceLogEntry['level'], msg: string, detail?: unknown): void {
    try {
      this.o.onLog?.({ deviceId: this.deviceId, level, msg, ...(detail === undefined ? {} : { detail }) })
    } catch {
      // a broken logger must not break the device
    }
  }

  // ------------------------------------------------------------ internals

  private record<C extends EventChannel> (channel: C, fields: EventFields<C>, t: number): { ids: { seq: number; eventId: string }; kept: void | Promise<unknown> } {
    const ids = this.o.nextIds === undefined ? this.nextIds() : this.o.nextIds()
    this.lastSeq = ids.seq
    const payload = { eventId: ids.eventId, seq: ids.seq, ts: iso(t), ...fields }
    const before = this.outbox.dropped
    const kept = this.outbox.push({ topic: deviceTopic(this.buildingId, this.deviceId, channel), payload: JSON.stringify(payload) })
    this.counters.dropped += this.outbox.dropped - before
    if (!this.online) this.counters.buffered++
    this.pump()
    // A durable buffer holds an event back until it is on disk: send it then.
    if (kept instanceof Promise) kept.then(() => this.pump(), () => {})
    return { ids, kept }
  }

  private nextIds (): { seq: number; eventId: string } {
    this.events++
    const second = this.events % 2 === 0
    const seq = this.violations.has('seq_not_increasing') && second ? this.seq - 1 : this.seq++
    const eventId = this.violations.has('duplicate_event_ids') && second ? this.lastEventId : randomUUID()
    this.lastEventId = eventId
    this.lastSeq = seq
    return { seq, eventId }
  }

  private halt (): void {
    this.wanted = 'stopped'
    this.retryAt = undefined
    this.online = false
    clearInterval(this.ticker)
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
    const will = this.violations.has('no_will')
      ? undefined
      : { topic: willTopic, payload: this.violations.has('shutdown_will') ? '{"state":"offline","reason":"shutdown"}' : LAST_WILL_PAYLOAD }
    const link = connectionLink(this.creds, {
      keepaliveS: this.keepaliveS,
      will,
      onMessage: (topic, payload) => { void this.received(link, topic, payload) },
      onClose: (wasUp) => this.lost(link, wasUp),
    })
    this.link = link
    const ready = link.connected.then(async () => {
      await link.client.subscribeAsync([...deviceSubscriptionFilters(this.buildingId, this.deviceId)], { qos: 1 })
      const { firmware, vendor, model, doors } = this.o
      const status = { state: 'online' as const, ts: iso(this.clock.now()), firmware, vendor, model, doors: [...doors] }
      await this.send(link, 'status', status, { qos: 1, retain: !this.violations.has('status_not_retained') })
      if (this.link !== link || this.wanted === 'stopped') throw new Error('connection replaced')
      this.connecting = false
      this.online = true
      this.backoffS = this.backoffMinS
      if (this.violations.has('no_replay')) this.counters.dropped += this.outbox.discard()
      this.nextHeartbeatAt = this.clock.now() + this.settings.heartbeatS * 1000
      for (const w of this.waiters.splice(0)) w.resolve()
      this.log('info', 'online', { url: this.creds.url, buffered: this.outbox.size })
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
    if (!wasUp) this.backoffS = Math.min(this.backoffS * 2, this.backoffMaxS)
    const delayMs = this.backoffS * 1000 * (1 + Math.random() * 0.2)
    this.retryAt = this.clock.now() + delayMs
    this.log('info', wasUp ? 'connection lost, reconnecting' : 'connection attempt failed', { retryInS: Math.round(delayMs / 100) / 10, error: link.error?.message })
  }

  private tick (): void {
    try {
      const now = this.clock.now()
      this.o.onTick?.(now)
      const link = this.link
      if (this.online && link !== undefined && now >= this.nextHeartbeatAt) {
        this.nextHeartbeatAt += this.settings.heartbeatS * 1000
        if (this.nextHeartbeatAt <= now) this.nextHeartbeatAt = now + this.settings.heartbeatS * 1000
        if (!this.violations.has('no_heartbeat')) this.heartbeat(link, now)
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
      ...this.o.heartbeatExtras?.(),
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
      if (reply === undefined || this.violations.has('no_command_reply')) return
      if (reply.status === 'error') this.log('warn', 'command failed', reply)
      else this.log('info', 'command carried out', reply)
      // Commands may arrive right after the SUBACK: the reply goes out after the online status.
      const up = await (this.linkReady.get(link) ?? Promise.reject(new Error('no connection'))).then(() => true, () => false)
      if (up && this.link === link) await this.send(link, 'reply', reply, { qos: 1, retain: false })
    } catch (err) {
      this.log('error', 'handling a message failed', String(err))
    }
  }

  private dispatch<N extends CommandName> (name: N, command: CommandPayloads[N]): ReplyBody | Promise<ReplyBody> {
    if (name !== 'config') return this.o.execute(name as Exclude<CommandName, 'config'>, command as CommandPayloads[Exclude<CommandName, 'config'>])
    const c = command as Config
    const applied = applyConfig(this.settings, c)
    if (!applied.ok) return applied.reply
    const now = this.clock.now()
    Object.assign(this.settings, applied.settings)
    if (c.heartbeatS !== undefined) this.nextHeartbeatAt = Math.min(this.nextHeartbeatAt, now + c.heartbeatS * 1000)
    this.o.onConfig?.(c, now)
    return { status: 'ok', data: { ...this.settings } }
  }
}
