// A lean load generator, run as a child process: N device connections over
// raw TCP speaking just enough MQTT 3.1.1 (CONNECT with the last will, QoS 1
// PUBLISH, PUBACK counting), so that the generator costs little CPU and the
// figures measure the system under test rather than the client library.
// Publishes at a target rate (0 = as fast as acknowledgements allow) with a
// bounded window of unacknowledged messages per connection; reports every
// second; stops by itself after `durationS`. Traffic stays on the loopback.

import { connect, type Socket } from 'node:net'
import mqttPacket from 'mqtt-packet'
import { remainingLength } from '../../platform/broker/mqtt-bytes.test-kit.ts'

export interface PublisherDevice { id: string; password: string; topic: string; will: string; card: string; credentialId: string }
export interface PublisherConfig {
  /** mqtt://127.0.0.1:port */
  url: string
  devices: PublisherDevice[]
  /** Total events per second across all devices; 0 = maximum. */
  rate: number
  durationS: number
  /** Share of events presenting an unknown card (each raises an alert candidate). */
  unknownShare: number
  /** Unacknowledged messages allowed per connection. */
  window: number
  /** Prefix of event ids so several runs never collide. */
  runId: string
  /** First `seq` of this run (seq must grow across runs for the same devices). */
  seqBase: number
}

type Report =
  | { type: 'started'; t: number }
  | { type: 'progress' | 'done'; sent: number; acked: number; failed: number; t: number }
  | { type: 'error'; message: string }
const report = (m: Report): void => { process.send?.(m) }

process.once('message', (cfg: PublisherConfig) => {
  main(cfg).then(() => process.disconnect?.(), (err: unknown) => {
    report({ type: 'error', message: String(err) })
    process.exitCode = 1
    process.disconnect?.()
  })
})

interface Conn { socket: Socket; inflight: number; nextId: number; device: PublisherDevice; topic: Buffer; prefix: Buffer }

function connectOne (host: string, port: number, d: PublisherDevice): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true })
    const conn: Conn = { socket, inflight: 0, nextId: 1, device: d, topic: Buffer.from(d.topic), prefix: Buffer.alloc(0) }
    const parser = mqttPacket.parser({ protocolVersion: 4 })
    let connected = false
    parser.on('packet', (p) => {
      if (p.cmd === 'connack') {
        if (p.returnCode !== 0) { reject(new Error(`${d.id} refused: CONNACK ${p.returnCode}`)); return }
        connected = true
        resolve(conn)
      } else if (p.cmd === 'puback') {
        conn.inflight--
        acked++
      }
    })
    parser.on('error', reject)
    socket.on('data', (b) => parser.parse(b))
    socket.on('error', (err) => { if (!connected) reject(err) })
    socket.on('close', () => { if (connected) failed += conn.inflight; conn.inflight = 0 })
    socket.write(mqttPacket.generate({
      cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 60, clientId: d.id, username: d.id,
      password: Buffer.from(d.password),
      will: { topic: d.will, payload: Buffer.from('{"state":"offline","reason":"lwt"}'), qos: 1, retain: true },
    }))
  })
}

/** A QoS 1 PUBLISH with a prebuilt topic, written by hand (the hot path). */
function publishPacket (topic: Buffer, packetId: number, payload: string): Buffer {
  const body = Buffer.byteLength(payload)
  const remaining = 2 + topic.length + 2 + body
  const lenBytes = remainingLength(remaining)
  const buf = Buffer.allocUnsafe(1 + lenBytes.length + remaining)
  let o = 0
  buf[o++] = 0x32 // PUBLISH, QoS 1
  for (const b of lenBytes) buf[o++] = b
  buf.writeUInt16BE(topic.length, o); o += 2
  topic.copy(buf, o); o += topic.length
  buf.writeUInt16BE(packetId, o); o += 2
  buf.write(payload, o)
  return buf
}

let sent = 0
let acked = 0
let failed = 0

async function main (cfg: PublisherConfig): Promise<void> {
  const u = new URL(cfg.url)
  const conns = await Promise.all(cfg.devices.map((d) => connectOne(u.hostname, Number(u.port), d)))
  let seq = cfg.seqBase
  const started = Date.now()
  const end = started + cfg.durationS * 1000
  report({ type: 'started', t: started })
  const tick = setInterval(() => report({ type: 'progress', sent, acked, failed, t: Date.now() }), 1000)

  const publishOne = (c: Conn, now: number): void => {
    seq++
    const unknown = Math.random() < cfg.unknownShare
    const credential = unknown
      ? `{"kind":"card","value":"FF${(seq % 50).toString(16).padStart(6, '0')}"},"result":"denied","reason":"unknown_credential"`
      : `{"kind":"card","value":"${c.device.card}","credentialId":"${c.device.credentialId}"},"result":"granted"`
    const payload = `{"eventId":"${cfg.runId}-${seq}","seq":${seq},"ts":"${new Date(now).toISOString()}","door":"main-gate",` +
      `"direction":"${seq % 2 === 0 ? 'in' : 'out'}","credential":${credential}}`
    const id = c.nextId
    c.nextId = c.nextId === 65535 ? 1 : c.nextId + 1
    c.inflight++
    sent++
    c.socket.write(publishPacket(c.topic, id, payload))
  }

  await new Promise<void>((resolve) => {
    const loop = (): void => {
      const now = Date.now()
      if (now >= end) { resolve(); return }
      const target = cfg.rate > 0 ? Math.floor(((now - started) / 1000) * cfg.rate) : Infinity
      for (let round = 0; round < 16 && sent < target; round++) {
        let progressed = false
        for (const c of conns) {
          if (sent >= target) break
          if (c.inflight < cfg.window) { publishOne(c, now); progressed = true }
        }
        if (!progressed) break
      }
      setImmediate(loop)
    }
    loop()
  })
  // Let the last acknowledgements arrive.
  const drainUntil = Date.now() + 10_000
  while (conns.some((c) => c.inflight > 0) && Date.now() < drainUntil) await new Promise((r) => setTimeout(r, 5))
  const drained = Date.now()
  clearInterval(tick)
  for (const c of conns) c.socket.end(mqttPacket.generate({ cmd: 'disconnect' }))
  report({ type: 'done', sent, acked, failed, t: drained })
}
