// MQTT over TLS and over secure WebSocket: a device provisioned through the
// API is told the mqtts/wss addresses, connects over each with the platform's
// certificate, and gets its allow-list; plain MQTT on the TLS port goes
// nowhere. Bad TLS settings stop the platform at boot with a clear message.

import mqtt from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AllowlistSync } from '../protocol/index.ts'
import { ConfigError, loadConfig } from '../platform/config.ts'
import { inbox, type MqttDetails } from './support/mqtt-device.ts'
import { provisionReader, startTestPlatform, type TestPlatform } from './support/platform.ts'
import { selfSignedCertificate, type TestCertificate } from './support/tls-cert.ts'

describe('MQTT over TLS', () => {
  let cert: TestCertificate
  let tp: TestPlatform
  beforeAll(async () => {
    cert = selfSignedCertificate()
    tp = await startTestPlatform('pglite', { env: { MQTT_TLS_PORT: '0', MQTT_WSS_PORT: '0', TLS_CERT_FILE: cert.certFile, TLS_KEY_FILE: cert.keyFile } })
  }, 60_000)
  afterAll(async () => {
    await tp?.dispose()
    cert?.dispose()
  })

  const connect = (url: string, d: MqttDetails) => mqtt.connectAsync(url, {
    clientId: d.clientId, username: d.username, password: d.password, reconnectPeriod: 0, connectTimeout: 5000,
    ca: cert.cert, servername: 'localhost',
    will: { topic: d.will.topic, payload: Buffer.from(d.will.payload), qos: 1, retain: true },
  })

  it('tells a provisioned device the secure addresses, and the device connects over mqtts and wss', async () => {
    const details = await provisionReader(tp, 'admin', 'demo-b1', 'tls-reader') as MqttDetails & { tlsUrl: string; wssUrl: string }
    expect(details.tlsUrl).toMatch(/^mqtts:\/\/[^:]+:\d+$/)
    expect(details.wssUrl).toMatch(/^wss:\/\/[^:]+:\d+\/mqtt$/)
    for (const url of [details.tlsUrl, details.wssUrl]) {
      const client = await connect(url.replace('localhost', '127.0.0.1'), details)
      const box = inbox(client)
      await client.subscribeAsync(details.subscribe, { qos: 1 })
      expect(await box.next(/command\/allowlist-sync$/) as AllowlistSync).toMatchObject({ mode: 'full' })
      await client.endAsync(true)
    }
  })

  it('refuses a client that does not trust the certificate, and plain MQTT on the TLS port', async () => {
    const details = await provisionReader(tp, 'admin', 'demo-b1', 'tls-reader-2') as MqttDetails & { tlsUrl: string }
    const url = details.tlsUrl.replace('localhost', '127.0.0.1')
    const untrusted = await attempt(url, details, {})
    expect(untrusted).toMatch(/self-signed|certificate/i)
    const plain = await attempt(url.replace('mqtts:', 'mqtt:'), details, {})
    expect(plain).not.toBe('connected')
  })
})

/** Connects once; 'connected', or what stopped it (an error message, or 'closed'). */
function attempt (url: string, d: MqttDetails, extra: object): Promise<string> {
  return new Promise((resolve) => {
    const client = mqtt.connect(url, { clientId: d.clientId, username: d.username, password: d.password, reconnectPeriod: 0, connectTimeout: 3000, ...extra })
    const done = (outcome: string): void => { client.end(true); resolve(outcome) }
    client.once('connect', () => done('connected'))
    client.once('error', (err) => done(err.message))
    client.once('close', () => done('closed'))
  })
}

describe('TLS settings', () => {
  it('need a readable certificate and key that belong together, reported by name', () => {
    const a = selfSignedCertificate()
    const b = selfSignedCertificate()
    try {
      const problems = (env: Record<string, string>): string => {
        try {
          loadConfig(env)
          return ''
        } catch (err) {
          return (err as ConfigError).problems.join('\n')
        }
      }
      expect(problems({ MQTT_TLS_PORT: '8883' })).toMatch(/TLS_CERT_FILE is required[\s\S]*TLS_KEY_FILE is required/)
      expect(problems({ MQTT_WSS_PORT: '8884', TLS_CERT_FILE: '/nonexistent/cert.pem', TLS_KEY_FILE: a.keyFile })).toMatch(/TLS_CERT_FILE: cannot read .*ENOENT/)
      expect(problems({ MQTT_TLS_PORT: '8883', TLS_CERT_FILE: a.certFile, TLS_KEY_FILE: b.keyFile })).toMatch(/not a usable certificate and key/)
      expect(loadConfig({ MQTT_TLS_PORT: '8883', TLS_CERT_FILE: a.certFile, TLS_KEY_FILE: a.keyFile }).tls).toMatchObject({ mqttTlsPort: 8883, mqttWssPort: null })
      expect(loadConfig({}).tls).toBeUndefined()
    } finally {
      a.dispose()
      b.dispose()
    }
  })
})
