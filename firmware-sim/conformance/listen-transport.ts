// Listen mode: the kit is the device's broker. A permissive embedded Aedes
// that records the device's CONNECT (client id, user name, keep-alive, will),
// its subscriptions and everything it publishes, sends it commands, and can
// drop its connection and refuse it for a while (an outage).

import type { Client, ConnectPacket, PublishPacket } from 'aedes'
import { commandTopic, type CommandName } from '../../protocol/index.ts'
import { startEmbeddedBroker, type EmbeddedBroker } from './embedded-broker.ts'
import type { ConnectRecord, Observation } from './observation.ts'
import type { Transport } from './transport.ts'

export interface ListenOptions {
  host: string
  port: number
  observation: Observation
  clock: () => number
}

export class ListenTransport implements Transport {
  readonly observation: Observation
  private broker: EmbeddedBroker | undefined
  private readonly records = new WeakMap<Client, ConnectRecord>()
  private live: { client: Client; index: number } | undefined
  private refusing = false
  private n = 0

  constructor (private readonly o: ListenOptions) {
    this.observation = o.observation
  }

  get endpoint (): string {
    return this.broker ? `mqtt://${this.broker.host}:${this.broker.port}` : `mqtt://${this.o.host}:${this.o.port}`
  }

  get address (): { host: string; port: number } {
    if (!this.broker) throw new Error('not listening')
    return { host: this.broker.host, port: this.broker.port }
  }

  async start (): Promise<void> {
    this.broker = await startEmbeddedBroker({
      host: this.o.host,
      port: this.o.port,
      options: {
        // Recording never keeps a device out or refuses a message: a failure there is swallowed.
        preConnect: (client, packet, done) => {
          try {
            this.recordConnect(client, packet)
          } catch {}
          done(null, true)
        },
        authenticate: (client, _username, _password, done) => {
          const rec = this.records.get(client)
          if (rec !== undefined && !rec.accepted) done(Object.assign(new Error('outage simulated by the conformance kit'), { returnCode: 3 as const }), false)
          else done(null, true)
        },
        authorizePublish: (client, packet, done) => {
          try {
            this.recordPublish(client, packet)
          } catch {}
          done(null)
        },
        authorizeSubscribe: (client, sub, done) => {
          const rec = this.records.get(client)
          if (rec !== undefined) this.observation.subscribes.push({ connection: rec.index, n: this.n++, at: this.o.clock(), filter: sub.topic, qos: sub.qos })
          done(null, sub)
        },
      },
    })
    this.broker.aedes.on('clientReady', (client) => {
      const rec = this.records.get(client)
      if (rec !== undefined && rec.accepted) this.live = { client, index: rec.index }
    })
    this.broker.aedes.on('clientDisconnect', (client) => {
      if (this.live?.client === client) this.live = undefined
    })
  }

  private recordConnect (client: Client, packet: ConnectPacket): void {
    const obs = this.observation
    if (packet.clientId !== obs.deviceId && packet.username !== obs.deviceId) {
      obs.others.push(packet.clientId)
      return
    }
    const will = packet.will
    const rec: ConnectRecord = {
      index: obs.connects.length, at: this.o.clock(), clientId: packet.clientId, username: packet.username,
      hasPassword: packet.password !== undefined, protocolId: packet.protocolId, protocolVersion: packet.protocolVersion,
      keepalive: packet.keepalive, clean: packet.clean,
      will: will === undefined || will === null ? undefined : {
        topic: will.topic, payload: Buffer.from(will.payload).toString('utf8'), qos: will.qos ?? 0, retain: will.retain === true,
      },
      accepted: !this.refusing,
    }
    obs.connects.push(rec)
    this.records.set(client, rec)
  }

  private recordPublish (client: Client | null, packet: PublishPacket): void {
    const rec = client === null ? undefined : this.records.get(client)
    // The broker publishing the device's will passes here too: the will was judged from the CONNECT.
    const isWill = client !== null && (client as unknown as { will?: unknown }).will === packet
    if (rec === undefined || isWill) return
    this.observation.publishes.push({
      connection: rec.index, n: this.n++, at: this.o.clock(), realAt: Date.now(), topic: packet.topic,
      payload: Buffer.from(packet.payload), qos: packet.qos, retain: packet.retain,
    })
  }

  /** The index of the device's live connection, or -1. */
  currentConnection (): number {
    return this.live?.index ?? -1
  }

  sendCommand (name: CommandName, payload: object): Promise<void> {
    const aedes = this.broker?.aedes
    if (aedes === undefined) return Promise.reject(new Error('not listening'))
    const topic = commandTopic(this.observation.buildingId, this.observation.deviceId, name)
    return new Promise((resolve, reject) => {
      aedes.publish({ cmd: 'publish', topic, payload: Buffer.from(JSON.stringify(payload)), qos: 1, retain: false, dup: false }, (err) => (err ? reject(err) : resolve()))
    })
  }

  /** Closes the device's connection without DISCONNECT (its will is published). */
  dropConnection (): void {
    this.live?.client.close()
    this.live = undefined
  }

  /** While set, the device's connection attempts are refused with CONNACK 3 (server unavailable). */
  refuseConnections (refuse: boolean): void {
    this.refusing = refuse
  }

  async finish (): Promise<void> {}

  async close (): Promise<void> {
    await this.broker?.close()
  }
}
