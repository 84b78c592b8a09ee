// A simulated ONVIF camera on 127.0.0.1: device, media and events services over SOAP 1.2 / HTTP with
// WS-Security UsernameToken digests checked against the camera's own (skewable) clock, a Digest-protected JPEG
// snapshot, unicast WS-Discovery, and test controls for the events and faults cameras produce in the field.
// See README.md beside this file.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createSocket, type Socket as UdpSocket } from 'node:dgram'
import type { Socket } from 'node:net'
import { randomUUID } from 'node:crypto'
import { child, parseXml, XmlError } from './xml.ts'
import { NS, SoapFault, envelope, faultXml, faults } from './soap.ts'
import { NonceMemory, verifyUsernameToken, type AuthFailure } from './wsse.ts'
import { EventHub, type CameraEvent, type EventCounters, type PullEnd } from './events.ts'
import { CLOSE_SOCKET, OPERATIONS, type OperationContext } from './operations.ts'
import { VIDEO_SOURCE, scopeUris, type CameraIdentity, type Endpoints } from './responses.ts'
import { DigestGuard } from './http-digest.ts'
import { sceneJpeg } from './jpeg.ts'
import { probeMatchXml, readProbe } from './discovery.ts'

export interface SimulatedOnvifCameraOptions {
  host?: string
  /** HTTP port, 0 (default) for a free one. */
  port?: number
  /** UDP port for unicast WS-Discovery: 0 (default) for a free one, false for none. */
  discoveryPort?: number | false
  username?: string
  password?: string
  /** Camera clock minus real clock, ms. */
  clockSkewMs?: number
  /** How far a UsernameToken's Created may be from the camera clock, ms (5000, as cameras do). */
  authWindowMs?: number
  /** Field-detector zones whose ObjectsInside state the camera reports (more appear as detectPerson names them). */
  zones?: string[]
  identity?: Partial<CameraIdentity>
  maxSubscriptions?: number
  maxQueue?: number
  defaultTerminationMs?: number
  maxTerminationMs?: number
  maxRequestBytes?: number
}

export interface CameraCounters extends EventCounters {
  requests: Record<string, number>
  authFailures: number
  authFailuresByCause: Partial<Record<AuthFailure, number>>
  faults: number
  malformedRequests: number
  snapshots: number
  snapshotAuthFailures: number
  probesAnswered: number
  probesIgnored: number
  reboots: number
}

export interface SimulatedOnvifCamera {
  /** The device service XAddr, `http://127.0.0.1:<port>/onvif/device_service`. */
  url: string
  host: string
  port: number
  discoveryPort: number | undefined
  username: string
  password: string
  /** The camera clock, ms since the epoch. */
  now: () => number
  uptimeMs: () => number
  counters: CameraCounters
  activeSubscriptions: () => number
  setClockSkewMs: (ms: number) => void
  /** `n` objects cross the line rule `rule` (e.g. `door-in`): n LineDetector/Crossed events. */
  cross: (rule: string, n?: number) => void
  detectPerson: (zone: string) => void
  clearPerson: (zone: string) => void
  /** The scene changes (lens covered or camera turned away): GlobalSceneChange State true; false ends it. */
  tamper: (on?: boolean) => void
  /** The pull waiting now, or the next one, ends early: the socket is closed, or it answers with no messages. */
  closeNextPull: (how?: PullEnd) => void
  expireSubscriptions: () => void
  /** Stops answering for `ms` (connections refused), forgets subscriptions, comes back with its uptime reset. */
  reboot: (ms: number) => Promise<void>
  close: () => Promise<void>
}

export async function startSimulatedOnvifCamera (options: SimulatedOnvifCameraOptions = {}): Promise<SimulatedOnvifCamera> {
  const host = options.host ?? '127.0.0.1'
  const username = options.username ?? 'admin'
  const password = options.password ?? 'camera-pass-1'
  const windowMs = options.authWindowMs ?? 5000
  const maxRequestBytes = options.maxRequestBytes ?? 64 * 1024
  let skewMs = options.clockSkewMs ?? 0
  let bootedAt = Date.now()
  let rebooting = false
  let closed = false
  let frame = 0
  let objectId = 0
  const now = (): number => Date.now() + skewMs
  const uuid = randomUUID()
  const identity: CameraIdentity = {
    manufacturer: 'RentalBlock Sim', model: 'RB-CAM-1', firmwareVersion: '1.0.0-sim', serialNumber: `SIM${uuid.slice(0, 8)}`,
    hardwareId: 'rb-cam-1', name: 'Simulated camera', location: 'main-gate', endpoint: `urn:uuid:${uuid}`, ...options.identity,
  }
  const zoneStates = new Map<string, boolean>((options.zones ?? ['entrance']).map((z) => [z, false]))
  let tampered = false
  const sourceTokens: Array<[string, string]> = [['VideoSourceConfigurationToken', 'vsc-1'], ['VideoAnalyticsConfigurationToken', 'va-1']]
  const zoneEvent = (zone: string, inside: boolean, property: CameraEvent['property']): CameraEvent => ({
    topic: 'tns1:RuleEngine/FieldDetector/ObjectsInside', utcMs: now(), property,
    source: [...sourceTokens, ['Rule', zone]], data: [['IsInside', String(inside)]],
  })
  const sceneEvent = (on: boolean, property: CameraEvent['property']): CameraEvent => ({
    topic: 'tns1:VideoSource/GlobalSceneChange/ImagingService', utcMs: now(), property,
    source: [['Source', VIDEO_SOURCE]], data: [['State', String(on)]],
  })
  const hub = new EventHub({
    now,
    propertyStates: () => [...[...zoneStates].map(([z, inside]) => zoneEvent(z, inside, 'Initialized')),
      sceneEvent(tampered, 'Initialized')],
    maxSubscriptions: options.maxSubscriptions ?? 8,
    maxQueue: options.maxQueue ?? 500,
    defaultTerminationMs: options.defaultTerminationMs ?? 60_000,
    maxTerminationMs: options.maxTerminationMs ?? 3600_000,
  })
  const nonces = new NonceMemory()
  const digest = new DigestGuard('RentalBlock Sim Camera')
  const counters: CameraCounters = Object.assign(hub.counters, {
    requests: {}, authFailures: 0, authFailuresByCause: {}, faults: 0, malformedRequests: 0,
    snapshots: 0, snapshotAuthFailures: 0, probesAnswered: 0, probesIgnored: 0, reboots: 0,
  })

  const sockets = new Set<Socket>()
  const server = createServer({ requestTimeout: 10_000, headersTimeout: 5_000 }, (req, res) => {
    void handle(req, res).catch(() => { if (!res.headersSent) res.destroy() })
  })
  server.on('connection', (s: Socket) => {
    if (rebooting) { s.destroy(); return }
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  server.on('clientError', (_e, s) => s.destroy())
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => { server.off('error', reject); resolve() })
  })
  const port = (server.address() as { port: number }).port
  const base = `http://${host}:${port}`
  const endpoints: Endpoints = {
    device: `${base}/onvif/device_service`, media: `${base}/onvif/media_service`, events: `${base}/onvif/events_service`,
    snapshot: (profile) => `${base}/onvif/snapshot?profile=${profile}`, rtsp: `rtsp://${host}:554/stream`,
  }

  function send (res: ServerResponse, status: number, xml: string): void {
    res.writeHead(status, { 'Content-Type': 'application/soap+xml; charset=utf-8', 'Content-Length': Buffer.byteLength(xml) })
    res.end(xml)
  }
  function sendFault (res: ServerResponse, fault: SoapFault): void {
    counters.faults++
    send(res, fault.httpStatus, faultXml(fault))
  }

  async function readBody (req: IncomingMessage): Promise<string | undefined> {
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length
      if (size > maxRequestBytes) return undefined
      chunks.push(chunk)
    }
    return Buffer.concat(chunks).toString('utf8')
  }

  async function handle (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/'
    if (req.method === 'GET' && url.startsWith('/onvif/snapshot')) return snapshot(req, res, url)
    if (req.method !== 'POST' || !/^\/onvif\/(device_service|media_service|events_service|pullpoint\/[\w-]{1,40})$/.test(url)) {
      res.writeHead(req.method === 'POST' || req.method === 'GET' ? 404 : 405).end()
      return
    }
    const text = await readBody(req)
    if (text === undefined) {
      counters.malformedRequests++
      res.setHeader('Connection', 'close')
      sendFault(res, new SoapFault('Sender', ['ter:WellFormed'], 'Request too large', undefined, 413))
      req.destroy()
      return
    }
    let body, header
    try {
      const root = parseXml(text)
      if (root.ns !== NS.soap || root.local !== 'Envelope') throw new XmlError('not a SOAP 1.2 Envelope')
      header = child(root, 'Header', NS.soap)
      body = child(root, 'Body', NS.soap)?.children[0]
      if (!body) throw new XmlError('empty SOAP Body')
    } catch (e) {
      counters.malformedRequests++
      sendFault(res, faults.wellFormed(e instanceof XmlError ? e.message : 'unreadable request'))
      return
    }
    const op = OPERATIONS.get(`${body.ns} ${body.local}`)
    const name = op?.name ?? `unknown:${body.local.slice(0, 40)}`
    counters.requests[name] = (counters.requests[name] ?? 0) + 1
    if (!op) return sendFault(res, faults.actionNotSupported(body.local.slice(0, 80)))
    if (!op.preAuth) {
      const auth = verifyUsernameToken(header, { username, password }, now(), windowMs, nonces)
      if (!auth.ok) {
        counters.authFailures++
        counters.authFailuresByCause[auth.cause] = (counters.authFailuresByCause[auth.cause] ?? 0) + 1
        return sendFault(res, faults.notAuthorized(auth.detail))
      }
    }
    const aborted = new AbortController()
    res.on('close', () => { if (!res.writableFinished) aborted.abort() })
    const ctx: OperationContext = {
      body, header, path: url, now, hub, identity, endpoints,
      subscriptionAddress: (id) => `${base}/onvif/pullpoint/${id}`, signal: aborted.signal,
    }
    try {
      const answer = await op.run(ctx)
      if (answer === CLOSE_SOCKET) { req.socket.destroy(); return }
      send(res, 200, envelope(answer))
    } catch (e) {
      sendFault(res, e instanceof SoapFault ? e : new SoapFault('Receiver', ['ter:Action'], 'Internal error'))
    }
  }

  function snapshot (req: IncomingMessage, res: ServerResponse, url: string): void {
    if (!digest.verify(req.headers.authorization, 'GET', url, username, password)) {
      if (req.headers.authorization !== undefined) counters.snapshotAuthFailures++
      res.writeHead(401, { 'WWW-Authenticate': digest.challenge(), 'Content-Type': 'text/plain' }).end('Unauthorized')
      return
    }
    const jpeg = sceneJpeg(frame++, tampered)
    counters.snapshots++
    res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': jpeg.length }).end(jpeg)
  }

  let udp: UdpSocket | undefined
  let messageNumber = 0
  if (options.discoveryPort !== false) {
    const socket = createSocket('udp4')
    udp = socket
    socket.on('error', () => { /* a send to a closed peer: nothing to do */ })
    socket.on('message', (msg, rinfo) => {
      const verdict = rebooting ? { kind: 'not-for-us' as const } : readProbe(msg.toString('utf8'))
      if (verdict.kind !== 'match') { counters.probesIgnored++; return }
      counters.probesAnswered++
      const reply = Buffer.from(probeMatchXml(
        { endpoint: identity.endpoint, xaddr: endpoints.device, scopes: scopeUris(identity), instanceId: Math.floor(bootedAt / 1000) },
        verdict.relatesTo, ++messageNumber))
      socket.send(reply, rinfo.port, rinfo.address)
    })
    await new Promise<void>((resolve) => socket.bind(options.discoveryPort || 0, host, resolve))
  }

  const publish = (e: CameraEvent): void => { if (!rebooting) hub.publish(e) }

  return {
    url: endpoints.device, host, port, username, password,
    discoveryPort: udp?.address().port,
    now,
    uptimeMs: () => Date.now() - bootedAt,
    counters,
    activeSubscriptions: () => hub.active,
    setClockSkewMs: (ms) => { skewMs = ms },
    cross: (rule, n = 1) => {
      for (let k = 0; k < n; k++) {
        publish({ topic: 'tns1:RuleEngine/LineDetector/Crossed', utcMs: now(), source: [...sourceTokens, ['Rule', rule]],
          data: [['ObjectId', String(++objectId)]] })
      }
    },
    detectPerson: (zone) => { zoneStates.set(zone, true); publish(zoneEvent(zone, true, 'Changed')) },
    clearPerson: (zone) => { zoneStates.set(zone, false); publish(zoneEvent(zone, false, 'Changed')) },
    tamper: (on = true) => { tampered = on; publish(sceneEvent(on, 'Changed')) },
    closeNextPull: (how = 'close-socket') => hub.endNextPull(how),
    expireSubscriptions: () => hub.expireAll(),
    reboot: async (ms) => {
      if (rebooting || closed) return
      rebooting = true
      counters.reboots++
      hub.clear()
      nonces.clear()
      digest.clear()
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await new Promise((resolve) => setTimeout(resolve, ms))
      if (closed) return
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(port, host, () => { server.off('error', reject); resolve() })
      })
      bootedAt = Date.now()
      rebooting = false
    },
    close: async () => {
      closed = true
      hub.clear()
      for (const s of sockets) s.destroy()
      udp?.close()
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
