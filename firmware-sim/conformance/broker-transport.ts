// Broker mode: the kit is one more client of the broker the device uses. It
// subscribes to the device's whole tree, publishes commands to it, and at the
// end reads the retained status with a fresh subscription. It cannot see the
// CONNECT, the subscriptions or the connection itself.

import { randomUUID } from 'node:crypto'
import mqtt, { type MqttClient } from 'mqtt'
import { commandTopic, deviceTopic, type CommandName } from '../../protocol/index.ts'
import { deviceTree, type Observation } from './observation.ts'
import type { Transport } from './transport.ts'

export interface BrokerOptions {
  url: string
  username?: string
  password?: string
  observation: Observation
  clock: () => number
}

export class BrokerTransport implements Transport {
  readonly observation: Observation
  private client: MqttClient | undefined
  private n = 0

  constructor (private readonly o: BrokerOptions) {
    this.observation = o.observation
  }

  get endpoint (): string {
    return this.o.url
  }

  private connect (tag: string): Promise<MqttClient> {
    return mqtt.connectAsync(this.o.url, {
      protocolVersion: 4,
      clientId: `rh-conformance-${tag}-${randomUUID().slice(0, 8)}`,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      ...(this.o.username === undefined ? {} : { username: this.o.username }),
      ...(this.o.password === undefined ? {} : { password: this.o.password }),
    })
  }

  async start (): Promise<void> {
    const client = await this.connect('observer')
    this.client = client
    client.on('error', () => {})
    client.on('message', (topic, payload, packet) => {
      try {
        this.observation.publishes.push({
          connection: -1, n: this.n++, at: this.o.clock(), realAt: Date.now(), topic, payload: Buffer.from(payload), qos: packet.qos, retain: packet.retain,
        })
      } catch {
        // a clock that throws loses one record, never the client
      }
    })
    const granted = await client.subscribeAsync(`${deviceTree(this.observation)}#`, { qos: 1 })
    if (granted.some((g) => g.qos === 128)) {
      await client.endAsync(true)
      throw new Error(`the broker refused the subscription to ${deviceTree(this.observation)}#: give the kit an account that may read the device's topics and write its commands`)
    }
  }

  currentConnection (): number {
    return -1
  }

  async sendCommand (name: CommandName, payload: object): Promise<void> {
    if (this.client === undefined) throw new Error('not connected')
    await this.client.publishAsync(commandTopic(this.observation.buildingId, this.observation.deviceId, name), JSON.stringify(payload), { qos: 1 })
  }

  async finish (): Promise<void> {
    const reader = await this.connect('retained')
    try {
      const topic = deviceTopic(this.observation.buildingId, this.observation.deviceId, 'status')
      const got = new Promise<Buffer | null>((resolve) => {
        const timer = setTimeout(() => resolve(null), 1500)
        reader.on('message', (_t, payload, packet) => {
          if (packet.retain) { clearTimeout(timer); resolve(Buffer.from(payload)) }
        })
      })
      await reader.subscribeAsync(topic, { qos: 1 })
      const payload = await got
      this.observation.retainedStatus = payload === null ? null : { payload }
    } finally {
      await reader.endAsync(true)
    }
  }

  async close (): Promise<void> {
    await this.client?.endAsync(true)
  }
}
