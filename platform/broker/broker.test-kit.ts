// Test harness for the broker: a real MqttBroker on 127.0.0.1 (ephemeral
// ports), in-memory DeviceDirectory, PersonDirectory and UplinkSink (our own ports), MQTT.js
// clients over real sockets, raw sockets for hand-built bytes, and a pino
// logger that records its lines.

import { createHash } from 'node:crypto'
import { connect as netConnect, type Socket } from 'node:net'
import type { Aedes } from 'aedes'
import { connect as mqttConnect, type IClientOptions, type MqttClient } from 'mqtt'
import pino from 'pino'
import { LAST_WILL_PAYLOAD } from '../../protocol/index.ts'
import { MqttBroker, type MqttBrokerOptions } from './mqtt-broker.ts'
import type { AcceptedMessage, DeviceDirectory, DeviceLogin, PersonDirectory, PersonLogin, UplinkSink } from './ports.ts'

export const BUILDING = 'bldg-01'

export function secretHash (secret: string): string {
  return `sha256:${createHash('sha256').update(secret).digest('hex')}`
}

export interface TestDevice {
  deviceId: string
  buildingId: string
  secret: string
}

export class MemoryDirectory implements DeviceDirectory {
  readonly logins = new Map<string, DeviceLogin>()
  lookups = 0
  failing = false

  add (deviceId: string, options: { secret?: string; buildingId?: string; enabled?: boolean } = {}): TestDevice {
    const secret = options.secret ?? `secret-of-${deviceId}`
    const buildingId = options.buildingId ?? BUILDING
    this.logins.set(deviceId, { deviceId, buildingId, secretHash: secretHash(secret), enabled: options.enabled ?? true })
    return { deviceId, buildingId, secret }
  }

  async find (deviceId: string): Promise<DeviceLogin | undefined> {
    this.lookups++
    if (this.failing) throw new Error('directory down')
    const login = this.logins.get(deviceId)
    return login ? { ...login } : undefined
  }
}

export interface TestPerson {
  username: string
  token: string
}

/** People by token; tokens can be revoked and accounts changed, as logout, expiry and admins do. */
export class MemoryPeople implements PersonDirectory {
  readonly logins = new Map<string, PersonLogin>()
  lookups = 0
  failing = false

  add (username: string, role: string, areaPath?: string): TestPerson {
    const token = `tok-${username}-${this.logins.size}`
    const login: PersonLogin = { userId: `u-${username}`, username, role }
    if (areaPath !== undefined) login.areaPath = areaPath
    this.logins.set(token, login)
    return { username, token }
  }

  revoke (token: string): void {
    this.logins.delete(token)
  }

  async actorForToken (username: string, token: string): Promise<PersonLogin | undefined> {
    this.lookups++
    if (this.failing) throw new Error('accounts down')
    const login = this.logins.get(token)
    return login?.username === username ? { ...login } : undefined
  }
}

/** Records accepted messages; can be held (gate) or made to fail. */
export class MemorySink implements UplinkSink {
  readonly messages: AcceptedMessage[] = []
  readonly events: string[] = []
  calls = 0
  failWith: Error | undefined
  private gate: Promise<void> | undefined
  private openGate: (() => void) | undefined
  private waiters: Array<() => void> = []

  hold (): void {
    this.gate = new Promise((resolve) => { this.openGate = resolve })
  }

  release (): void {
    this.openGate?.()
    this.gate = undefined
  }

  async accept (message: AcceptedMessage): Promise<void> {
    this.calls++
    this.notify()
    if (this.gate) await this.gate
    if (this.failWith) throw this.failWith
    this.messages.push(message)
    this.events.push(`accepted:${message.deviceId}:${message.channel}`)
    this.notify()
  }

  /** Resolves once `predicate` holds (checked on every sink call). */
  until (predicate: () => boolean, timeoutMs = 3000): Promise<void> {
    return waitUntil(predicate, (wake) => this.waiters.push(wake), timeoutMs)
  }

  private notify (): void {
    const w = this.waiters
    this.waiters = []
    for (const wake of w) wake()
  }
}

export function waitUntil (predicate: () => boolean, subscribe: (wake: () => void) => void, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('condition not met in time')), timeoutMs)
    const check = (): void => {
      if (predicate()) {
        clearTimeout(timer)
        resolve()
      } else {
        subscribe(check)
      }
    }
    check()
  })
}

/** Polls `predicate` every 5 ms. */
export async function eventually (predicate: () => boolean, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!predicate()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await sleep(5)
  }
}

export function sleep (ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

export interface Harness {
  broker: MqttBroker
  directory: MemoryDirectory
  people: MemoryPeople
  sink: MemorySink
  logs: Array<Record<string, unknown>>
  presence: string[]
  clock: { t: number }
  tcpUrl: string
  tcpPort: number
  wsUrl: string | null
  /** Connects a device with MQTT.js; rejects with the CONNACK error on refusal. */
  device: (d: TestDevice, options?: IClientOptions) => Promise<MqttClient>
  /** Connects and returns the CONNACK return code of the refusal (throws if accepted). */
  refusal: (d: TestDevice, options?: IClientOptions) => Promise<number>
  /** Connects a person (`dispatch:<username>`, `user:<username>`, token); rejects with the CONNACK error on refusal. */
  person: (p: TestPerson, options?: IClientOptions) => Promise<MqttClient>
  personRefusal: (p: TestPerson, options?: IClientOptions) => Promise<number>
  /** A raw TCP connection, from `localAddress` (a loopback address, default 127.0.0.1). */
  raw: (localAddress?: string) => Promise<RawClient>
  aedes: () => Aedes
  stop: () => Promise<void>
}

export async function startHarness (options: Partial<MqttBrokerOptions> = {}): Promise<Harness> {
  const directory = new MemoryDirectory()
  const people = new MemoryPeople()
  const sink = new MemorySink()
  const logs: Array<Record<string, unknown>> = []
  const presence: string[] = []
  const clock = { t: Date.parse('2026-11-20T08:00:00Z') }
  const logger = pino({ level: 'debug' }, { write: (line: string) => { logs.push(JSON.parse(line) as Record<string, unknown>) } })
  const broker = new MqttBroker({
    directory,
    people,
    sink,
    presence: {
      deviceConnected: (d) => { presence.push(`connected:${d.deviceId}`) },
      commandsSubscribed: (d) => { presence.push(`commands:${d.deviceId}`) },
      deviceDisconnected: (d) => { presence.push(`disconnected:${d.deviceId}`); sink.events.push(`disconnected:${d.deviceId}`) },
    },
    logger,
    host: '127.0.0.1',
    tcpPort: 0,
    wsPort: 0,
    now: () => clock.t,
    ...options,
  })
  await broker.start()
  const a = broker.addresses()
  const tcpUrl = `mqtt://127.0.0.1:${a.tcp.port}`
  const clients = new Set<MqttClient>()
  const raws = new Set<RawClient>()

  const openWith = (opts: IClientOptions): MqttClient => {
    const { protocol, ...rest } = opts
    const client = mqttConnect(protocol === 'ws' ? `ws://127.0.0.1:${a.ws!.port}${a.ws!.path}` : tcpUrl, {
      protocolVersion: 4,
      keepalive: 60,
      reconnectPeriod: 0,
      connectTimeout: 3000,
      ...rest,
    })
    client.on('error', () => {}) // refusals are read from the connect promise
    clients.add(client)
    return client
  }
  const open = (d: TestDevice, opts: IClientOptions = {}): MqttClient => openWith({
    clientId: d.deviceId,
    username: d.deviceId,
    password: d.secret,
    will: { topic: `rh/v1/${d.buildingId}/${d.deviceId}/status`, payload: Buffer.from(LAST_WILL_PAYLOAD), qos: 1, retain: true },
    ...opts,
  })
  const openPerson = (p: TestPerson, opts: IClientOptions = {}): MqttClient => openWith({
    clientId: `dispatch:${p.username}`, username: `user:${p.username}`, password: p.token, ...opts,
  })

  const harness: Harness = {
    broker, directory, people, sink, logs, presence, clock, tcpUrl,
    tcpPort: a.tcp.port,
    wsUrl: a.ws ? `ws://127.0.0.1:${a.ws.port}${a.ws.path}` : null,
    device: (d, opts) => accepted(open(d, opts)),
    refusal: (d, opts) => refused(open(d, opts)),
    person: (p, opts) => accepted(openPerson(p, opts)),
    personRefusal: (p, opts) => refused(openPerson(p, opts)),
    raw: async (localAddress) => {
      const r = await RawClient.open(a.tcp.port, localAddress)
      raws.add(r)
      return r
    },
    aedes: () => (broker as unknown as { aedes: Aedes }).aedes,
    stop: async () => {
      for (const c of clients) c.end(true)
      for (const r of raws) r.socket.destroy()
      await broker.stop()
    },
  }
  return harness
}

function accepted (client: MqttClient): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client))
    client.once('error', reject)
    client.once('close', () => reject(new Error('closed before CONNACK')))
  })
}

/** The CONNACK return code of a refused connection. */
function refused (client: MqttClient): Promise<number> {
  return new Promise((resolve, reject) => {
    client.once('connect', () => reject(new Error('connection was accepted')))
    client.once('error', (err) => resolve((err as Error & { code: number }).code))
    client.once('close', () => setTimeout(() => reject(new Error('closed without CONNACK')), 50))
  })
}

/** A plain TCP socket that records everything the broker sends. */
export class RawClient {
  received = Buffer.alloc(0)
  closed = false
  private constructor (readonly socket: Socket) {
    socket.on('data', (d) => { this.received = Buffer.concat([this.received, d]) })
    socket.on('close', () => { this.closed = true })
    socket.on('error', () => {})
  }

  static open (port: number, localAddress = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = netConnect({ port, host: '127.0.0.1', localAddress }, () => resolve(new RawClient(socket)))
      socket.once('error', reject)
    })
  }

  send (bytes: Buffer): void {
    this.socket.write(bytes)
  }

  async waitClosed (timeoutMs = 3000): Promise<void> {
    await eventually(() => this.closed, timeoutMs)
  }

  async waitBytes (n: number, timeoutMs = 3000): Promise<Buffer> {
    await eventually(() => this.received.length >= n, timeoutMs)
    return this.received.subarray(0, n)
  }
}

/** The retained message the broker holds for `topic`, if any. */
export async function retained (aedes: Aedes, topic: string): Promise<{ payload: Buffer; retain: boolean } | undefined> {
  const persistence = (aedes as unknown as { persistence: { createRetainedStream: (p: string) => AsyncIterable<{ payload: Buffer; retain: boolean }> } }).persistence
  // The first packet is the answer; leaving the loop closes the stream.
  // eslint-disable-next-line no-unreachable-loop
  for await (const packet of persistence.createRetainedStream(topic)) return packet
  return undefined
}
