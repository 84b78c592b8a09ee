// Everything the rules remember between events, in one object: presence per
// person and room, health per device, the door windows for tailgating, the
// runs of denials, where each card was last presented, and which level
// conditions (offline, overcrowded, ...) are raised. Plain maps of plain
// values, so the whole of it can be checkpointed as JSON and restored after a
// restart. Every map is bounded: by the registry (persons, rooms, devices,
// doors), or by a cap with eviction and an age limit (denial runs, sightings).

import { DIGEST_PATTERN } from '../../protocol/index.ts'
import type { CredentialInfo } from './model.ts'

/** Someone who presented a registered credential. Residents are keyed by resident id, visitors by visitor (personKey). */
export interface PersonState {
  roomId: string
  buildingId: string
  /** The credential of the latest passage. */
  credentialId: string
  visitor: boolean
  inside: boolean
  /** Event time of the latest granted passage (in or out) that set `inside`. */
  passedAt: number
  /** Event time of the latest entry, while inside. */
  enteredAt: number | null
  /** Latest event time the person was seen at any door. */
  lastSeenAt: number
  /** `deviceId/eventId` of the entry, while inside. */
  entryRef: string | null
}

export interface DeviceState {
  buildingId: string
  /** Platform clock of the latest message of any kind. */
  lastMessageAt: number
}

export interface GrantMark { at: number; ref: string; used: boolean }

/** A camera counting period still waiting for late reader events before it is judged. */
export interface PendingCount { start: number; end: number; in: number; ref: string; receivedAt: number; deviceId: string }

export interface DoorState {
  buildingId: string
  door: string
  /** Granted entries (event time), oldest first. */
  grants: GrantMark[]
  pending: PendingCount[]
}

/**
 * A level condition this pipeline raised and has not yet seen clear, with
 * what its alert last said (raiseLevel): undefined when unknown (an older
 * checkpoint, an alert adopted from the database), so the next look updates it.
 * `cause` where a rule needs to tell episodes apart.
 */
export interface Latch { at: number; buildingId: string; level?: number; detail?: string; cause?: string }

export interface DenialRun { buildingId: string; count: number; lastAt: number; refs: string[] }

/** Where a card or code was last presented (impossible_travel). */
export interface Sighting { buildingId: string; door: string; at: number; ref: string }

/** Cap on denial runs kept; the least recently touched go first. */
export const MAX_DENIAL_RUNS = 100_000
/** Cap on sightings kept; the least recently touched go first. */
export const MAX_SIGHTINGS = 100_000
/** Cap on grants remembered per door. */
export const MAX_GRANTS_PER_DOOR = 2_000
/** Cap on camera periods waiting per door. */
export const MAX_PENDING_PER_DOOR = 500

/**
 * Whose passage a credential records: the resident, or the visitor. A
 * visitor's passes share the id of their first pass (visitorId), which is
 * also what older checkpoints keyed visitors by (`visitor:<credentialId>` of
 * a pass that was never renewed), so they restore unchanged.
 */
export const personKey = (c: Pick<CredentialInfo, 'residentId' | 'visitorId' | 'credentialId'>): string =>
  c.residentId !== null ? c.residentId : `visitor:${c.visitorId ?? c.credentialId}`

/** Sets `key` as the most recently touched entry (maps keep insertion order) and evicts the least recently touched past `cap`. */
function touchCapped<V> (map: Map<string, V>, key: string, value: V, cap: number): void {
  map.delete(key)
  map.set(key, value)
  while (map.size > cap) map.delete(map.keys().next().value as string)
}

const DIGEST_NAMED = new RegExp(`^[a-z_]+:${DIGEST_PATTERN.slice(1)}`)

/**
 * A key of a checkpoint written before presented values were named by their keyed digest: a sighting
 * `card:<number>` or a denial run `cred:<building>:card:<number>`. They are dropped on restore, so no card
 * number outlives the next checkpoint (a run of denials in progress starts again, a sighting is forgotten).
 */
function namesRawValue (key: string): boolean {
  if (key.startsWith('door:')) return false
  const named = key.startsWith('cred:') ? key.slice(key.indexOf(':', 5) + 1) : key
  return !named.startsWith('pin:') && !DIGEST_NAMED.test(named)
}

export class PipelineState {
  readonly persons = new Map<string, PersonState>()
  /** Latest event time anyone of the room was seen. */
  readonly roomLastSeen = new Map<string, number>()
  /** Person keys inside, per room (derived from `persons`; not serialised). */
  readonly roomPresent = new Map<string, Set<string>>()
  readonly devices = new Map<string, DeviceState>()
  readonly doors = new Map<string, DoorState>()
  /** Insertion order = least recently touched first (touch = delete + set). */
  readonly denialRuns = new Map<string, DenialRun>()
  /** Level conditions currently raised, by dedupKey. */
  readonly latched = new Map<string, Latch>()
  /** Latest presentation of each card and code value, by its keyed digest; insertion order = least recently touched first. */
  readonly sightings = new Map<string, Sighting>()

  door (buildingId: string, door: string): DoorState {
    const key = `${buildingId}/${door}`
    let d = this.doors.get(key)
    if (d === undefined) this.doors.set(key, d = { buildingId, door, grants: [], pending: [] })
    return d
  }

  /** Sets whether a person is inside, keeping the per-room sets in step. */
  setInside (key: string, p: PersonState, inside: boolean): void {
    if (p.inside === inside && this.roomPresent.get(p.roomId)?.has(key) === inside) return
    p.inside = inside
    let set = this.roomPresent.get(p.roomId)
    if (inside) {
      if (set === undefined) this.roomPresent.set(p.roomId, set = new Set())
      set.add(key)
    } else if (set !== undefined) {
      set.delete(key)
      if (set.size === 0) this.roomPresent.delete(p.roomId)
    }
  }

  removePerson (key: string): void {
    const p = this.persons.get(key)
    if (p === undefined) return
    this.setInside(key, p, false)
    this.persons.delete(key)
  }

  presentIn (roomId: string): number {
    return this.roomPresent.get(roomId)?.size ?? 0
  }

  touchDenialRun (key: string, run: DenialRun): void {
    touchCapped(this.denialRuns, key, run, MAX_DENIAL_RUNS)
  }

  touchSighting (key: string, s: Sighting): void {
    touchCapped(this.sightings, key, s, MAX_SIGHTINGS)
  }

  /** JSON of everything but the derived maps. */
  serialize (): string {
    return JSON.stringify({
      v: 1,
      persons: [...this.persons],
      roomLastSeen: [...this.roomLastSeen],
      devices: [...this.devices],
      doors: [...this.doors],
      denialRuns: [...this.denialRuns],
      latched: [...this.latched],
      sightings: [...this.sightings],
    })
  }

  static restore (json: string): PipelineState {
    const raw = JSON.parse(json) as {
      v: number; persons: Array<[string, PersonState]>; roomLastSeen: Array<[string, number]>; devices: Array<[string, DeviceState]>
      doors: Array<[string, DoorState]>; denialRuns: Array<[string, DenialRun]>; latched: Array<[string, Latch]>
      /** Absent in checkpoints written before impossible_travel. */
      sightings?: Array<[string, Sighting]>
    }
    if (raw.v !== 1) throw new Error(`unknown pipeline checkpoint version ${String(raw.v)}`)
    const s = new PipelineState()
    for (const [k, p] of raw.persons) {
      s.persons.set(k, { ...p, inside: false })
      s.setInside(k, s.persons.get(k)!, p.inside)
    }
    for (const [k, v] of raw.roomLastSeen) s.roomLastSeen.set(k, v)
    for (const [k, v] of raw.devices) s.devices.set(k, v)
    for (const [k, v] of raw.doors) s.doors.set(k, v)
    for (const [k, v] of raw.denialRuns) if (!namesRawValue(k)) s.denialRuns.set(k, v)
    for (const [k, v] of raw.latched) s.latched.set(k, v)
    for (const [k, v] of raw.sightings ?? []) if (!namesRawValue(k)) s.sightings.set(k, v)
    return s
  }

  sizes (): Record<string, number> {
    return {
      persons: this.persons.size, rooms: this.roomLastSeen.size, devices: this.devices.size, doors: this.doors.size,
      denialRuns: this.denialRuns.size, latched: this.latched.size, sightings: this.sightings.size,
    }
  }
}
