// Unit-test fixtures for the rules: a small registry view held in memory
// (the RegistryView port, as the pipeline sees it), event builders with
// sensible defaults, and a runner that feeds inputs through every rule (or
// one) with the state tracker, exactly as the pipeline wires them.

import { Subject } from 'rxjs'
import { explain, isAlertReasonCode } from '../../../contract/alert-wording.ts'
import type { TimeWindow } from '../../../protocol/index.ts'
import type { CredentialKind } from '../../registry/credentials.ts'
import {
  DEFAULT_RULE_PARAMS, type AccessIn, type AlertCandidate, type CredentialInfo, type DeviceInfo, type DoorIn, type GeoPoint, type HeartbeatIn,
  type Jurisdiction, type LineIn, type PipelineInput, type RegistryView, type RoomInfo, type RuleParams, type StatusIn, type Tick,
} from '../model.ts'
import { CredentialSecrets } from '../../privacy/credential-secrets.ts'
import { pickCredential } from '../registry-view.ts'
import { PipelineState } from '../state.ts'
import { detectAll, type Detector, type RuleContext } from './index.ts'

export const T0 = Date.parse('2026-03-02T08:00:00Z') // a Monday, 16:00 in Shanghai
export const S = 1000
export const MIN = 60 * S
export const H = 60 * MIN
export const DAY = 24 * H

/** The data key of the tests, and the name it gives a presented value (what enrich() puts in `credential.key`). */
export const TEST_DATA_KEY = '5e'.repeat(32)
const testSecrets = CredentialSecrets.fromKey(TEST_DATA_KEY)
export const presentedKeyOf = (kind: CredentialKind, value: string): string => testSecrets.presentedKey(kind, value)

export class TestView implements RegistryView {
  readonly credentials: Array<CredentialInfo & { value: string }> = []
  readonly rooms = new Map<string, RoomInfo>()
  readonly devices = new Map<string, DeviceInfo>()
  readonly locations = new Map<string, GeoPoint>()

  room (id: string): RoomInfo | undefined { return this.rooms.get(id) }
  roomsOf (b: string): readonly RoomInfo[] { return [...this.rooms.values()].filter((r) => r.buildingId === b) }
  allRooms (): Iterable<RoomInfo> { return this.rooms.values() }
  device (id: string): DeviceInfo | undefined { return this.devices.get(id) }
  devicesOf (b: string): readonly DeviceInfo[] { return [...this.devices.values()].filter((d) => d.buildingId === b) }
  jurisdiction (_b: string): Jurisdiction { return { district: 'd', street: 's', community: 'c', grid: 'g' } }
  timeZone (_b: string): string { return 'Asia/Shanghai' }
  location (b: string): GeoPoint | undefined { return this.locations.get(b) }
  credentialById (id: string): CredentialInfo | undefined { return this.credentials.find((c) => c.credentialId === id) }
  visitorPasses (visitorId: string): readonly CredentialInfo[] { return this.credentials.filter((c) => c.visitorId === visitorId) }
  credentialByValue (kind: CredentialKind, value: string, buildingId?: string): CredentialInfo | undefined {
    return pickCredential(this.credentials.filter((c) => c.kind === kind && c.value === value), buildingId)
  }

  addRoom (roomId: string, o: { buildingId?: string; capacity?: number; changedAt?: number } = {}): RoomInfo {
    const r: RoomInfo = {
      roomId, buildingId: o.buildingId ?? 'b1', number: roomId.toUpperCase(), capacity: o.capacity ?? 2,
      registered: 0, residentIds: [], residents: [], changedAt: o.changedAt ?? T0 - 10 * DAY,
    }
    this.rooms.set(roomId, r)
    return r
  }

  /** Registers a resident in a room with a card `C-<residentId>`. */
  addResident (residentId: string, roomId: string, o: { arrivedAt?: number; permitValidUntil?: number | null; windows?: TimeWindow[] } = {}): CredentialInfo {
    const room = this.rooms.get(roomId) ?? this.addRoom(roomId)
    const arrivedAt = o.arrivedAt ?? T0 - 5 * DAY
    const residents = [...room.residents, { residentId, registrationId: `reg-${residentId}`, arrivedAt }]
    this.rooms.set(roomId, { ...room, residents, residentIds: residents.map((x) => x.residentId), registered: residents.length })
    return this.addCredential({
      credentialId: `cred-${residentId}`, value: `C-${residentId}`.toUpperCase(), buildingId: room.buildingId, roomId,
      registrationId: `reg-${residentId}`, residentId, registrationStatus: 'active', permitValidUntil: o.permitValidUntil ?? null,
      windows: o.windows ?? null,
    })
  }

  /** A visitor pass `QR-<credentialId>`; `renews`: the pass it renews (the same visitor). */
  addVisitor (credentialId: string, roomId: string, o: { validUntil?: number | null; renews?: string } = {}): CredentialInfo {
    const room = this.rooms.get(roomId) ?? this.addRoom(roomId)
    const renewed = o.renews === undefined ? undefined : this.credentialById(o.renews)
    return this.addCredential({
      credentialId, kind: 'qr', value: `QR-${credentialId}`, buildingId: room.buildingId, roomId, visitor: true,
      validUntil: o.validUntil ?? null, visitorId: renewed?.visitorId ?? credentialId,
    })
  }

  addCredential (c: Partial<CredentialInfo> & { credentialId: string; value: string; buildingId: string; roomId: string }): CredentialInfo {
    const full: CredentialInfo & { value: string } = {
      kind: 'card', registrationId: null, residentId: null, status: 'active', validFrom: null, validUntil: null, windows: null,
      visitor: false, visitorId: null, registrationStatus: null, permitValidUntil: null, ...c,
    }
    this.credentials.push(full)
    return full
  }

  /** Deregisters: the stay ends, its credentials are revoked. */
  depart (residentId: string): void {
    for (const [id, room] of this.rooms) {
      const residents = room.residents.filter((r) => r.residentId !== residentId)
      if (residents.length !== room.residents.length) {
        this.rooms.set(id, { ...room, residents, residentIds: residents.map((x) => x.residentId), registered: residents.length })
      }
    }
    for (const c of this.credentials) {
      if (c.residentId === residentId) Object.assign(c, { status: 'revoked', registrationStatus: 'departed' })
    }
  }

  addDevice (deviceId: string, o: Partial<DeviceInfo> = {}): DeviceInfo {
    const d: DeviceInfo = { deviceId, buildingId: 'b1', door: 'main', kind: 'reader', enabled: true, judged: true, ...o }
    this.devices.set(deviceId, d)
    return d
  }
}

let n = 0
const next = (): number => ++n

/** A swipe. `card` is what was read; the view is asked for the match like enrich() does. */
export function access (view: RegistryView, o: { card: string; at?: number; door?: string; direction?: 'in' | 'out'; result?: 'granted' | 'denied'; buildingId?: string; deviceId?: string; kind?: CredentialKind; credentialId?: string }): AccessIn {
  const i = next()
  const deviceId = o.deviceId ?? 'reader-1'
  const kind = o.kind ?? 'card'
  const match = o.credentialId !== undefined ? view.credentialById(o.credentialId) : kind === 'pin' ? undefined : view.credentialByValue(kind, o.card, o.buildingId ?? 'b1')
  const at = o.at ?? T0
  const credential: AccessIn['credential'] = { kind, value: o.card, key: presentedKeyOf(kind, kind === 'pin' ? o.credentialId ?? o.card : o.card) }
  if (o.credentialId !== undefined) credential.credentialId = o.credentialId
  return {
    kind: 'access', deviceId, buildingId: o.buildingId ?? 'b1', ref: `${deviceId}/e${i}`, at, receivedAt: at, seq: i,
    door: o.door ?? 'main', direction: o.direction ?? 'in', credential, result: o.result ?? (match === undefined ? 'denied' : 'granted'), match,
  }
}

export function door (state: DoorIn['state'], o: { at?: number; door?: string; deviceId?: string; durationS?: number } = {}): DoorIn {
  const i = next()
  const deviceId = o.deviceId ?? 'reader-1'
  const at = o.at ?? T0
  const e: DoorIn = { kind: 'door', deviceId, buildingId: 'b1', ref: `${deviceId}/e${i}`, at, receivedAt: at, seq: i, door: o.door ?? 'main', state }
  if (o.durationS !== undefined) e.durationS = o.durationS
  return e
}

/** A camera count for the period ending at `at`, received at `receivedAt` (default `at`). */
export function line (inCount: number, o: { at?: number; periodS?: number; door?: string; receivedAt?: number; out?: number } = {}): LineIn {
  const i = next()
  const at = o.at ?? T0
  return {
    kind: 'line', deviceId: 'cam-1', buildingId: 'b1', ref: `cam-1/e${i}`, at, receivedAt: o.receivedAt ?? at, seq: i,
    door: o.door ?? 'main', in: inCount, out: o.out ?? 0, periodS: o.periodS ?? 10,
  }
}

export function status (state: 'online' | 'offline', o: { at?: number; receivedAt?: number; deviceId?: string; reason?: string } = {}): StatusIn {
  const at = o.at ?? T0
  const deviceId = o.deviceId ?? 'reader-1'
  const e: StatusIn = { kind: 'status', deviceId, buildingId: 'b1', ref: `${deviceId}/status/${next()}`, at, receivedAt: o.receivedAt ?? at, state }
  if (o.reason !== undefined) e.reason = o.reason
  return e
}

export function heartbeat (o: { at?: number; receivedAt?: number; deviceId?: string } = {}): HeartbeatIn {
  const at = o.at ?? T0
  const deviceId = o.deviceId ?? 'reader-1'
  return { kind: 'heartbeat', deviceId, buildingId: 'b1', ref: `${deviceId}/heartbeat/${next()}`, at, receivedAt: o.receivedAt ?? at, uptimeS: 100 }
}

export const tick = (at: number, sweep = true): Tick => ({ kind: 'tick', at, sweep })

/** Feeds inputs through the rules (all by default) and returns what they proposed, in order. */
/** Every candidate says what it says as a known code, its explanation being that code's English wording. */
function checkReason (c: AlertCandidate): void {
  if (!isAlertReasonCode(c.reason.code)) throw new Error(`${c.type}: reason code ${c.reason.code} is not in contract/alert-wording.ts`)
  if (c.explanation !== explain(c.reason)) throw new Error(`${c.type}: explanation is not the English wording of ${c.reason.code}`)
}

export class RuleHarness {
  readonly state: PipelineState
  readonly out: AlertCandidate[] = []
  private readonly input$ = new Subject<PipelineInput>()
  readonly params: RuleParams

  /** `state`: start from this one (a restored checkpoint) instead of a fresh one. */
  constructor (readonly view: TestView, o: { params?: Partial<RuleParams>; only?: Detector[]; state?: PipelineState } = {}) {
    this.state = o.state ?? new PipelineState()
    this.params = { ...DEFAULT_RULE_PARAMS, ...o.params }
    const ctx: RuleContext = { view, params: this.params, state: this.state }
    detectAll(this.input$, ctx, o.only).subscribe((c) => this.out.push(c))
  }

  /** Feeds the inputs; returns the candidates they produced. */
  feed (...inputs: PipelineInput[]): AlertCandidate[] {
    const from = this.out.length
    for (const i of inputs) this.input$.next(i)
    const found = this.out.slice(from)
    for (const c of found) checkReason(c)
    return found
  }

  /** Candidates of one type (raises and clears) so far. */
  of (type: AlertCandidate['type']): AlertCandidate[] {
    return this.out.filter((c) => c.type === type)
  }
}
