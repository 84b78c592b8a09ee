// Child process: an MQTT.js client subscribed at QoS 1 to every access event
// (`rh/v1/+/+/event/access`), counting what the broker delivers and timing it
// from the device timestamp in the payload. Reports every second over IPC.

import mqtt from 'mqtt'
import { LatencyHistogram, type HistogramData } from '../load/histogram.ts'

export type SubscriberMessage =
  | { type: 'ready' }
  | { type: 'sample'; received: number; latency: HistogramData }
  | { type: 'error'; message: string }

const send = (m: SubscriberMessage): void => { process.send?.(m) }
const TS = Buffer.from('"ts":"')

process.once('message', (cfg: { url: string; topic: string }) => {
  let received = 0
  let hist = new LatencyHistogram()
  const client = mqtt.connect(cfg.url, { clientId: `bench-sub-${process.pid}`, clean: true, protocolVersion: 4, reconnectPeriod: 0, keepalive: 60 })
  client.on('message', (_topic, payload) => {
    received++
    const i = payload.indexOf(TS)
    if (i >= 0) hist.record(Date.now() - Date.parse(payload.toString('latin1', i + 6, i + 30)))
  })
  client.on('error', (err) => send({ type: 'error', message: err.message }))
  client.on('connect', () => {
    client.subscribe(cfg.topic, { qos: 1 }, (err) => {
      if (err !== null && err !== undefined) send({ type: 'error', message: err.message })
      else send({ type: 'ready' })
    })
  })
  setInterval(() => {
    send({ type: 'sample', received, latency: hist.toJSON() })
    hist = new LatencyHistogram()
  }, 250)
})
process.on('message', (m: { type?: string }) => { if (m.type === 'stop') process.exit(0) })
process.on('disconnect', () => process.exit(0))
