// A lean load generator, run as a child process: many device connections over
// raw TCP speaking just enough MQTT 3.1.1 (CONNECT with the last will, QoS 1
// PUBLISH, PUBACK counting, QoS 0 heartbeats, PINGREQ), so that the generator
// costs little CPU and the figures measure the system under test rather than
// the client library. Connections are opened at `rampPerS` so that thousands
// of CONNECTs do not arrive at once. Publishes at a target rate (0 = as fast as
// acknowledgements allow) with a bounded window of unacknowledged messages per
// connection; reports every second; stops by itself after `durationS`.
//
// Protocol with the parent (IPC): the parent sends one PublisherConfig; the
// child answers `ramp` while connecting, `connected` when done, then (after a
// `{type: 'go'}` if `barrier`) `started`, `progress` every second and `done`.
// The child exits when the parent goes away.

import { connect, type Socket } from 'node:net'
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import { LatencyHistogram, type HistogramData } from './histogram.ts'
import { CONNACK, connectPacket, DISCONNECT, PacketReader, PINGREQ, PUBACK, publishPacket } from './mqtt-wire.ts'

export interface PublisherDevice {
  id: string
  password: string
  /** Where access events go: rh/v1/{building}/{device}/event/access */
  topic: string
  /** The status topic, for the last will. */
  will: string
  /** A card registered in the device's building, and its credential id. */
  card: string
  credentialId: string
}

export interface PublisherConfig {
  /** mqtt://127.0.0.1:port */
  url: string
  devices: PublisherDevice[]
  /** Total events per second across this child's devices; 0 = maximum. */
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
  /** New connections per second; 0 (default) opens them all at once. */
  rampPerS?: number
  /** Wait for `{type: 'go'}` after connecting, so that several children start together. */
  barrier?: boolean
  /** Publish access events (default true); false holds the connections with heartbeats only. */
  events?: boolean
  /** Heartbeat every this many seconds per device (QoS 0); 0 (default) none. */
  heartbeatS?: number
  /** Keep alive in CONNECT (default 60 s); PINGREQ is sent on connections idle for half of it. */
  keepaliveS?: number
  /** How many distinct unknown cards (default 50); 0 = a new card every time, so each opens an alert. */
  unknownCards?: number
  /** Time the acknowledgement of one message in this many (default 8; 0 = none). */
  ackSampleEvery?: number
  /** Longest wait for the last acknowledgements after the end, seconds (default 10). */
  drainS?: number
  /** Progress report interval, ms (default 1000). */
  reportMs?: number
}

export interface PublisherCounts {
  sent: number
  acked: number
  /** Messages unacknowledged on connections that closed. */
  failed: number
  /** Connections open now, and those that closed by themselves after CONNACK. */
  connected: number
  dropped: number
  t: number
  /** CPU time this process has used, ms. */
  cpuMs: number
  /** Publish → PUBACK latency of the sampled messages since the last report, ms. */
  ackLatency?: HistogramData
}

export type PublisherReport =
  | { type: 'ramp' | 'connected'; connected: number; connectFailed: number; firstError?: string; t: number; cpuMs: number }
  | { type: 'started'; t: number }
  | ({ type: 'progress' | 'done' } & PublisherCounts)
  | { type: 'error'; message: string }

interface Conn {
  socket: Socket
  inflight: number
  nextId: number
  device: PublisherDevice
  topic: Buffer
  heartbeat: Buffer
  lastWrite: number
  open: boolean
  /** Packet id → send time of the sampled messages in flight. */
  sampled: Map<number, number>
}

const report = (m: PublisherReport): void => { process.send?.(m) }
const cpuMs = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000 }

let sent = 0
let acked = 0
let failed = 0
let dropped = 0
let ackHist = new LatencyHistogram()
let wake: (() => void) | undefined

function connectOne (host: string, port: number, d: PublisherDevice, keepaliveS: number): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true })
    const conn: Conn = {
      socket, inflight: 0, nextId: 1, device: d, topic: Buffer.from(d.topic),
      heartbeat: Buffer.from(d.will.replace(/status$/, 'heartbeat')), lastWrite: Date.now(), open: false, sampled: new Map(),
    }
    const timer = setTimeout(() => { socket.destroy(); reject(new Error(`${d.id}: no CONNACK within 15 s`)) }, 15_000)
    const reader = new PacketReader((type, body) => {
      if (type === PUBACK) {
        conn.inflight--
        acked++
        if (conn.sampled.size > 0) {
          const t0 = conn.sampled.get(body.readUInt16BE(0))
          if (t0 !== undefined) {
            conn.sampled.delete(body.readUInt16BE(0))
            ackHist.record(performance.now() - t0)
          }
        }
        if (wake !== undefined) { const w = wake; wake = undefined; setImmediate(w) }
      } else if (type === CONNACK) {
        clearTimeout(timer)
        if (body[1] !== 0) { socket.destroy(); reject(new Error(`${d.id} refused: CONNACK ${body[1]}`)); return }
        conn.open = true
        resolve(conn)
      }
    })
    socket.on('data', (b) => reader.feed(b))
    socket.on('error', (err) => { if (!conn.open) { clearTimeout(timer); reject(err) } })
    socket.on('close', () => {
      if (conn.open) { failed += conn.inflight; dropped++ }
      conn.inflight = 0
      conn.open = false
    })
    socket.write(connectPacket({ clientId: d.id, username: d.id, password: d.password, keepaliveS, will: { topic: d.will, payload: '{"state":"offline","reason":"lwt"}' } }))
  })
}

/** Opens every connection, `rampPerS` a second (0: all at once); failures are counted, not fatal. */
async function openAll (cfg: PublisherConfig, keepaliveS: number): Promise<Conn[]> {
  const u = new URL(cfg.url)
  const conns: Conn[] = []
  let failedConnects = 0
  let firstError: string | undefined
  const status = (type: 'ramp' | 'connected'): void => report({ type, connected: conns.length, connectFailed: failedConnects, ...(firstError === undefined ? {} : { firstError }), t: Date.now(), cpuMs: cpuMs() })
  const tick = setInterval(() => status('ramp'), 1000)
  const one = (d: PublisherDevice): Promise<void> => connectOne(u.hostname, Number(u.port), d, keepaliveS).then(
    (c) => { conns.push(c) },
    (err: unknown) => { failedConnects++; firstError ??= String(err) })
  const ramp = cfg.rampPerS ?? 0
  if (ramp <= 0) {
    await Promise.all(cfg.devices.map(one))
  } else {
    // Slots of 50 ms; at most two seconds' worth of CONNECTs waiting for their CONNACK.
    const perSlot = Math.max(1, Math.round(ramp / 20))
    const pending = new Set<Promise<void>>()
    for (let i = 0; i < cfg.devices.length; i += perSlot) {
      const slot = Date.now()
      for (const d of cfg.devices.slice(i, i + perSlot)) {
        const p = one(d).finally(() => pending.delete(p))
        pending.add(p)
      }
      while (pending.size > 2 * ramp) await Promise.race(pending)
      await new Promise((r) => setTimeout(r, Math.max(0, 50 - (Date.now() - slot))))
    }
    await Promise.all(pending)
  }
  clearInterval(tick)
  if (conns.length === 0) throw new Error(`no connection could be opened: ${firstError ?? 'no devices'}`)
  status('connected')
  return conns
}

async function main (cfg: PublisherConfig): Promise<void> {
  const keepaliveS = cfg.keepaliveS ?? 60
  const conns = await openAll(cfg, keepaliveS)
  if (cfg.barrier === true) {
    await new Promise<void>((resolve) => process.on('message', (m: { type?: string }) => { if (m.type === 'go') resolve() }))
  }
  const distinctUnknown = cfg.unknownCards ?? 50
  const sampleEvery = cfg.ackSampleEvery ?? 8
  let seq = cfg.seqBase
  const started = Date.now()
  const end = started + cfg.durationS * 1000
  report({ type: 'started', t: started })
  const counts = (): PublisherCounts => {
    const c: PublisherCounts = { sent, acked, failed, connected: conns.filter((x) => x.open).length, dropped, t: Date.now(), cpuMs: cpuMs(), ackLatency: ackHist.toJSON() }
    ackHist = new LatencyHistogram()
    return c
  }
  const tick = setInterval(() => report({ type: 'progress', ...counts() }), cfg.reportMs ?? 1000)

  // Heartbeats (spread over the interval) and PINGREQ on otherwise idle connections.
  const heartbeatMs = (cfg.heartbeatS ?? 0) * 1000
  let beat = 0
  const housekeeping = setInterval(() => {
    const now = Date.now()
    for (let i = 0; i < conns.length; i++) {
      const c = conns[i]!
      if (!c.open) continue
      if (heartbeatMs > 0 && (i * 1000 + beat) % heartbeatMs < 1000) {
        c.socket.write(publishPacket(c.heartbeat, `{"ts":"${new Date(now).toISOString()}","uptimeS":${Math.floor((now - started) / 1000)}}`))
        c.lastWrite = now
      } else if (now - c.lastWrite > keepaliveS * 500) {
        c.socket.write(PINGREQ)
        c.lastWrite = now
      }
    }
    beat += 1000
  }, 1000)

  const payloadFor = (c: Conn, ts: string): string => {
    seq++
    const credential = Math.random() < cfg.unknownShare
      ? `{"kind":"card","value":"FF${distinctUnknown > 0 ? (seq % distinctUnknown).toString(16).padStart(6, '0') : seq.toString(16)}"},"result":"denied","reason":"unknown_credential"`
      : `{"kind":"card","value":"${c.device.card}","credentialId":"${c.device.credentialId}"},"result":"granted"`
    return `{"eventId":"${cfg.runId}-${seq}","seq":${seq},"ts":"${ts}","door":"main-gate",` +
      `"direction":"${seq % 2 === 0 ? 'in' : 'out'}","credential":${credential}}`
  }
  const publish = (c: Conn, n: number, now: number): void => {
    c.socket.cork()
    const ts = new Date(now).toISOString()
    for (let k = 0; k < n; k++) {
      const id = c.nextId
      c.nextId = c.nextId === 65535 ? 1 : c.nextId + 1
      c.inflight++
      sent++
      if (sampleEvery > 0 && sent % sampleEvery === 0) c.sampled.set(id, performance.now())
      c.socket.write(publishPacket(c.topic, payloadFor(c, ts), id))
    }
    c.socket.uncork()
    c.lastWrite = now
  }

  if (cfg.events !== false) {
    await new Promise<void>((resolve) => {
      let cursor = 0
      const loop = (): void => {
        const now = Date.now()
        if (now >= end) { resolve(); return }
        // Paced: one message per connection per pass, round robin, so the rate spreads over all devices.
        let allowance = cfg.rate > 0 ? Math.floor(((now - started) / 1000) * cfg.rate) - sent : Infinity
        const burst = cfg.rate > 0 ? 1 : cfg.window
        let progressed = true
        for (let pass = 0; pass < 16 && allowance > 0 && progressed; pass++) {
          progressed = false
          for (let k = 0; k < conns.length && allowance > 0; k++) {
            const c = conns[cursor]!
            cursor = (cursor + 1) % conns.length
            const n = Math.min(burst, allowance, cfg.window - c.inflight)
            if (!c.open || n <= 0) continue
            publish(c, n, now)
            allowance -= n
            progressed = true
          }
        }
        if (allowance > 0 && !progressed) {
          // Every window is full: go on at the next acknowledgement (or in 5 ms).
          const t = setTimeout(() => { wake = undefined; loop() }, 5)
          wake = () => { clearTimeout(t); loop() }
        } else if (allowance > 0) {
          setImmediate(loop)
        } else {
          setTimeout(loop, 1)
        }
      }
      loop()
    })
  } else {
    await new Promise((r) => setTimeout(r, Math.max(0, end - Date.now())))
  }
  // Let the last acknowledgements arrive.
  const drainUntil = Date.now() + (cfg.drainS ?? 10) * 1000
  while (conns.some((c) => c.inflight > 0) && Date.now() < drainUntil) await new Promise((r) => setTimeout(r, 5))
  clearInterval(tick)
  clearInterval(housekeeping)
  const done = counts()
  for (const c of conns) c.socket.end(DISCONNECT)
  report({ type: 'done', ...done })
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.once('message', (cfg: PublisherConfig) => {
    main(cfg).then(() => process.disconnect?.(), (err: unknown) => {
      report({ type: 'error', message: String(err) })
      process.exitCode = 1
      process.disconnect?.()
    })
  })
  // Never outlive the parent (a benchmark that failed or was interrupted).
  process.on('disconnect', () => setTimeout(() => process.exit(), 2000).unref())
}
