// A listener that cannot bind, said as what to change: the port and the
// variable that set it, in one line, instead of a fatal log with a stack.

import type { Config } from './config.ts'

/** The variable behind each port the platform listens on; null: that listener is off. */
export function portVariables (config: Pick<Config, 'httpPort' | 'mqttPort' | 'mqttWsPort' | 'tls'>): Record<string, number | null> {
  return {
    HTTP_PORT: config.httpPort,
    MQTT_PORT: config.mqttPort,
    MQTT_WS_PORT: config.mqttWsPort,
    MQTT_TLS_PORT: config.tls?.mqttTlsPort ?? null,
    MQTT_WSS_PORT: config.tls?.mqttWssPort ?? null,
  }
}

/**
 * The line to print for a failed listen (a port in use, or one below 1024
 * without the privilege), or undefined when `err` is something else or its
 * port is none of `ports` (then the caller reports it as it is).
 */
export function listenErrorMessage (err: unknown, ports: Record<string, number | null>): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined
  const { code, syscall, port } = err as NodeJS.ErrnoException & { port?: unknown }
  if (syscall !== 'listen' || typeof port !== 'number') return undefined
  const name = Object.keys(ports).find((n) => ports[n] === port)
  if (name === undefined) return undefined
  if (code === 'EADDRINUSE') return `port ${port} is in use (${name}): set ${name} to a free port`
  if (code === 'EACCES') return `port ${port} needs privileges this process does not have (${name}): set ${name} to a port above 1023`
  return undefined
}
