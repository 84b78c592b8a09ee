// What the broker hooks know about one connection, keyed by the Aedes client
// object. `preConnect` records the CONNECT fields, `authenticate` records the
// device (or the person) the connection belongs to, and every later hook reads
// it from here: a connection with neither has not authenticated and is denied.
//
// A WeakMap rather than properties on the Aedes client: typed, and gone with
// the client.

import type { Client } from 'aedes'

export type Transport = 'tcp' | 'ws' | 'tls' | 'wss'

export interface DeviceIdentity {
  deviceId: string
  buildingId: string
}

/**
 * A person on an alert connection. `areaPath` null: the whole alert tree
 * (administrators). The token is kept, in memory only, to check periodically
 * that the session is still valid; it is never logged.
 */
export interface PersonIdentity {
  userId: string
  username: string
  role: string
  areaPath: string | null
  token: string
}

/** The CONNECT fields the hooks need (a device's password is never kept). */
export interface ConnectFields {
  /** As sent; `''` when the client sent a zero-length id (Aedes then invents one). */
  clientId: string
  keepalive: number
  /** CleanSession flag [MQTT-3.1.2-6]. */
  clean: boolean
  will?: { topic: string; payload: Buffer; qos: number; retain: boolean }
}

interface Session {
  remoteAddress: string
  transport: Transport
  connect?: ConnectFields
  device?: DeviceIdentity
  person?: PersonIdentity
  /** Settles once the last will of this connection has been handled (accepted, quarantined or refused). */
  willSettled?: Promise<void>
  /** Counted as connected (Aedes reported it ready and it is the device's live connection). */
  ready?: boolean
  /** The presence listener was told that this connection listens for its commands (until it drops them). */
  commandsTold?: boolean
}

export class DeviceSessions {
  private readonly sessions = new WeakMap<Client, Session>()

  open (client: Client, remoteAddress: string, transport: Transport): void {
    this.sessions.set(client, { remoteAddress, transport })
  }

  remoteAddress (client: Client): string | undefined {
    return this.sessions.get(client)?.remoteAddress
  }

  transport (client: Client): Transport | undefined {
    return this.sessions.get(client)?.transport
  }

  setConnect (client: Client, fields: ConnectFields): void {
    const s = this.sessions.get(client)
    if (s) s.connect = fields
  }

  connect (client: Client): ConnectFields | undefined {
    return this.sessions.get(client)?.connect
  }

  setDevice (client: Client, device: DeviceIdentity): void {
    const s = this.sessions.get(client)
    if (s) s.device = { deviceId: device.deviceId, buildingId: device.buildingId }
  }

  /** The authenticated device of this connection, or undefined. */
  device (client: Client | null | undefined): DeviceIdentity | undefined {
    return client ? this.sessions.get(client)?.device : undefined
  }

  setPerson (client: Client, person: PersonIdentity): void {
    const s = this.sessions.get(client)
    if (s) s.person = { ...person }
  }

  /** The authenticated person of this connection, or undefined. */
  person (client: Client | null | undefined): PersonIdentity | undefined {
    return client ? this.sessions.get(client)?.person : undefined
  }

  setWillSettled (client: Client, settled: Promise<void>): void {
    const s = this.sessions.get(client)
    if (s) s.willSettled = settled
  }

  willSettled (client: Client): Promise<void> {
    return this.sessions.get(client)?.willSettled ?? Promise.resolve()
  }

  setReady (client: Client): void {
    const s = this.sessions.get(client)
    if (s) s.ready = true
  }

  isReady (client: Client): boolean {
    return this.sessions.get(client)?.ready === true
  }

  /**
   * True on the first call for a ready connection, false after: the device is told once that it
   * listens for its commands, however many SUBSCRIBEs (or a restored session) say so.
   */
  claimCommandsTold (client: Client): boolean {
    const s = this.sessions.get(client)
    if (!s?.ready || s.commandsTold === true) return false
    s.commandsTold = true
    return true
  }

  /** The connection no longer holds a command subscription: taking one again is told again. */
  commandsDropped (client: Client): void {
    const s = this.sessions.get(client)
    if (s) s.commandsTold = false
  }
}
