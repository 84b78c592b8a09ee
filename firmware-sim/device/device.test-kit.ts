// Helpers for tests of the simulated devices and the conformance kit: a
// simulation clock running faster than real time, and a plain broker on
// 127.0.0.1 with a watcher client.

import mqtt, { type MqttClient } from 'mqtt'
import { startEmbeddedBroker, type EmbeddedBroker } from '../conformance/embedded-broker.ts'
import type { SimClock } from './device-api.ts'

/** A clock that starts at `start` and runs `speed` times faster than real time. */
export function fastClock (speed: number, start = Date.parse('2026-11-20T09:00:00+08:00')): SimClock {
  const realStart = Date.now()
  return { now: () => start + (Date.now() - realStart) * speed }
}

export interface PlainBroker {
  broker: EmbeddedBroker
  url: string
  /** A client subscribed to `filter` that keeps what arrives (with QoS and retain as delivered). */
  watch (filter: string): Promise<Watcher>
  close (): Promise<void>
}

export interface Watcher {
  client: MqttClient
  messages: Array<{ topic: string; payload: any; qos: number; retain: boolean }>
  on (topic: string): any[]
}

export async function plainBroker (): Promise<PlainBroker> {
  const broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0 })
  const url = `mqtt://127.0.0.1:${broker.port}`
  const clients: MqttClient[] = []
  return {
    broker,
    url,
    async watch (filter) {
      const client = await mqtt.connectAsync(url, { clientId: `watcher-${clients.length}-${Date.now()}`, reconnectPeriod: 0 })
      clients.push(client)
      const messages: Watcher['messages'] = []
      client.on('message', (topic, payload, packet) => {
        let parsed: unknown
        try { parsed = JSON.parse(payload.toString()) } catch { parsed = payload.toString() }
        messages.push({ topic, payload: parsed, qos: packet.qos, retain: packet.retain })
      })
      await client.subscribeAsync(filter, { qos: 1 })
      return { client, messages, on: (t) => messages.filter((m) => m.topic.endsWith(`/${t}`)).map((m) => m.payload) }
    },
    async close () {
      for (const c of clients) await c.endAsync(true)
      await broker.close()
    },
  }
}

/** Resolves once `check` holds (polled every 10 ms); rejects after `ms` naming `what`. */
export async function eventually (what: string, check: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error(`${what}: not so within ${ms} ms`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
