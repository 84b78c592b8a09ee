// The simulated world's vocabulary: the site (buildings, rooms, doors and
// devices), the cast (residents, visitors, strangers) with their credentials,
// and the actions the world takes over time. A scenario is a site plus a
// time-ordered list of actions; everything the platform should detect follows
// from the actions (facts.ts), so the ground truth is always what actually
// happened. Times are milliseconds since the epoch on the simulation clock.

import type { CREDENTIAL_KINDS, TimeWindow } from '../../protocol/index.ts'

export type CredentialKind = (typeof CREDENTIAL_KINDS)[number]
export type Direction = 'in' | 'out'
export type ReaderResult = 'granted' | 'denied'

export const MAIN_GATE = 'main-gate'
export const BACK_DOOR = 'back-door'

export interface DeviceSpec {
  id: string
  buildingId: string
  door: string
  kind: 'reader' | 'camera'
}

export interface RoomSpec {
  id: string
  buildingId: string
  number: string
  capacity: number
  /** Left empty at the start (the anomaly label), or chosen for an anomaly. */
  story?: string
}

/** WGS 84 degrees. */
export interface GeoPoint { lat: number; lon: number }

export interface BuildingSpec {
  id: string
  name: string
  address: string
  /** Where it stands (the platform judges impossible travel by it). */
  location: GeoPoint
  rooms: RoomSpec[]
  devices: DeviceSpec[]
  /** Doors with a camera on their line (tailgating is judged there). */
  cameraDoors: string[]
}

export type Routine = 'day' | 'night' | 'home'

export interface PersonSpec {
  ref: string
  role: 'resident' | 'visitor' | 'stranger' | 'occupant'
  name: string
  buildingId: string
  /** Room they live in or visit; null for strangers. */
  roomId: string | null
  /** Residents: a valid PRC resident ID number (checked by the platform). */
  idNumber?: string
  routine?: Routine
  /** The anomaly this person is part of, if any (its label). */
  story?: string
}

export interface CredentialSpec {
  ref: string
  kind: CredentialKind
  /** What the person presents (PIN digits in clear; the platform keeps a hash). */
  value: string
  /** Building the credential is issued in; for never-issued ones, where it is used. */
  buildingId: string
  roomId: string | null
  holder: string | null
  visitor?: boolean
  validFrom?: number
  validUntil?: number
  windows?: TimeWindow[]
}

export interface Site {
  /** Prefix of every id and value of this run, so that runs never collide on one platform. */
  namespace: string
  seed: string
  buildings: BuildingSpec[]
  persons: PersonSpec[]
  credentials: CredentialSpec[]
}

interface Base {
  at: number
  /** `routine`, `move-in`, `move-out` or the label of the anomaly this action belongs to. */
  tag: string
  /** Done before the clock speeds up (initial registrations). */
  setup?: boolean
}

/** Someone presents a credential at a door; if the reader grants, `crossing` people walk through the line. */
export interface PassAction extends Base {
  kind: 'pass'
  person: string
  credential: string
  buildingId: string
  door: string
  direction: Direction
  crossing: number
  /** The reader's decision the world expects (annotated by facts.ts). */
  expect?: ReaderResult
  /** What the reader actually decided (filled by the runner). */
  result?: ReaderResult
}

export interface DoorAction extends Base {
  kind: 'door'
  deviceId: string
  state: 'forced_open' | 'held_open' | 'closed' | 'tamper'
  durationS?: number
}

/** The landlord registers a resident on arrival, with credentials. */
export interface RegisterAction extends Base {
  kind: 'register'
  person: string
  roomId: string
  credentials: string[]
  permitValidUntil?: string
}

/** The landlord deregisters a resident on departure (their credentials are revoked). */
export interface DeregisterAction extends Base {
  kind: 'deregister'
  person: string
}

/** The landlord issues another credential to a registered resident. */
export interface IssueAction extends Base {
  kind: 'issue'
  credential: string
}

/** The landlord revokes a credential (lost card). */
export interface RevokeAction extends Base {
  kind: 'revoke'
  credential: string
}

/** The landlord issues a visitor pass for a room. */
export interface VisitorPassAction extends Base {
  kind: 'visitor-pass'
  credential: string
}

/** A device loses its network (it buffers events) or comes back. */
export interface OutageAction extends Base {
  kind: 'outage' | 'restore'
  deviceId: string
}

/** A device clock is set off by `offsetMs` (0: back in sync). */
export interface DriftAction extends Base {
  kind: 'drift'
  deviceId: string
  offsetMs: number
}

/**
 * The vendor's installer rotates a reader's secret with a new allow-list key (`POST /devices/{id}/rotate-secret`
 * as the vendor account) and enters both into the reader, which reconnects with them at once. Done by a vendor,
 * the rotation withdraws the reader's approval: it receives no list until the landlord approves it again.
 */
export interface RekeyAction extends Base {
  kind: 'rekey'
  deviceId: string
}

/** The landlord approves a device again (`POST /devices/{id}/approve`); a reader then receives its list. */
export interface ApproveAction extends Base {
  kind: 'approve'
  deviceId: string
}

export type Action =
  | PassAction | DoorAction | RegisterAction | DeregisterAction | IssueAction | RevokeAction | VisitorPassAction
  | OutageAction | DriftAction | RekeyAction | ApproveAction

export interface Scenario {
  site: Site
  /** Sim time the timeline starts at (the clock speeds up here). */
  start: number
  end: number
  /** Sorted by time; setup actions first. */
  actions: Action[]
}

/** Orders actions by time, keeping the given order among equal times. */
export function sortActions (actions: Action[]): Action[] {
  return actions.map((a, i) => ({ a, i })).sort((x, y) => x.a.at - y.a.at || x.i - y.i).map((x) => x.a)
}
