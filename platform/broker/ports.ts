// What the broker edge needs from the rest of the platform, and what it gives
// back. The broker knows devices only through these interfaces, so it can be
// tested on its own and the registry can change without touching it.

import type { UplinkChannel, UplinkPayload } from '../../protocol/index.ts'

/** A provisioned device as the broker sees it when the device connects. */
export interface DeviceLogin {
  deviceId: string
  buildingId: string
  /** `sha256:<64 hex>` of the secret issued at provisioning. */
  secretHash: string
  enabled: boolean
}

/** Looks devices up by id (the MQTT client id and username). */
export interface DeviceDirectory {
  /** Rejects when the lookup itself failed; with DirectoryBusyError when it was not even tried (overloaded). */
  find (deviceId: string): Promise<DeviceLogin | undefined>
}

/** A directory that sheds load: the device is told to come back later (CONNACK 3), not that its login failed. */
export class DirectoryBusyError extends Error {
  constructor () {
    super('device directory busy')
    this.name = 'DirectoryBusyError'
  }
}

/** An uplink message that passed the ACL and the schema. */
export type AcceptedMessage = {
  [C in UplinkChannel]: {
    buildingId: string
    deviceId: string
    channel: C
    payload: UplinkPayload<C>
    /** Broker clock, ms since the epoch. */
    receivedAt: number
  }
}[UplinkChannel]

/**
 * Receives every accepted uplink message. `accept` is awaited before the
 * device's QoS 1 PUBACK is sent: when it resolves, the message is the
 * platform's responsibility; when it rejects, the device is disconnected and
 * will redeliver.
 */
export interface UplinkSink {
  /** Resolves with a rejection when the message is well-formed but refused (acknowledged, dropped, error reply). */
  accept (message: AcceptedMessage): Promise<void | SinkRejection>
}

/** A message the platform refuses after reading it: the device gets it acknowledged and an ErrorReply. */
export interface SinkRejection {
  code: 'seq_reused'
  message: string
}

/**
 * Connection lifecycle of authenticated devices. Calls for one device arrive
 * in order; `deviceDisconnected` comes after the connection's last will was
 * handed to the sink.
 */
export interface DevicePresenceListener {
  /** CONNACK sent. The device has not subscribed yet: a command published now is lost (clean session). */
  deviceConnected? (device: { deviceId: string; buildingId: string }): void
  /**
   * The device holds a subscription to its command topic on its current
   * connection (a SUBSCRIBE was granted, or its restored session had one):
   * commands published from now on reach it. The moment to send pending commands.
   * Once per connection, after `deviceConnected`; again only if the device
   * dropped its command subscription and took it again.
   */
  commandsSubscribed? (device: { deviceId: string; buildingId: string }): void
  deviceDisconnected? (device: { deviceId: string; buildingId: string }): void
}

/**
 * A person (dispatch centre, grid worker, administrator) as the broker sees
 * them: who holds a valid API session token. The broker decides what the role
 * may do; it knows nothing else about accounts.
 */
export interface PersonLogin {
  userId: string
  username: string
  /** The account's role, e.g. `police`, `grid_worker`, `admin`, `landlord`. */
  role: string
  /** Jurisdiction ('/district/street/community/grid/', 1 to 4 levels) of police and grid workers. */
  areaPath?: string
}

/** Resolves an API bearer token presented as an MQTT password. */
export interface PersonDirectory {
  /**
   * The person behind `token` if the token is a live session (not expired,
   * not logged out, account enabled) of the account named `username`;
   * otherwise undefined. Rejects only when the lookup itself failed.
   */
  actorForToken (username: string, token: string): Promise<PersonLogin | undefined>
}
