// A device on a real socket for integration tests: connect with the MQTT
// details a provisioning response gave, keep what arrives in an inbox, and
// read the CONNACK code of a refused login.

import mqtt, { type MqttClient } from 'mqtt'
import { afterEach } from 'vitest'

/** The `mqtt` block of POST /buildings/{id}/devices and POST /devices/{id}/rotate-secret. */
export interface MqttDetails {
  url: string
  clientId: string
  username: string
  password: string
  /** Readers: the allow-list key (64 hex digits) their lists are digested with; null for cameras. */
  allowlistKey: string | null
  will: { topic: string; payload: string; qos: 1; retain: true }
  publish: string[]
  subscribe: string[]
}

export interface Inbox {
  /** Messages that arrived and no `next` has taken yet. */
  messages: Array<{ topic: string; payload: unknown }>
  /** The first message (kept or still to come) whose topic matches; rejects after 5 s. */
  next (topic: RegExp): Promise<unknown>
}

export function inbox (client: MqttClient): Inbox {
  const messages: Array<{ topic: string; payload: unknown }> = []
  const waiters: Array<{ topic: RegExp; resolve: (p: unknown) => void }> = []
  client.on('message', (topic, payload) => {
    const m = { topic, payload: JSON.parse(payload.toString()) as unknown }
    const w = waiters.findIndex((x) => x.topic.test(topic))
    if (w >= 0) waiters.splice(w, 1)[0]!.resolve(m.payload)
    else messages.push(m)
  })
  return {
    messages,
    next: (topic) => {
      const i = messages.findIndex((m) => topic.test(m.topic))
      if (i >= 0) return Promise.resolve(messages.splice(i, 1)[0]!.payload)
      return new Promise((resolve, reject) => {
        waiters.push({ topic, resolve })
        setTimeout(() => reject(new Error(`no message on ${topic} within 5 s`)), 5000).unref()
      })
    },
  }
}

/** Connects as the device (its last will set as the spec asks); rejects with the CONNACK error on refusal. */
export function connectDevice (details: MqttDetails, password = details.password): Promise<MqttClient> {
  return mqtt.connectAsync(details.url, {
    clientId: details.clientId, username: details.username, password, clean: true, reconnectPeriod: 0, connectTimeout: 3000,
    will: { topic: details.will.topic, payload: Buffer.from(details.will.payload), qos: 1, retain: true },
  })
}

/** Connects, subscribes to the device's command and error topics, and returns the client with its inbox. */
export async function connectReader (details: MqttDetails): Promise<{ client: MqttClient; box: Inbox }> {
  const client = await connectDevice(details)
  const box = inbox(client)
  await client.subscribeAsync(details.subscribe, { qos: 1 })
  return { client, box }
}

/** The CONNACK return code a login is refused with (fails the test if it is accepted). */
export async function refusedLogin (details: MqttDetails, password = details.password): Promise<number> {
  const outcome = await connectDevice(details, password).then(
    async (client) => { await client.endAsync(true); return undefined },
    (err: Error & { code?: number }) => err.code)
  if (outcome === undefined) throw new Error(`${details.clientId} was let in`)
  return outcome
}

/** Resolves when the broker has closed the client's connection; rejects after `timeoutMs`. */
export function closedByBroker (client: MqttClient, timeoutMs = 3000): Promise<void> {
  if (!client.connected) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the broker did not close the connection')), timeoutMs)
    client.once('close', () => { clearTimeout(timer); resolve() })
  })
}

/** A list for the clients a suite opens; each is ended after the test that opened it. Call inside a describe. */
export function endedAfterEach (): MqttClient[] {
  const clients: MqttClient[] = []
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.endAsync(true)
  })
  return clients
}
