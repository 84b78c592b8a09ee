// The sockets of the broker: MQTT over TCP, and MQTT over WebSocket on
// `/mqtt` (MQTT 3.1.1 section 6), each also over TLS when a certificate is
// configured (MQTT 3.1.1 section 5.4.1: "TLS ... SHOULD be used"). Each
// accepted connection is handed over as a Duplex with its remote address;
// everything MQTT happens elsewhere.

import { createServer as createHttpServer, type Server as HttpServer } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net'
import { createServer as createTlsServer, type SecureContextOptions } from 'node:tls'
import type { Duplex } from 'node:stream'
import type { Logger } from 'pino'
import { createWebSocketStream, WebSocketServer } from 'ws'
import type { Transport } from './device-session.ts'

export const WS_PATH = '/mqtt'

export interface ListenerAddresses {
  tcp: { host: string; port: number }
  ws: { host: string; port: number; path: string } | null
  tls: { host: string; port: number } | null
  wss: { host: string; port: number; path: string } | null
}

/** Certificate and key (PEM) for the TLS listeners. */
export type TlsCredentials = Pick<SecureContextOptions, 'cert' | 'key'>

export interface MqttListenersOptions {
  host: string
  tcpPort: number
  wsPort: number | null
  /** MQTT over TLS (mqtts); null: none. Needs `tls`. */
  tlsPort?: number | null
  /** MQTT over WebSocket over TLS (wss, path /mqtt); null: none. Needs `tls`. */
  wssPort?: number | null
  tls?: TlsCredentials
  /** Largest WebSocket message accepted (one MQTT packet normally travels in one message). */
  maxMessageBytes: number
  logger: Logger
  onConnection: (stream: Duplex, remoteAddress: string, transport: Transport) => void
}

export class MqttListeners {
  private tcp: TcpServer | undefined
  private http: HttpServer | undefined
  private tlsServer: TcpServer | undefined
  private https: HttpServer | undefined
  private readonly socketServers: WebSocketServer[] = []
  private readonly connections = new Set<Duplex>()

  constructor (private readonly options: MqttListenersOptions) {}

  async start (): Promise<void> {
    const { host, tcpPort, wsPort, tlsPort, wssPort, tls, logger } = this.options
    const tcp = createTcpServer((socket) => {
      socket.setNoDelay(true)
      this.hand(socket, socket.remoteAddress ?? 'unknown', 'tcp')
    })
    // A failed listen rejects start() (main.ts names the port's variable); these log what follows.
    tcp.on('error', (err) => { if (tcp.listening) logger.error({ err }, 'mqtt tcp server error') })
    this.tcp = tcp
    await listen(tcp, tcpPort, host)

    if (wsPort !== null) {
      this.http = this.webSocketServer(createHttpServer(), 'ws')
      await listen(this.http, wsPort, host)
    }
    if ((tlsPort ?? null) === null && (wssPort ?? null) === null) return
    if (tls === undefined) throw new Error('a TLS port is set but no certificate and key')
    if (tlsPort !== null && tlsPort !== undefined) {
      const server = createTlsServer({ ...tls, minVersion: 'TLSv1.2' }, (socket) => {
        socket.setNoDelay(true)
        this.hand(socket, socket.remoteAddress ?? 'unknown', 'tls')
      })
      // A failed handshake (plain TCP, wrong protocol) ends that socket only.
      server.on('tlsClientError', (err) => logger.debug({ err: err.message }, 'mqtt tls handshake failed'))
      server.on('error', (err) => { if (server.listening) logger.error({ err }, 'mqtt tls server error') })
      this.tlsServer = server
      await listen(server, tlsPort, host)
    }
    if (wssPort !== null && wssPort !== undefined) {
      const https = createHttpsServer({ ...tls, minVersion: 'TLSv1.2' })
      https.on('tlsClientError', (err) => logger.debug({ err: err.message }, 'mqtt wss handshake failed'))
      this.https = this.webSocketServer(https, 'wss')
      await listen(this.https, wssPort, host)
    }
  }

  /** MQTT over WebSocket on `server` at WS_PATH; other requests get 426. */
  private webSocketServer (server: HttpServer, transport: 'ws' | 'wss'): HttpServer {
    const { logger } = this.options
    server.on('request', (_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' })
      res.end(`MQTT over WebSocket: connect to ${WS_PATH} with subprotocol "mqtt"\n`)
    })
    server.on('error', (err) => { if (server.listening) logger.error({ err }, `mqtt ${transport} server error`) })
    const wss = new WebSocketServer({
      server,
      path: WS_PATH,
      maxPayload: 2 * this.options.maxMessageBytes,
      perMessageDeflate: false,
      clientTracking: false,
      // [MQTT-6.0.0-3]/section 6: the subprotocol is "mqtt" (3.1.1) or "mqttv3.1" (3.1).
      handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : protocols.has('mqttv3.1') ? 'mqttv3.1' : false),
    })
    wss.on('error', (err) => { if (server.listening) logger.error({ err }, `mqtt ${transport} server error`) })
    wss.on('connection', (ws, req) => {
      const stream = createWebSocketStream(ws)
      this.hand(stream, req.socket.remoteAddress ?? 'unknown', transport)
    })
    this.socketServers.push(wss)
    return server
  }

  addresses (): ListenerAddresses {
    const tcp = this.tcp?.address() as AddressInfo | null | undefined
    if (!tcp) throw new Error('MQTT listeners are not listening')
    const at = (server: TcpServer | HttpServer | undefined): AddressInfo | undefined =>
      (server?.address() as AddressInfo | null | undefined) ?? undefined
    const ws = at(this.http)
    const tls = at(this.tlsServer)
    const wss = at(this.https)
    return {
      tcp: { host: tcp.address, port: tcp.port },
      ws: ws ? { host: ws.address, port: ws.port, path: WS_PATH } : null,
      tls: tls ? { host: tls.address, port: tls.port } : null,
      wss: wss ? { host: wss.address, port: wss.port, path: WS_PATH } : null,
    }
  }

  /** Stops accepting; resolves once the servers have closed (after destroyConnections). */
  close (): Promise<void> {
    const done: Promise<void>[] = []
    for (const wss of this.socketServers) done.push(new Promise((resolve) => wss.close(() => resolve())))
    for (const server of [this.tcp, this.http, this.tlsServer, this.https]) {
      if (server?.listening) done.push(new Promise((resolve) => server.close(() => resolve())))
    }
    return Promise.all(done).then(() => undefined)
  }

  /** Destroys every connection still open. */
  destroyConnections (): void {
    for (const c of this.connections) c.destroy()
    this.connections.clear()
    this.http?.closeAllConnections()
    this.https?.closeAllConnections()
  }

  private hand (stream: Duplex, remoteAddress: string, transport: Transport): void {
    this.connections.add(stream)
    stream.once('close', () => this.connections.delete(stream))
    stream.on('error', noop) // reported through the broker's connection error path
    try {
      this.options.onConnection(stream, remoteAddress, transport)
    } catch (err) {
      this.options.logger.error({ err }, 'could not hand over an mqtt connection')
      stream.destroy()
    }
  }
}

function listen (server: TcpServer | HttpServer, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err)
    server.once('error', onError)
    server.listen(port, host, () => {
      server.removeListener('error', onError)
      resolve()
    })
  })
}

function noop (): void {}
