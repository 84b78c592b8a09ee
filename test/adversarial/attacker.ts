// One attacker of the fuzzer, run as a child process so that mutating and
// sending costs the honest device (in the parent) nothing. Three kinds:
//
//   frames    mutated MQTT frames, each connection starting with a valid
//             CONNECT of its device or with a mutated one
//   garbage   a valid CONNECT, then random bytes until the broker closes
//   payloads  a valid session of its device publishing mutated JSON on its
//             own topics, QoS 0 and QoS 1 (a bounded window of PUBACKs)
//
// Every connection goes from `localAddress` (a loopback address of its own,
// so that the platform sees an attacker apart from the honest device) to the
// broker on 127.0.0.1 only. It stops by itself after `seconds` or once it has
// sent `budget` units (frames, chunks or payloads), and reports counts to the
// parent every half second and at the end.

import { connect, type Socket } from 'node:net'
import { pathToFileURL } from 'node:url'
import mqttPacket from 'mqtt-packet'
import { Rng } from '../../firmware-sim/world/rng.ts'
import { CONNACK, PacketReader, PUBACK } from '../../firmware-sim/load/mqtt-wire.ts'
import { deviceTopic, UPLINK_CHANNELS } from '../../protocol/index.ts'
import { validConnect, validFrames, validPayloads, type DeviceLogin } from './corpus.ts'
import { mutateFrame, mutatePayload } from './mutate.ts'

export type AttackKind = 'frames' | 'garbage' | 'payloads'

export interface AttackerConfig {
  kind: AttackKind
  port: number
  localAddress: string
  /** The devices it logs in as: one lane (connection) each for payloads, all lanes share the first otherwise. */
  devices: DeviceLogin[]
  seed: string
  seconds: number
  budget: number
  /** Connections kept open at once (frames, garbage). */
  sockets: number
}

export interface AttackCounts {
  /** Frames, random chunks or payloads sent. */
  units: number
  bytes: number
  connections: number
  /** Connections the broker closed (the rest were closed by us). */
  closedByBroker: number
  /** CONNACKs with return code 0 (payloads), PUBACKs received. */
  sessions: number
  pubacks: number
}

export type AttackerReport =
  | { type: 'ready' }
  | { type: 'progress' | 'done'; counts: AttackCounts }
  | { type: 'error'; message: string }

const BROKER_HOST = '127.0.0.1'

class Attack {
  readonly counts: AttackCounts = { units: 0, bytes: 0, connections: 0, closedByBroker: 0, sessions: 0, pubacks: 0 }
  private readonly deadline: number
  private readonly rng: Rng
  private readonly frames: Buffer[]

  constructor (private readonly c: AttackerConfig) {
    this.deadline = Date.now() + c.seconds * 1000
    this.rng = new Rng(c.seed)
    this.frames = validFrames(c.devices[0]!)
  }

  get over (): boolean {
    return this.counts.units >= this.c.budget || Date.now() >= this.deadline
  }

  async run (): Promise<void> {
    // Payload lanes log in as devices of their own: a second session of one device would take over the first.
    const n = this.c.kind === 'payloads' ? this.c.devices.length : this.c.sockets
    const lanes = Array.from({ length: n }, (_, i) => this.lane(this.rng.fork(`lane-${i}`), this.c.devices[i % this.c.devices.length]!))
    await Promise.all(lanes)
  }

  private async lane (rng: Rng, device: DeviceLogin): Promise<void> {
    while (!this.over) {
      const conn = await this.open()
      if (conn === undefined) {
        await pause(20)
        continue
      }
      try {
        if (this.c.kind === 'frames') await this.sendFrames(rng, conn, device)
        else if (this.c.kind === 'garbage') await this.sendGarbage(rng, conn, device)
        else await this.sendPayloads(rng, conn, device)
      } finally {
        if (!conn.closed) {
          conn.byUs = true
          conn.socket.destroy()
        }
        await conn.gone
      }
    }
  }

  private async open (): Promise<Conn | undefined> {
    const socket = connect({ host: BROKER_HOST, port: this.c.port, localAddress: this.c.localAddress })
    socket.setNoDelay(true)
    const conn: Conn = { socket, closed: false, byUs: false, gone: undefined as unknown as Promise<void>, onPacket: undefined }
    conn.gone = new Promise((resolve) => {
      socket.once('close', () => {
        if (!conn.byUs && conn.connected === true) this.counts.closedByBroker++
        conn.closed = true
        resolve()
      })
    })
    socket.on('error', () => { /* a reset or refused connection ends the lane's turn */ })
    const reader = new PacketReader((type, body) => conn.onPacket?.(type, body))
    socket.on('data', (d: Buffer) => {
      try {
        reader.feed(d)
      } catch {
        conn.byUs = true
        socket.destroy()
      }
    })
    const ok = await new Promise<boolean>((resolve) => {
      socket.once('connect', () => resolve(true))
      socket.once('close', () => resolve(false))
    })
    if (!ok) return undefined
    conn.connected = true
    this.counts.connections++
    return conn
  }

  private async write (conn: Conn, data: Buffer, units: number): Promise<boolean> {
    if (conn.closed) return false
    this.counts.units += units
    this.counts.bytes += data.length
    const flushed = conn.socket.write(data)
    if (!flushed) {
      await Promise.race([new Promise((r) => conn.socket.once('drain', r)), conn.gone])
    } else {
      await new Promise((r) => setImmediate(r))
    }
    return !conn.closed
  }

  private async sendFrames (rng: Rng, conn: Conn, device: DeviceLogin): Promise<void> {
    if (rng.chance(0.6)) await this.write(conn, validConnect(device), 0)
    for (let burst = rng.int(1, 40); burst > 0 && !this.over; burst--) {
      const n = rng.int(1, 16)
      const out: Buffer[] = []
      for (let i = 0; i < n; i++) out.push(mutateFrame(rng, rng.pick(this.frames), rng.pick(this.frames)))
      if (!await this.write(conn, Buffer.concat(out), n)) return
    }
  }

  private async sendGarbage (rng: Rng, conn: Conn, device: DeviceLogin): Promise<void> {
    if (!await this.write(conn, validConnect(device), 0)) return
    for (let chunks = rng.int(1, 64); chunks > 0 && !this.over; chunks--) {
      const chunk = Buffer.allocUnsafe(rng.int(1, 4096))
      for (let i = 0; i < chunk.length; i++) chunk[i] = rng.int(0, 255)
      if (!await this.write(conn, chunk, 1)) return
    }
  }

  private async sendPayloads (rng: Rng, conn: Conn, device: DeviceLogin): Promise<void> {
    let inFlight = 0
    let wake: (() => void) | undefined
    let accepted: ((ok: boolean) => void) | undefined
    conn.onPacket = (type, body) => {
      if (type === CONNACK) accepted?.(body[1] === 0)
      if (type === PUBACK) {
        this.counts.pubacks++
        inFlight--
        wake?.()
      }
    }
    const session = new Promise<boolean>((resolve) => { accepted = resolve })
    if (!await this.write(conn, validConnect(device), 0)) return
    const ok = await Promise.race([session, conn.gone.then(() => false), pause(5000).then(() => false)])
    if (!ok) return
    this.counts.sessions++
    const samples = validPayloads()
    let messageId = 0
    for (let n = rng.int(200, 5000); n > 0 && !this.over; n--) {
      // Mostly on the channel the payload belongs to, sometimes on another one.
      const channel = rng.pick(UPLINK_CHANNELS)
      const base = rng.chance(0.9) ? samples[channel] : samples[rng.pick(UPLINK_CHANNELS)]
      // Mostly QoS 0, paced only by the socket; QoS 1 in a bounded window of PUBACKs.
      const qos = rng.chance(0.2) ? 1 : 0
      if (qos === 1) {
        // eslint-disable-next-line no-unmodified-loop-condition -- PUBACK handlers lower it while this awaits
        while (inFlight >= 32 && !conn.closed) await Promise.race([new Promise<void>((r) => { wake = r }), conn.gone, pause(1000)])
        if (conn.closed) return
        inFlight++
        messageId = messageId % 65535 + 1
      }
      const packet = mqttPacket.generate({
        cmd: 'publish', topic: deviceTopic(device.buildingId, device.deviceId, channel), payload: mutatePayload(rng, base),
        qos, retain: false, dup: false, ...(qos === 1 ? { messageId } : {}),
      })
      if (!await this.write(conn, packet, 1)) return
    }
  }
}

interface Conn {
  socket: Socket
  closed: boolean
  byUs: boolean
  connected?: boolean
  gone: Promise<void>
  onPacket: ((type: number, body: Buffer) => void) | undefined
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

async function main (): Promise<void> {
  const send = (m: AttackerReport): void => { process.send?.(m) }
  const configured = new Promise<AttackerConfig>((resolve) => process.once('message', (m) => resolve(m as AttackerConfig)))
  send({ type: 'ready' })
  const config = await configured
  const attack = new Attack(config)
  const timer = setInterval(() => send({ type: 'progress', counts: attack.counts }), 500)
  try {
    await attack.run()
    send({ type: 'done', counts: attack.counts })
  } catch (err) {
    send({ type: 'error', message: (err as Error).stack ?? String(err) })
  } finally {
    clearInterval(timer)
    process.disconnect?.()
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.once('disconnect', () => process.exit(0))
  void main()
}
