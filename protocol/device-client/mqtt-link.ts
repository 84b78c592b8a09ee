// One MQTT connection of a device: MQTT 3.1.1, client id = user
// name = device id, clean session, the last will when given (§5.3), no
// automatic reconnect (the device decides when to try again, §5.5).

import mqtt, { type MqttClient } from 'mqtt'
import type { DeviceClientCredentials } from './client-options.ts'

export interface Link {
  readonly client: MqttClient
  /** Resolves on CONNACK 0; rejects when the connection closes first (refused, unreachable). */
  readonly connected: Promise<void>
  /** The last error the client reported (a refusal carries the CONNACK code in `code`). */
  readonly error: (Error & { code?: unknown }) | undefined
  /** `force`: the connection just drops (the broker publishes the will); otherwise DISCONNECT. */
  close (force: boolean): Promise<void>
}

export interface LinkOptions {
  keepaliveS: number
  will: { topic: string; payload: string } | undefined
  onMessage: (topic: string, payload: Buffer) => void
  /** Once per link, when its connection is gone; `wasUp` if it had been accepted. */
  onClose: (wasUp: boolean) => void
}

export function connectionLink (creds: Pick<DeviceClientCredentials, 'url' | 'deviceId' | 'password'>, o: LinkOptions): Link {
  const client = mqtt.connect(creds.url, {
    protocolVersion: 4,
    clientId: creds.deviceId,
    username: creds.deviceId,
    password: creds.password,
    clean: true,
    keepalive: o.keepaliveS,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
    ...(o.will === undefined ? {} : { will: { topic: o.will.topic, payload: Buffer.from(o.will.payload), qos: 1 as const, retain: true } }),
  })
  let error: Error | undefined
  let up = false
  let closed = false
  const onClosed: Array<() => void> = []
  const connected = new Promise<void>((resolve, reject) => {
    client.once('connect', () => { up = true; resolve() })
    client.on('close', () => {
      if (closed) return
      closed = true
      if (!up) reject(error ?? new Error(`connection to ${creds.url} closed before CONNACK`))
      for (const f of onClosed.splice(0)) f()
      try {
        o.onClose(up)
      } catch {
        // the device's handler logs its own failures
      }
    })
  })
  connected.catch(() => {}) // read by whoever awaits it; never unhandled
  client.on('error', (err) => { error = err })
  client.on('message', (topic, payload) => {
    try {
      o.onMessage(topic, payload)
    } catch {
      // handled (and logged) by the device
    }
  })
  return {
    client,
    connected,
    get error () { return error },
    close (force) {
      if (closed) return Promise.resolve()
      return new Promise<void>((resolve) => {
        onClosed.push(resolve)
        const timer = setTimeout(() => { client.stream?.destroy(); resolve() }, 3000)
        timer.unref()
        onClosed.push(() => clearTimeout(timer))
        client.end(force)
      })
    },
  }
}
