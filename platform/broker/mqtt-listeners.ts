// The sockets of the broker: MQTT over TCP, and MQTT over WebSocket on
// `/mqtt` (MQTT 3.1.1 section 6). Each accepted connection is handed over as
// a Duplex with its remote address; everything MQTT happens elsewhere.

import { createServer as createHttpServer, type Server as HttpServer } from 'node:http'
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net'
import type { Duplex } from 'node:stream'
import type { Logger } from 'pino'
import { createWebSocketStream, WebSocketServer } from 'ws'
import type { Transport } from './device-session.ts'

export const WS_PATH = '/mqtt'

export interface ListenerAddresses {
  tcp: { host: string; port: number }
  ws: { host: string; port: number; path: string } | null
}

export interface MqttListenersOptions {
  host: string
  tcpPort: number
  wsPort: number | null
  /** Largest WebSocket message accepted (one MQTT packet normally travels in one message). */
  maxMessageBytes: number
  logger: Logger
  onConnection: (stream: Duplex, remoteAddress: string, transport: Transport) => void
}

export class MqttListeners {
  private tcp: TcpServer | undefined
  private http: HttpServer | undefined
  private wss: WebSocketServer | undefined
  private readonly connections = new Set<Duplex>()

  constructor (private readonly options: MqttListenersOptions) {}

  async start (): Promise<void> {
    const { host, tcpPort, wsPort, logger } = this.options
    const tcp = createTcpServer((socket) => {
      socket.setNoDelay(true)
      this.hand(socket, socket.remoteAddress ?? 'unknown', 'tcp')
    })
    tcp.on('error', (err) => logger.error({ err }, 'mqtt tcp server error'))
    this.tcp = tcp
    await listen(tcp, tcpPort, host)

    if (wsPort === null) return
    const http = createHttpServer((_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' })
      res.end(`MQTT over WebSocket: connect to ${WS_PATH} with subprotocol "mqtt"\n`)
    })
    http.on('error', (err) => logger.error({ err }, 'mqtt websocket server error'))
    const wss = new WebSocketServer({
      server: http,
      path: WS_PATH,
      maxPayload: 2 * this.options.maxMessageBytes,
      perMessageDeflate: false,
      clientTracking: false,
      // [MQTT-6.0.0-3]/section 6: the subprotocol is "mqtt" (3.1.1) or "mqttv3.1" (3.1).
      handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : protocols.has('mqttv3.1') ? 'mqttv3.1' : false),
    })
    wss.on('error', (err) => logger.error({ err }, 'mqtt websocket server error'))
    wss.on('connection', (ws, req) => {
      const stream = createWebSocketStream(ws)
      this.hand(stream, req.socket.remoteAddress ?? 'unknown', 'ws')
    })
    this.http = http
    this.wss = wss
    await listen(http, wsPort, host)
  }

  addresses (): ListenerAddresses {
    const tcp = this.tcp?.address() as AddressInfo | null | undefined
    if (!tcp) throw new Error('MQTT listeners are not listening')
    const ws = this.http?.address() as AddressInfo | null | undefined
    return {
      tcp: { host: tcp.address, port: tcp.port },
      ws: ws ? { host: ws.address, port: ws.port, path: WS_PATH } : null,
    }
  }

  /** Stops accepting; resolves once the servers have closed (after destroyConnections). */
  close (): Promise<void> {
    const done: Promise<void>[] = []
    if (this.wss) {
      const wss = this.wss
      done.push(new Promise((resolve) => wss.close(() => resolve())))
    }
    for (const server of [this.tcp, this.http]) {
      if (server?.listening) done.push(new Promise((resolve) => server.close(() => resolve())))
    }
    return Promise.all(done).then(() => undefined)
  }

  /** Destroys every connection still open. */
  destroyConnections (): void {
    for (const c of this.connections) c.destroy()
    this.connections.clear()
    this.http?.closeAllConnections()
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
