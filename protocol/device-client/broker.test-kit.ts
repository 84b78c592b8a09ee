// A plain Aedes broker on 127.0.0.1 (a port the system chooses) and a
// watcher client that keeps what arrives, for the client's tests.

import { createServer, type AddressInfo, type Socket } from 'node:net'
import { Aedes } from 'aedes'
import mqtt, { type MqttClient } from 'mqtt'

export interface TestBroker {
  aedes: Aedes
  url: string
  /** A client subscribed to `filter`: what arrives, parsed, with QoS and retain as delivered. */
  watch (filter: string): Promise<Watched>
  /** Closes the device's connection without DISCONNECT, as a broker that lost it would. */
  drop (clientId: string): void
  close (): Promise<void>
}

export interface Watched {
  client: MqttClient
  messages: Array<{ topic: string; payload: any; qos: number; retain: boolean }>
  /** Payloads on topics ending in `/{channel}`. */
  on (channel: string): any[]
}

export async function testBroker (): Promise<TestBroker> {
  const aedes = await Aedes.createBroker()
  const sockets = new Set<Socket>()
  const server = createServer((s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); s.on('error', () => {}); aedes.handle(s) })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`
  const clients: MqttClient[] = []
  return {
    aedes,
    url,
    async watch (filter) {
      const client = await mqtt.connectAsync(url, { clientId: `watcher-${clients.length}-${Date.now()}`, reconnectPeriod: 0 })
      clients.push(client)
      const messages: Watched['messages'] = []
      client.on('message', (topic, payload, packet) => {
        let parsed: unknown
        try { parsed = JSON.parse(payload.toString()) } catch { parsed = payload.toString() }
        messages.push({ topic, payload: parsed, qos: packet.qos, retain: packet.retain })
      })
      await client.subscribeAsync(filter, { qos: 1 })
      return { client, messages, on: (c) => messages.filter((m) => m.topic.endsWith(`/${c}`)).map((m) => m.payload) }
    },
    drop (clientId) {
      (aedes as unknown as { clients: Record<string, { close: () => void } | undefined> }).clients[clientId]?.close()
    },
    async close () {
      for (const c of clients) await c.endAsync(true)
      await new Promise<void>((resolve) => aedes.close(() => resolve()))
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
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
