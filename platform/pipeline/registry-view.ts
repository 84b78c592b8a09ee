// The registry in memory, for the pipeline: credentials by value and id,
// rooms with capacity and residents, devices, jurisdictions. Loaded once at
// start and reloaded per building when the registry reports a change, so
// enriching an event never waits for the database.

import { permitEndsAt } from '../policy/permit-rules.ts'
import type { Database } from '../store/database.ts'
import type { CredentialKind } from '../registry/credentials.ts'
import type { RegistrationStatus } from '../registry/registration-rows.ts'
import { SERVED_SQL } from '../registry/devices.ts'
import type { TimeWindow } from '../../protocol/index.ts'
import type { CredentialInfo, DeviceInfo, GeoPoint, Jurisdiction, RegistryView, RoomInfo, RoomResident } from './model.ts'

/** Revoked credentials stay in view this long, so a revoked card at a door is recognised as expired rather than unknown. */
const REVOKED_KEPT_MS = 180 * 86_400_000
const DEFAULT_TIME_ZONE = 'Asia/Shanghai'

interface BuildingSlice {
  jurisdiction: Jurisdiction
  location: GeoPoint | undefined
  timeZone: string
  credentials: CredentialInfo[]
  rooms: RoomInfo[]
  devices: DeviceInfo[]
}

interface CredentialRow {
  id: string; building_id: string; room_id: string; registration_id: string | null; resident_id: string | null
  kind: CredentialKind; value: string; status: 'active' | 'revoked'; valid_from: Date | null; valid_until: Date | null
  windows: TimeWindow[] | null; visitor: boolean; visitor_id: string | null; registration_status: RegistrationStatus | null; permit_valid_until: string | null
}

const ms = (d: Date | null): number | null => d === null ? null : d.getTime()

/** The credential a value stands for at a door of `buildingId` (RegistryView.credentialByValue). */
export function pickCredential (list: readonly CredentialInfo[] | undefined, buildingId?: string): CredentialInfo | undefined {
  if (list === undefined || list.length === 0) return undefined
  return list.find((c) => c.status === 'active' && c.buildingId === buildingId) ?? list.find((c) => c.status === 'active') ?? list[list.length - 1]
}
const valueKey = (kind: string, value: string): string => `${kind}\u0000${value}`

export class MemoryRegistryView implements RegistryView {
  private readonly buildings = new Map<string, BuildingSlice>()
  private readonly byValue = new Map<string, CredentialInfo[]>()
  private readonly byId = new Map<string, CredentialInfo>()
  private readonly byVisitor = new Map<string, CredentialInfo[]>()
  private readonly rooms = new Map<string, RoomInfo>()
  private readonly devices = new Map<string, DeviceInfo>()

  constructor (private readonly db: Database, private readonly now: () => number = Date.now) {}

  /** Loads every building. */
  async loadAll (): Promise<void> {
    const r = await this.db.query<{ id: string }>('select id from buildings where removed_at is null order by id')
    for (const b of r.rows) await this.reloadBuilding(b.id)
  }

  /** Replaces what the view holds about one building with the database's current state. */
  async reloadBuilding (buildingId: string): Promise<void> {
    const since = new Date(this.now() - REVOKED_KEPT_MS)
    const [b, creds, rooms, regs, devices] = await Promise.all([
      this.db.query<{ path: string; lat: number | null; lon: number | null; time_zone: string }>(
        'select a.path, b.lat, b.lon, b.time_zone from buildings b join areas a on a.id = b.grid_id where b.id = $1 and b.removed_at is null', [buildingId]),
      // Active and recently revoked credentials. Those of a registration that waits for a move, or never
      // became a stay, were on no reader: presented at a door they are what the reader takes them for, unknown.
      this.db.query<CredentialRow>(
        `select c.*, g.resident_id, g.status as registration_status, g.permit_valid_until
           from credentials c left join registrations g on g.id = c.registration_id
          where c.building_id = $1 and (c.status = 'active' or c.revoked_at > $2)
            and (g.status is null or g.status in ('active', 'departed'))`, [buildingId, since]),
      this.db.query<{ id: string; number: string; capacity: number; changed_at: Date }>(
        // A pending or cancelled registration is no arrival: the room changes when a stay begins or ends.
        `select r.id, r.number, r.capacity, greatest(r.created_at, max(g.arrived_at), max(g.departed_at)) as changed_at
           from rooms r left join registrations g on g.room_id = r.id and g.status in ('active', 'departed')
          where r.building_id = $1 group by r.id`, [buildingId]),
      this.db.query<{ id: string; room_id: string; resident_id: string; arrived_at: Date }>(
        `select id, room_id, resident_id, arrived_at from registrations where building_id = $1 and status = 'active'`, [buildingId]),
      this.db.query<{ id: string; door: string; kind: 'reader' | 'camera'; enabled: boolean; judged: boolean }>(
        `select id, door, kind, enabled, ${SERVED_SQL} as judged from devices where building_id = $1`, [buildingId]),
    ])
    this.drop(buildingId)
    const row = b.rows[0]
    if (row === undefined) return
    const path = row.path
    const [district, street, community, grid] = path.split('/').filter((s) => s !== '')
    const residentsByRoom = new Map<string, RoomResident[]>()
    for (const g of regs.rows) {
      const list = residentsByRoom.get(g.room_id) ?? []
      list.push({ residentId: g.resident_id, registrationId: g.id, arrivedAt: g.arrived_at.getTime() })
      residentsByRoom.set(g.room_id, list)
    }
    const slice: BuildingSlice = {
      jurisdiction: { district: district ?? null, street: street ?? null, community: community ?? null, grid: grid ?? '' },
      location: row.lat === null || row.lon === null ? undefined : { lat: row.lat, lon: row.lon },
      timeZone: row.time_zone,
      credentials: creds.rows.map((c) => ({
        credentialId: c.id,
        buildingId: c.building_id,
        roomId: c.room_id,
        registrationId: c.registration_id,
        residentId: c.resident_id,
        kind: c.kind,
        status: c.status,
        validFrom: ms(c.valid_from),
        validUntil: ms(c.valid_until),
        windows: c.windows,
        visitor: c.visitor,
        visitorId: c.visitor_id,
        registrationStatus: c.registration_status,
        // The last millisecond of the permit's last day in the building's zone, as the readers' entries end.
        permitValidUntil: c.permit_valid_until === null ? null : permitEndsAt(String(c.permit_valid_until), row.time_zone) - 1,
        value: c.value,
      } as CredentialInfo & { value: string })),
      rooms: rooms.rows.map((r) => {
        const residents = residentsByRoom.get(r.id) ?? []
        return {
          roomId: r.id, buildingId, number: r.number, capacity: r.capacity, registered: residents.length,
          residentIds: residents.map((x) => x.residentId), residents, changedAt: new Date(r.changed_at).getTime(),
        }
      }),
      devices: devices.rows.map((d) => ({ deviceId: d.id, buildingId, door: d.door, kind: d.kind, enabled: d.enabled, judged: d.judged })),
    }
    this.buildings.set(buildingId, slice)
    for (const c of slice.credentials) {
      this.byId.set(c.credentialId, c)
      const key = valueKey(c.kind, (c as CredentialInfo & { value: string }).value)
      const list = this.byValue.get(key) ?? []
      list.push(c)
      this.byValue.set(key, list)
      if (c.visitorId !== null) {
        const passes = this.byVisitor.get(c.visitorId) ?? []
        passes.push(c)
        this.byVisitor.set(c.visitorId, passes)
      }
    }
    for (const r of slice.rooms) this.rooms.set(r.roomId, r)
    for (const d of slice.devices) this.devices.set(d.deviceId, d)
  }

  private drop (buildingId: string): void {
    const old = this.buildings.get(buildingId)
    if (old === undefined) return
    this.buildings.delete(buildingId)
    for (const c of old.credentials) {
      this.byId.delete(c.credentialId)
      const key = valueKey(c.kind, (c as CredentialInfo & { value: string }).value)
      const rest = (this.byValue.get(key) ?? []).filter((x) => x.credentialId !== c.credentialId)
      if (rest.length === 0) this.byValue.delete(key)
      else this.byValue.set(key, rest)
      // A visitor's passes are all of one room, so of this building: the whole list goes.
      if (c.visitorId !== null) this.byVisitor.delete(c.visitorId)
    }
    for (const r of old.rooms) this.rooms.delete(r.roomId)
    for (const d of old.devices) this.devices.delete(d.deviceId)
  }

  /**
   * Prefers an active credential of `buildingId` (face references are
   * numbered per building, and a value held twice from before uniqueness
   * may be active in two), then one active anywhere, then the latest.
   */
  credentialByValue (kind: CredentialKind, value: string, buildingId?: string): CredentialInfo | undefined {
    return pickCredential(this.byValue.get(valueKey(kind, value)), buildingId)
  }

  credentialById (credentialId: string): CredentialInfo | undefined { return this.byId.get(credentialId) }
  visitorPasses (visitorId: string): readonly CredentialInfo[] { return this.byVisitor.get(visitorId) ?? [] }
  room (roomId: string): RoomInfo | undefined { return this.rooms.get(roomId) }
  roomsOf (buildingId: string): readonly RoomInfo[] { return this.buildings.get(buildingId)?.rooms ?? [] }
  allRooms (): Iterable<RoomInfo> { return this.rooms.values() }
  device (deviceId: string): DeviceInfo | undefined { return this.devices.get(deviceId) }

  /**
   * A device's enabled flag as just committed, ahead of its building's reload: the offline rule must know of
   * a disable by the time the device's connection is closed (the reload takes a query).
   */
  setDeviceEnabled (deviceId: string, enabled: boolean): void {
    const d = this.devices.get(deviceId)
    if (d !== undefined) d.enabled = enabled
  }

  devicesOf (buildingId: string): readonly DeviceInfo[] { return this.buildings.get(buildingId)?.devices ?? [] }
  jurisdiction (buildingId: string): Jurisdiction | undefined { return this.buildings.get(buildingId)?.jurisdiction }
  location (buildingId: string): GeoPoint | undefined { return this.buildings.get(buildingId)?.location }
  timeZone (buildingId: string): string { return this.buildings.get(buildingId)?.timeZone ?? DEFAULT_TIME_ZONE }

  /** Sizes, for the benchmark's memory-per-resident figure. */
  size (): { buildings: number; credentials: number; rooms: number; devices: number } {
    return { buildings: this.buildings.size, credentials: this.byId.size, rooms: this.rooms.size, devices: this.devices.size }
  }
}
