// The MQTT edge of the platform: an embedded Aedes broker listening on TCP and
// WebSocket (`/mqtt`), every connection behind the byte-level MQTT 3.1.1
// guard, devices authenticated against the DeviceDirectory, and every accepted
// uplink message handed to the UplinkSink before the device is acknowledged.
// People (dispatch centres) log in with an API token checked against the
// PersonDirectory and receive the alerts of their area (`rh-alerts/v1/...`).
//
// The constructor only stores dependencies; `start()` builds and listens,
// `stop()` undoes it in reverse order. No exception escapes a broker callback:
// hook failures are logged and turned into refusals or closed connections.

import { randomUUID } from 'node:crypto'
import type { EventEmitter } from 'node:events'
import type { Duplex } from 'node:stream'
import { Aedes, type AedesOptions, type Client } from 'aedes'
import type { Logger } from 'pino'
import {
  ALERT_QOS,
  ALERT_TOPIC_LEVELS,
  COMMAND_QOS,
  commandTopic,
  ERROR_QOS,
  isCommandName,
  MAX_TOPIC_LEVELS,
  MAX_UPLINK_PAYLOAD_BYTES,
  parseAlertTopic,
  platformOfflineStatus,
  TOPIC_ROOT,
  validateCommand,
  type CommandName,
  type CommandPayload,
  type ErrorReply,
  type PlatformReason,
} from '../../protocol/index.ts'
import { RateLimitedLog } from '../rate-limited-log.ts'
import { createAuthenticate, createPreConnect } from './authenticate.ts'
import { ConnectionLimits, refuseOverLimit, type ConnectionLimitOptions, type LimitReason } from './connection-limits.ts'
import { createAuthorizePublish } from './authorize-publish.ts'
import { createAuthorizeForward, createAuthorizeSubscribe } from './authorize-subscribe.ts'
import { DeviceSessions, type DeviceIdentity, type Transport } from './device-session.ts'
import { DeviceStats } from './device-stats.ts'
import { LoginThrottle, type LoginThrottleOptions } from './login-throttle.ts'
import { MqttListeners, type ListenerAddresses, type TlsCredentials } from './mqtt-listeners.ts'
import { PersonSessions } from './person-sessions.ts'
import { PresenceRelay } from './presence-relay.ts'
import type { DeviceDirectory, DevicePresenceListener, PersonDirectory, UplinkSink } from './ports.ts'
import { guardConnection, type GuardViolation } from './protocol-guard.ts'

export interface MqttBrokerOptions {
  directory: DeviceDirectory
  /** People who receive alerts (`user:<username>` logins); without it only devices may connect. */
  people?: PersonDirectory
  /** How often a connected person's token is checked again, ms; default 30 s. */
  personRecheckMs?: number
  sink: UplinkSink
  presence?: DevicePresenceListener
  logger: Logger
  /** TCP port; 0 picks a free one. */
  tcpPort: number
  /** WebSocket port (path `/mqtt`); 0 picks a free one, null disables WebSocket. */
  wsPort: number | null
  /** MQTT over TLS and over secure WebSocket, with their certificate; absent or null ports: none. */
  tls?: { tlsPort: number | null; wssPort: number | null; credentials: TlsCredentials }
  /** Interface to listen on; default `0.0.0.0`. */
  host?: string
  /** Largest uplink payload accepted, bytes; default MAX_UPLINK_PAYLOAD_BYTES. */
  maxPayloadBytes?: number
  /** Failed-login throttle (login-throttle.ts); per address across person logins the default is 50 failures/min. Device logins are never judged per address. */
  throttle?: Omit<LoginThrottleOptions, 'now'>
  /** Largest keep-alive a device may ask for, seconds; default 1200. */
  maxKeepaliveS?: number
  /** Connections held at once: in all, per remote address, per person account (connection-limits.ts). */
  limits?: ConnectionLimitOptions
  /** Default 10 s. */
  connectTimeoutMs?: number
  /** Default 10 s. */
  drainTimeoutMs?: number
  /** Broker id (Aedes id, `$SYS/<id>/...`); default `rh-<uuid>`. */
  id?: string
  now?: () => number
}

/** Room in a packet for everything but the payload (fixed header, topic, packet id). */
const PACKET_OVERHEAD_BYTES = 1024
const DEFAULT_ADDRESS_THROTTLE = { maxFailures: 50 }

export class MqttBroker {
  /** Per-device and total counters of this broker. */
  readonly stats = new DeviceStats()
  private readonly sessions = new DeviceSessions()
  private readonly log: Logger
  /** Failures that come in floods (refused publishes), logged once per interval with a count. */
  private readonly limitedLog: RateLimitedLog
  private readonly now: () => number
  private readonly maxPayloadBytes: number
  private readonly id: string
  private aedes: Aedes | undefined
  private listeners: MqttListeners | undefined
  private bound: ListenerAddresses | undefined
  private readonly inflight = new Set<Promise<unknown>>()
  private readonly presence: PresenceRelay
  private readonly people: PersonSessions
  private readonly limits: ConnectionLimits
  private stopping: Promise<void> | undefined

  constructor (private readonly options: MqttBrokerOptions) {
    // The platform's logger already says part: broker; a second name for it would repeat it.
    this.log = options.logger
    this.limitedLog = new RateLimitedLog(this.log)
    this.now = options.now ?? Date.now
    this.maxPayloadBytes = options.maxPayloadBytes ?? MAX_UPLINK_PAYLOAD_BYTES
    this.id = options.id ?? `rh-${randomUUID()}`
    this.limits = new ConnectionLimits(options.limits)
    this.presence = new PresenceRelay(options.presence, this.log)
    this.people = new PersonSessions({
      directory: options.people, sessions: this.sessions, stats: this.stats, logger: this.log, recheckMs: options.personRecheckMs ?? 30_000,
    })
  }

  async start (): Promise<void> {
    if (this.aedes || this.stopping) throw new Error('MqttBroker can be started once')
    const aedes = await Aedes.createBroker(this.aedesOptions())
    this.aedes = aedes
    this.watch(aedes)
    this.listeners = new MqttListeners({
      host: this.options.host ?? '0.0.0.0',
      tcpPort: this.options.tcpPort,
      wsPort: this.options.wsPort,
      ...(this.options.tls === undefined ? {} : { tlsPort: this.options.tls.tlsPort, wssPort: this.options.tls.wssPort, tls: this.options.tls.credentials }),
      maxMessageBytes: this.maxPacketBytes(),
      logger: this.log,
      onConnection: (stream, remoteAddress, transport) => this.accept(stream, remoteAddress, transport),
    })
    try {
      await this.listeners.start()
    } catch (err) {
      await this.stop()
      throw err
    }
    this.bound = this.listeners.addresses()
    const a = this.bound
    this.log.info({ tcp: a.tcp, ws: a.ws, tls: a.tls, wss: a.wss, id: this.id }, 'mqtt broker listening')
  }

  /** Where the broker listens (after stop(): where it listened). Throws before start(). */
  addresses (): ListenerAddresses {
    if (!this.bound) throw new Error('MqttBroker is not started')
    const b = this.bound
    return { tcp: { ...b.tcp }, ws: b.ws ? { ...b.ws } : null, tls: b.tls ? { ...b.tls } : null, wss: b.wss ? { ...b.wss } : null }
  }

  /**
   * Publishes a command (QoS 1, not retained) to a device's command topic.
   * Resolves once the broker has routed it, not when the device acknowledges:
   * the device's `reply` does that. Throws RangeError for an invalid id,
   * command name or payload (a platform bug, not a device problem).
   */
  async publishCommand<N extends CommandName> (buildingId: string, deviceId: string, name: N, payload: CommandPayload<N>): Promise<void> {
    const aedes = this.started()
    if (!isCommandName(name)) throw new RangeError(`unknown command ${JSON.stringify(name)}`)
    const checked = validateCommand(name, payload)
    if (!checked.ok) throw new RangeError(`invalid ${name} command: ${JSON.stringify(checked.errors)}`)
    await route(aedes, commandTopic(buildingId, deviceId, name), Buffer.from(JSON.stringify(payload)), COMMAND_QOS)
  }

  /**
   * Publishes an alert change from the broker itself (QoS 1, not retained):
   * it reaches the people subscribed to its area, through authorizeForward.
   * Resolves once routed. Throws RangeError for a topic outside the alert tree,
   * so this path can never reach a device topic.
   */
  async publishAlert (topic: string, payload: Buffer | string): Promise<void> {
    const aedes = this.started()
    if (parseAlertTopic(topic) === null) throw new RangeError(`not an alert topic: ${JSON.stringify(topic)}`)
    await route(aedes, topic, typeof payload === 'string' ? Buffer.from(payload) : payload, ALERT_QOS)
  }

  /**
   * Closes the device's live connection. False if it was not connected. Its
   * last will is published; with a `reason` (an operator disabled the device
   * or rotated its secret) the will's payload is replaced by the offline
   * status with that reason, so the platform records the disconnect as what
   * it is, not as a lost connection.
   */
  disconnectDevice (deviceId: string, reason?: PlatformReason): boolean {
    const client = this.liveClient(deviceId)
    if (!client) return false
    this.log.info({ deviceId, reason }, 'disconnecting device')
    const will = (client as unknown as { will?: { payload: Buffer | string } | null }).will
    if (reason !== undefined && will != null) will.payload = Buffer.from(platformOfflineStatus(reason))
    client.close()
    return true
  }

  isConnected (deviceId: string): boolean {
    return this.liveClient(deviceId)?.connected === true
  }

  /** Stops listening, closes every connection (publishing wills), then the broker. Idempotent. */
  stop (): Promise<void> {
    this.stopping ??= this.shutdown()
    return this.stopping
  }

  private async shutdown (): Promise<void> {
    const listenersClosed = this.listeners?.close() ?? Promise.resolve()
    this.people.stop()
    const aedes = this.aedes
    if (aedes) await new Promise<void>((resolve) => aedes.close(() => resolve()))
    // Wills and messages still being handed to the sink, then presence callbacks.
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight])
    await this.presence.settled()
    this.listeners?.destroyConnections()
    await listenersClosed
    this.limitedLog.close()
    this.log.info('mqtt broker stopped')
  }

  private aedesOptions (): AedesOptions {
    const now = this.now
    const throttle = this.options.throttle ?? {}
    const hookLog = this.log
    const sink: UplinkSink = { accept: (m) => this.track(this.options.sink.accept(m)) }
    return {
      id: this.id,
      connectTimeout: this.options.connectTimeoutMs ?? 10_000,
      drainTimeout: this.options.drainTimeoutMs ?? 10_000,
      // Our ids are up to 64 chars (Aedes checks this for MQTT 3.1 only; authenticate checks all).
      maxClientsIdLength: 64,
      // Deeper than any topic of either tree (devices: 6 levels, alerts: 7), so that authorizePublish
      // and authorizeSubscribe, not Aedes, judge (and count) a too-deep topic; far below qlobber's 100.
      maxTopicLevels: Math.max(MAX_TOPIC_LEVELS, ALERT_TOPIC_LEVELS) + 10,
      // Not Aedes' keepaliveLimit: it refuses with return code 6, which MQTT 3.1.1 does not define.
      // authenticate enforces the keep-alive range with code 5 instead.
      keepaliveLimit: 0,
      concurrency: 100,
      preConnect: createPreConnect(this.sessions),
      authenticate: createAuthenticate({
        directory: this.options.directory,
        ...(this.options.people ? { people: this.options.people } : {}),
        sessions: this.sessions,
        stats: this.stats,
        logger: hookLog,
        throttle: new LoginThrottle({ ...throttle, address: { ...DEFAULT_ADDRESS_THROTTLE, ...throttle.address }, now }),
        maxKeepaliveS: this.options.maxKeepaliveS ?? 1200,
        reservePerson: (client, person, clientId) => this.limits.reserveAccount(person.username, clientId, client),
      }),
      authorizePublish: createAuthorizePublish({
        sink,
        sessions: this.sessions,
        stats: this.stats,
        logger: hookLog,
        limitedLog: this.limitedLog,
        brokerId: this.id,
        maxPayloadBytes: this.maxPayloadBytes,
        now,
        publishErrorReply: (topic, reply) => this.publishErrorReply(topic, reply),
        liveClient: (deviceId) => this.liveClient(deviceId),
      }),
      authorizeSubscribe: createAuthorizeSubscribe({ sessions: this.sessions, stats: this.stats, logger: hookLog }),
      authorizeForward: createAuthorizeForward({ sessions: this.sessions }),
    }
  }

  private watch (aedes: Aedes): void {
    aedes.on('clientReady', (client) => this.safely(() => {
      // Aedes may report a client ready after it already reported it gone (the CONNACK write completes
      // late, e.g. when the device was disabled a few ms after connecting): not connected, nothing to count.
      if ((client as unknown as { closed?: boolean }).closed === true || this.liveClient(client.id) !== client) return
      const person = this.sessions.person(client)
      if (person) this.people.watch(client, person)
      const device = this.sessions.device(client)
      if (!device) return
      this.sessions.setReady(client)
      this.stats.connected(device.deviceId, this.now())
      this.presence.connected(device)
      // The command subscription may be in place already: restored with the session (CleanSession 0), or
      // taken by a SUBSCRIBE that Aedes read once the CONNACK was written, before it reported the client ready.
      this.tellIfListening(client, device)
    }))
    // Emitted once the subscriptions of a SUBSCRIBE are in place (refused filters are not held). Before the
    // client is ready, clientReady tells it.
    aedes.on('subscribe', (_subs, client) => this.safely(() => {
      const device = this.sessions.device(client)
      if (device && this.sessions.isReady(client)) this.tellIfListening(client, device)
    }))
    aedes.on('unsubscribe', (_filters, client) => this.safely(() => {
      const device = this.sessions.device(client)
      if (device && !holdsCommandFilter(client, device)) this.sessions.commandsDropped(client)
    }))
    aedes.on('clientDisconnect', (client) => this.safely(() => {
      this.people.forget(client)
      const device = this.sessions.device(client)
      if (!device) return
      this.stats.disconnected(device.deviceId, this.now())
      this.log.info({ deviceId: device.deviceId }, 'device disconnected')
      this.presence.disconnected(device, this.sessions.willSettled(client))
    }))
    aedes.on('clientError', (client, err) => this.safely(() => {
      this.log.debug({ deviceId: this.sessions.device(client)?.deviceId, err: err.message }, 'mqtt client error')
    }))
    aedes.on('connectionError', (client, err) => this.safely(() => {
      this.log.debug({ remoteAddress: this.sessions.remoteAddress(client), err: err.message }, 'mqtt connection error')
    }))
    aedes.on('keepaliveTimeout', (client) => this.safely(() => {
      this.log.info({ deviceId: this.sessions.device(client)?.deviceId }, 'keep-alive timeout')
    }))
    // Without a listener an 'error' event would throw.
    ;(aedes as unknown as EventEmitter).on('error', (err: Error) => this.safely(() => this.log.error({ err }, 'aedes error')))
  }

  private accept (stream: Duplex, remoteAddress: string, transport: Transport): void {
    const aedes = this.aedes
    if (!aedes || this.stopping) {
      stream.destroy()
      return
    }
    const over = this.limits.open(remoteAddress)
    if (over !== undefined) {
      this.refuseForLimit(stream, over, remoteAddress, transport)
      return
    }
    const conn = guardConnection(stream, { maxPacketBytes: this.maxPacketBytes() }, (v) => this.onGuardViolation(v, remoteAddress, transport))
    const client = aedes.handle(conn)
    this.sessions.open(client, remoteAddress, transport)
    // Every stream closes once, whatever ended it: the one place its slots are freed.
    stream.once('close', () => this.safely(() => {
      this.limits.close(remoteAddress)
      const person = this.sessions.person(client)
      const clientId = this.sessions.connect(client)?.clientId
      if (person !== undefined && clientId !== undefined) this.limits.releaseAccount(person.username, clientId, client)
    }))
  }

  private refuseForLimit (stream: Duplex, reason: LimitReason, remoteAddress: string, transport: Transport): void {
    refuseOverLimit(stream)
    this.safely(() => {
      this.stats.connectionRefused(reason)
      const { maxConnections, maxPerAddress } = this.limits.limits
      this.limitedLog.log('warn', `limit:${reason}`, { reason, remoteAddress, transport, returnCode: 3, maxConnections, maxPerAddress },
        'mqtt connection refused: connection limit reached', { reason, maxConnections, maxPerAddress })
    })
  }

  private onGuardViolation (v: GuardViolation, remoteAddress: string, transport: Transport): void {
    this.safely(() => {
      this.stats.guardViolation(v.code)
      this.log.warn({ remoteAddress, transport, code: v.code, clause: v.clause }, `mqtt protocol violation: ${v.message}`)
    })
  }

  private publishErrorReply (topic: string, reply: ErrorReply): void {
    if (!this.aedes) return
    route(this.aedes, topic, Buffer.from(JSON.stringify(reply)), ERROR_QOS).catch((err: unknown) => {
      this.safely(() => this.log.warn({ err, topic }, 'error reply not published'))
    })
  }

  /** Tells the presence listener that the device now receives its commands: once per connection (claimCommandsTold). */
  private tellIfListening (client: Client, device: DeviceIdentity): void {
    if (holdsCommandFilter(client, device) && this.sessions.claimCommandsTold(client)) this.presence.commandsSubscribed(device)
  }

  private liveClient (deviceId: string): Client | undefined {
    const clients = (this.aedes as unknown as { clients?: Record<string, Client | undefined> } | undefined)?.clients
    return clients?.[deviceId]
  }

  private track<T> (p: Promise<T>): Promise<T> {
    this.inflight.add(p)
    const forget = (): void => { this.inflight.delete(p) }
    p.then(forget, forget)
    return p
  }

  private maxPacketBytes (): number {
    return this.maxPayloadBytes + PACKET_OVERHEAD_BYTES
  }

  private started (): Aedes {
    if (!this.aedes || this.stopping) throw new Error('MqttBroker is not running')
    return this.aedes
  }

  private safely (fn: () => void): void {
    try {
      fn()
    } catch (err) {
      try { this.log.error({ err }, 'broker callback failed') } catch { /* logger broken: nothing left to do */ }
    }
  }
}

/** Publishes from the broker itself (no client, so no authorizePublish), not retained. Resolves once routed. */
function route (aedes: Aedes, topic: string, payload: Buffer, qos: 0 | 1): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    aedes.publish({ cmd: 'publish', topic, payload, qos, retain: false, dup: false }, (err) => (err ? reject(err) : resolve()))
  })
}

/** Whether the connection's subscriptions (granted this connection or restored) include a command filter. */
function holdsCommandFilter (client: Client, device: DeviceIdentity): boolean {
  const prefix = `${TOPIC_ROOT}/${device.buildingId}/${device.deviceId}/command/`
  const filters = Object.keys((client as unknown as { subscriptions?: object }).subscriptions ?? {})
  return filters.some((filter) => filter.startsWith(prefix))
}
