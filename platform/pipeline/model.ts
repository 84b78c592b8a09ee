// The pipeline's vocabulary: the enriched events rules read, what they know
// about the registry, and the alert candidates they emit. Rules depend on
// these types only, never on the database, the broker or the clock.

import type { CredentialKind } from '../registry/credentials.ts'
import type { RegistrationStatus } from '../registry/registration-rows.ts'
import type { TimeWindow } from '../../protocol/index.ts'
import type { Jurisdiction } from '../../contract/alert-candidate.ts'

// The alert vocabulary and the candidate shape live in the contract, shared
// with platform/alerts/ (which never imports the pipeline) and the consoles.
export { ALERT_TYPES, LEVEL_ALERT_TYPES, SEVERITIES, type AlertType, type Severity } from '../../contract/vocabulary.ts'
export type { AlertCandidate, Jurisdiction } from '../../contract/alert-candidate.ts'

/** A credential as the registry knows it, found by (kind, value) or by id. */
export interface CredentialInfo {
  credentialId: string
  buildingId: string
  roomId: string
  registrationId: string | null
  residentId: string | null
  kind: CredentialKind
  status: 'active' | 'revoked'
  validFrom: number | null
  validUntil: number | null
  windows: TimeWindow[] | null
  visitor: boolean
  /**
   * Visitor passes: the visitor they were issued to, the id of the visitor's
   * first pass (a renewal keeps it). Presence and overstay follow it, so a
   * visitor who enters on one pass and leaves on another has left. null for
   * residents' credentials.
   */
  visitorId: string | null
  /** Registration status; null for visitor passes. Credentials of pending or cancelled registrations are never active. */
  registrationStatus: RegistrationStatus | null
  /** End of the residence permit (end of that day, UTC ms), if recorded. */
  permitValidUntil: number | null
}

export interface RoomResident {
  residentId: string
  registrationId: string
  /** Arrival, ms since the epoch. */
  arrivedAt: number
}

export interface RoomInfo {
  roomId: string
  buildingId: string
  number: string
  capacity: number
  /** Active registrations. */
  registered: number
  /** Residents with an active registration. */
  residentIds: readonly string[]
  /** The same residents with their stays. */
  residents: readonly RoomResident[]
  /** Latest arrival or departure in the room, or its creation: ms since the epoch. */
  changedAt: number
}

export interface DeviceInfo {
  deviceId: string
  buildingId: string
  door: string
  kind: 'reader' | 'camera'
  enabled: boolean
  /**
   * False while a vendor's device waits for its first approval: its events are not judged. A device approved
   * before stays judged while a rotation's withdrawal of the approval waits for the landlord.
   */
  judged: boolean
}

/** A place on the map, WGS 84 degrees. */
export interface GeoPoint { lat: number; lon: number }

/** Names a presented value without revealing it (CredentialSecrets.presentedKey, under the data key). */
export type PresentedKeyOf = (kind: CredentialKind, value: string) => string

/** The in-memory view of the registry the pipeline enriches with (no database round trip per event). */
export interface RegistryView {
  /** Among several with one value (face references of two buildings), the one of `buildingId` first. */
  credentialByValue (kind: CredentialKind, value: string, buildingId?: string): CredentialInfo | undefined
  credentialById (credentialId: string): CredentialInfo | undefined
  /** The passes of one visitor (CredentialInfo.visitorId), revoked ones included while the view keeps them. */
  visitorPasses (visitorId: string): readonly CredentialInfo[]
  room (roomId: string): RoomInfo | undefined
  roomsOf (buildingId: string): readonly RoomInfo[]
  allRooms (): Iterable<RoomInfo>
  device (deviceId: string): DeviceInfo | undefined
  devicesOf (buildingId: string): readonly DeviceInfo[]
  jurisdiction (buildingId: string): Jurisdiction | undefined
  /** Where the building is, if its landlord or an administrator recorded it. */
  location (buildingId: string): GeoPoint | undefined
  /** IANA time zone of the building, for time windows; default Asia/Shanghai. */
  timeZone (buildingId: string): string
}

interface EventBase {
  deviceId: string
  buildingId: string
  /** `${deviceId}/${eventId}` (events) or `${deviceId}/${channel}/${receivedAt}` (status, heartbeat). */
  ref: string
  /** Device clock, ms since the epoch. */
  at: number
  /** Broker clock when accepted, ms since the epoch. */
  receivedAt: number
}

export interface AccessIn extends EventBase {
  kind: 'access'
  seq: number
  door: string
  direction: 'in' | 'out'
  /**
   * `key`: the keyed digest of kind and value (PresentedKeyOf). Alert keys and the rules' state name a presented
   * value by it, never by the value: the same card folds into one alert, and the key reveals nothing of the number.
   */
  credential: { kind: CredentialKind; value: string; key: string; credentialId?: string }
  result: 'granted' | 'denied'
  reason?: string
  /** The registry's credential for what was presented (by credentialId, else by kind and value). */
  match: CredentialInfo | undefined
}

export interface DoorIn extends EventBase {
  kind: 'door'
  seq: number
  door: string
  state: 'opened' | 'closed' | 'forced_open' | 'held_open' | 'tamper'
  durationS?: number
}

export interface LineIn extends EventBase {
  kind: 'line'
  seq: number
  door: string
  in: number
  out: number
  periodS: number
}

export interface PersonIn extends EventBase {
  kind: 'person'
  seq: number
  count: number
  door?: string
  zone?: string
}

export interface StatusIn extends EventBase {
  kind: 'status'
  state: 'online' | 'offline'
  reason?: string
}

export interface HeartbeatIn extends EventBase {
  kind: 'heartbeat'
  uptimeS: number
}

export type PipelineEvent = AccessIn | DoorIn | LineIn | PersonIn | StatusIn | HeartbeatIn

/**
 * The platform clock, fed into the same stream as the events (so rules see
 * one ordered input). `sweep` marks the ticks on which whole-registry checks
 * run (not seen, vacant, registered overcrowding, clean-ups).
 */
export interface Tick {
  kind: 'tick'
  /** Platform clock, ms since the epoch. */
  at: number
  sweep: boolean
}

export type PipelineInput = PipelineEvent | Tick

/** Tunable rule parameters; defaults in DEFAULT_RULE_PARAMS, documented in docs/rules.md. */
export interface RuleParams {
  /** Camera entries not explained by granted entries within this window raise tailgating. */
  tailgatingWindowS: number
  /** Denials in a row (door or credential) that raise repeated_denials. */
  deniedInARow: number
  /** A visitor inside longer than this should register. */
  visitorMaxStayH: number
  /** A registered resident not seen this long is probably gone. */
  notSeenDays: number
  /** A room with nobody registered or seen this long is vacant. */
  vacantDays: number
  /** Expected heartbeat interval; offline after `missedHeartbeats` of them. */
  heartbeatS: number
  missedHeartbeats: number
  /** Largest tolerated difference between device and platform clocks. */
  clockDriftMaxS: number
  /** Denials further apart than this do not count as "in a row". */
  deniedRunGapS: number
  /** Fastest plausible door-to-door speed between two buildings with a location, km/h (impossible_travel). */
  travelMaxKmh: number
  /** Shortest plausible time between one credential's uses at two buildings when either has no location, s. */
  travelMinGapS: number
}

export const DEFAULT_RULE_PARAMS: RuleParams = {
  tailgatingWindowS: 10,
  deniedInARow: 5,
  visitorMaxStayH: 24,
  notSeenDays: 30,
  vacantDays: 90,
  heartbeatS: 60,
  missedHeartbeats: 3,
  clockDriftMaxS: 5,
  deniedRunGapS: 600,
  travelMaxKmh: 60,
  travelMinGapS: 30,
}
