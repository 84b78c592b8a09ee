// How long an honest device waits for its CONNACK while the broker is flooded
// with bad logins and malformed connections. Two parts, usable from a test or
// the fuzzer:
//
//   connackLatency  one raw CONNECT, timed to its CONNACK (return code and ms)
//   flood           a bounded flood against one broker port: many sockets,
//                   spread over loopback source addresses (127.0.0.2 and up,
//                   so a per-address throttle does not end it at once), each
//                   in a loop of: a CONNECT as an unknown device with a wrong
//                   secret (a directory lookup each; 6 in 8), or a valid-looking
//                   CONNECT followed by random bytes, or random bytes alone.
//                   It stops by itself after `maxConnections` or `seconds`.
//
// Only loopback: this is for a broker on the same machine.

import { randomBytes } from 'node:crypto'
import { connect as netConnect, type Socket } from 'node:net'
import { CONNACK, connectPacket, PacketReader, type ConnectFields } from './mqtt-wire.ts'

export interface ConnackResult {
  /** The CONNACK return code, or null when none arrived within the timeout. */
  code: number | null
  ms: number
}

/** Opens a TCP connection, sends `fields` as a CONNECT and times the CONNACK (from the CONNECT written). */
export function connackLatency (port: number, fields: ConnectFields, o: { host?: string; timeoutMs?: number } = {}): Promise<ConnackResult> {
  const timeoutMs = o.timeoutMs ?? 30_000
  return new Promise((resolve) => {
    let started = 0
    let done = false
    const socket = netConnect({ port, host: o.host ?? '127.0.0.1' })
    const finish = (code: number | null): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.destroy()
      resolve({ code, ms: started === 0 ? 0 : performance.now() - started })
    }
    const timer = setTimeout(() => finish(null), timeoutMs)
    const reader = new PacketReader((type, body) => { if (type === CONNACK) finish(body[1] ?? null) })
    socket.on('connect', () => {
      started = performance.now()
      socket.write(connectPacket(fields))
    })
    socket.on('data', (chunk) => reader.feed(chunk))
    socket.on('error', () => finish(null))
    socket.on('close', () => finish(null))
  })
}

export interface FloodOptions {
  port: number
  /** Sockets open at once; default 200. */
  sockets?: number
  /** Source addresses 127.0.0.2 .. 127.0.0.(1 + n); default 50. */
  sourceAddresses?: number
  /** The flood ends after this many connections in all; default 20,000. */
  maxConnections?: number
  /** ... or after this long; default 10 s. */
  seconds?: number
  /** A building id for the device topics of the bad logins; default `flood`. */
  buildingId?: string
}

export interface FloodReport {
  connections: number
  /** CONNACK return codes received, by code. */
  connacks: Record<number, number>
  bytesSent: number
  ms: number
}

export interface Flood {
  /** Resolves when the flood has ended by itself (or by stop()). */
  done: Promise<FloodReport>
  stop (): void
}

/** Starts a bounded flood; see the file comment. */
export function flood (o: FloodOptions): Flood {
  const sockets = o.sockets ?? 200
  const sources = Math.max(1, Math.min(o.sourceAddresses ?? 50, 250))
  const maxConnections = o.maxConnections ?? 20_000
  const deadline = performance.now() + (o.seconds ?? 10) * 1000
  const buildingId = o.buildingId ?? 'flood'
  const report: FloodReport = { connections: 0, connacks: {}, bytesSent: 0, ms: 0 }
  const open = new Set<Socket>()
  const started = performance.now()
  let stopped = false
  let resolveDone!: (r: FloodReport) => void
  const done = new Promise<FloodReport>((resolve) => { resolveDone = resolve })

  const over = (): boolean => stopped || report.connections >= maxConnections || performance.now() >= deadline
  const settle = (): void => {
    if (open.size > 0) return
    report.ms = performance.now() - started
    resolveDone(report)
  }

  const one = (n: number): void => {
    if (over()) {
      settle()
      return
    }
    report.connections++
    const socket = netConnect({ port: o.port, host: '127.0.0.1', localAddress: `127.0.0.${2 + (n % sources)}` })
    open.add(socket)
    const send = (b: Buffer): void => {
      report.bytesSent += b.length
      socket.write(b)
    }
    const reader = new PacketReader((type, body) => {
      if (type !== CONNACK) return
      const code = body[1] ?? -1
      report.connacks[code] = (report.connacks[code] ?? 0) + 1
      socket.destroy()
    })
    socket.setTimeout(3_000, () => socket.destroy())
    socket.on('connect', () => {
      const id = `flood-${randomBytes(6).toString('hex')}`
      const kind = report.connections % 8
      const login = connectPacket({
        clientId: id, username: id, password: randomBytes(12).toString('base64url'), keepaliveS: 30,
        will: { topic: `rh/v1/${buildingId}/${id}/status`, payload: '{"state":"offline","reason":"lwt"}' },
      })
      if (kind === 7) {
        send(randomBytes(64)) // not MQTT at all
        socket.end()
      } else if (kind === 6) {
        send(Buffer.concat([login, randomBytes(256)])) // a CONNECT, then garbage
      } else {
        send(login) // an unknown device with a wrong secret
      }
    })
    socket.on('data', (chunk) => reader.feed(chunk))
    socket.on('error', () => {})
    socket.on('close', () => {
      open.delete(socket)
      if (over()) settle()
      else setImmediate(one, n + sockets)
    })
  }

  for (let i = 0; i < sockets; i++) one(i)
  return {
    done,
    stop () {
      stopped = true
      for (const s of open) s.destroy()
    },
  }
}
