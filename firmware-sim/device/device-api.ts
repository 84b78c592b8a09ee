// The contract between the simulated world (firmware-sim/world/) and the
// simulated device firmware (firmware-sim/device/): what a world can ask a
// reader or a camera to do. Devices speak only the documented protocol
// (protocol/) over MQTT, with their own credentials; the world never touches
// MQTT itself. Times are on the simulation clock, which may run faster than
// real time.

import type { CREDENTIAL_KINDS, DoorState } from '../../protocol/index.ts'

type CredentialKind = (typeof CREDENTIAL_KINDS)[number]

/** Milliseconds since the epoch on the simulation clock. */
export interface SimClock {
  now (): number
}

/** What provisioning (POST /buildings/{id}/devices) returned, plus where to connect. */
export interface DeviceCredentials {
  /** mqtt://host:port or ws://host:port/mqtt */
  url: string
  buildingId: string
  deviceId: string
  /** The door this device controls or watches. */
  door: string
  password: string
  /** Readers: the allow-list key from provisioning (64 hex digits). A reader without one answers every list with `wrong_key`. */
  allowlistKey?: string | null
}

/** What an installer enters into a device after `POST /devices/{id}/rotate-secret`. */
export interface InstalledCredentials {
  password: string
  /** Readers: the new allow-list key; null or absent when the rotation kept the key (the reader keeps its own). */
  allowlistKey?: string | null
}

export interface DeviceOptions {
  clock: SimClock
  /** Heartbeat interval on the simulation clock, seconds (the platform's RULE_HEARTBEAT_S). */
  heartbeatS: number
  /** Firmware version reported in status and heartbeats. */
  firmware?: string
}

export interface SimDevice {
  readonly deviceId: string
  readonly buildingId: string
  readonly door: string
  /** Connects (last will set), publishes the retained online status, subscribes to its commands, starts heartbeats. */
  start (): Promise<void>
  /** `graceful`: publishes offline {reason: shutdown} and disconnects; otherwise the connection just drops (last will). */
  stop (opts?: { graceful?: boolean }): Promise<void>
  /** Network outage: events are buffered on the device, with their original times and seq, until `reconnect`. */
  disconnect (): Promise<void>
  /** Back online: replays buffered events in order, then goes on live. */
  reconnect (): Promise<void>
  /**
   * New credentials installed (after a rotation): the device drops the connection it has, if any (with a
   * DISCONNECT: no will), and connects with them at once; resolves once it is online again. A reader keeps the
   * list it holds, and decides on it with the key it was computed with, until it receives one under the new key.
   */
  installCredentials (creds: InstalledCredentials): Promise<void>
  /** True while the MQTT connection is up. */
  readonly connected: boolean
  /** Messages published, acknowledged by the broker, buffered while offline. */
  readonly counters: { published: number; acked: number; buffered: number; commands: number }
}

export interface SimReader extends SimDevice {
  /**
   * Someone presents a credential. The reader decides from the allow-list the
   * platform synced to it (by the digest of what it read, with its own key;
   * validity, windows), publishes the access event, and on a grant opens and
   * later closes the door (door events).
   */
  present (credential: { kind: CredentialKind; value: string }, direction: 'in' | 'out'): Promise<'granted' | 'denied'>
  /** A door state the world causes (forced open, held open, tamper). */
  doorEvent (state: DoorState, durationS?: number): Promise<void>
  /** Allow-list version the reader holds (0: none yet). */
  readonly allowlistVersion: number
  /** False from the installation of a new allow-list key until the reader holds a list computed with it. */
  readonly listUnderOwnKey: boolean
}

export interface SimCamera extends SimDevice {
  /** People crossing the door line; counted and published once per counting period. */
  cross (direction: 'in' | 'out', people?: number): void
  /** A detection (count of people in frame). */
  detect (count: number): Promise<void>
}
