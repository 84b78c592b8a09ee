// Byte-level MQTT 3.1.1 conformance guard that sits between a client socket and
// `broker.handle`. It only checks what mqtt-packet 9 / Aedes 1.2 let through:
// mqtt-packet decodes strings with Buffer#toString('utf8') (ill-formed UTF-8
// silently becomes U+FFFD, U+0000 is kept), never rejects packet identifier 0,
// accepts will QoS 3, and Aedes invents an id for an empty client id even when
// CleanSession is 0. Everything else (topic-filter wildcards, keep-alive, auth)
// stays with the broker. PUBLISH payloads are never inspected here.
//
// Three parts: the frame scanner (protocol-guard-frames.ts), the packet checks
// (protocol-guard-packets.ts), and here the guarded connection, a Duplex that
// passes the broker only checked bytes and refuses a client on a violation.

import { Duplex } from 'node:stream'
import { AckTracker } from './ack-tracker.ts'
import { MqttFrameGuard, type FrameGuardOptions } from './protocol-guard-frames.ts'
import { refusalConnack, type GuardViolation } from './protocol-guard-packets.ts'

export type { GuardViolation, GuardViolationCode } from './protocol-guard-packets.ts'

export interface GuardConnectionOptions extends FrameGuardOptions {
  /** How long a refused client may take to read its CONNACK before the socket is destroyed. */
  lingerMs?: number
}

/**
 * Wraps a client transport (net.Socket, ws createWebSocketStream, ...) so that
 * only guarded bytes reach the broker: `broker.handle(guardConnection(sock, opts, report))`.
 */
export function guardConnection (
  socket: Duplex,
  options: GuardConnectionOptions,
  onViolation: (v: GuardViolation) => void,
): Duplex {
  // Every connection tracks what the broker sent it, so a wrong acknowledgement closes it [MQTT-4.8.0-1].
  const acks = options.acks ?? new AckTracker()
  const guard = new MqttFrameGuard({ ...options, acks })
  const lingerMs = options.lingerMs ?? 2_000
  let waitingWrite: ((err?: Error | null) => void) | null = null
  let readableEnded = false
  let lingering = false

  const releaseWrite = (err?: Error): void => {
    const cb = waitingWrite
    waitingWrite = null
    if (cb) cb(err ?? null)
  }

  const onData = (chunk: Buffer | string): void => {
    const { pass, violation } = guard.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk))
    if (violation) {
      refuse(violation)
      return
    }
    let more = true
    for (const bytes of pass) more = conn.push(bytes) && more
    if (!more) socket.pause()
  }
  const onEnd = (): void => {
    readableEnded = true
    conn.push(null)
  }
  const onError = (err: Error): void => {
    conn.destroy(err)
  }
  const onClose = (): void => {
    // After a clean end, let the broker drain what is already queued.
    releaseWrite(new Error('connection closed'))
    if (!readableEnded) conn.destroy()
  }
  const onDrain = (): void => releaseWrite()

  const detach = (): void => {
    socket.removeListener('data', onData)
    socket.removeListener('end', onEnd)
    socket.removeListener('error', onError)
    socket.removeListener('close', onClose)
    socket.removeListener('drain', onDrain)
    socket.on('error', noop) // a late error from the dying socket must not crash the process
  }

  const conn = new Duplex({
    allowHalfOpen: false,
    read () {
      if (!guard.violation) socket.resume()
    },
    write (chunk: Buffer, _encoding, callback) {
      // A destroyed socket never drains: fail now instead of parking the callback.
      if (socket.destroyed) {
        callback(new Error('connection closed'))
        return
      }
      acks.outbound(chunk)
      if (socket.write(chunk)) callback()
      else waitingWrite = callback
    },
    // What the broker wrote while this stream was corked (acknowledgements of one batch) leaves in one
    // system call instead of one per packet.
    writev (chunks: Array<{ chunk: Buffer }>, callback) {
      if (socket.destroyed) {
        callback(new Error('connection closed'))
        return
      }
      socket.cork()
      let ok = true
      for (const c of chunks) {
        acks.outbound(c.chunk)
        ok = socket.write(c.chunk)
      }
      socket.uncork()
      if (ok) callback()
      else waitingWrite = callback
    },
    final (callback) {
      if (!socket.destroyed && !socket.writableEnded) socket.end()
      callback()
    },
    destroy (err, callback) {
      detach()
      if (waitingWrite) {
        const cb = waitingWrite
        waitingWrite = null
        process.nextTick(cb, err ?? new Error('connection closed'))
      }
      if (!lingering && !socket.destroyed) socket.destroy()
      callback(err)
    },
  })

  const refuse = (v: GuardViolation): void => {
    socket.removeListener('data', onData)
    socket.pause()
    let reportError: Error | undefined
    try {
      onViolation(v)
    } catch (err) {
      // Surface a failing reporter through the broker's connection error path.
      reportError = err instanceof Error ? err : new Error(String(err))
    }
    const connack = refusalConnack(v)
    if (connack && socket.writable) {
      lingering = true
      const timer = setTimeout(() => socket.destroy(), lingerMs)
      timer.unref()
      socket.end(connack, () => {
        clearTimeout(timer)
        socket.destroy()
      })
    }
    conn.destroy(reportError)
  }

  socket.on('data', onData)
  socket.on('end', onEnd)
  socket.on('error', onError)
  socket.on('close', onClose)
  socket.on('drain', onDrain)
  if (socket.destroyed) process.nextTick(() => conn.destroy())
  return conn
}

function noop (): void {}
