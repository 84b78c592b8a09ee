// Buildings, their rooms and the vendors allowed to install devices in them.

import { isValidId } from '../../protocol/index.ts'
import { Errors } from '../errors.ts'
import { FOREIGN_KEY_VIOLATION, sqlState, UNIQUE_VIOLATION, type Queryable } from '../store/database.ts'
import { buildingScope, can, type Actor, type BuildingRef, type Permission } from './access.ts'
import { idForNew, iso, type RegistryContext } from './context.ts'
import type { Building, Location, Room } from '../../contract/schemas/registry.ts'
import type { Grade } from '../../contract/vocabulary.ts'
import { appendLedger } from './ledger.ts'
import { checkTimeZone, DEFAULT_TIME_ZONE } from './time-zones.ts'
import { writeAudit } from './audit-log.ts'
import { revokeCredentials } from './credentials.ts'

// As the API shows them (contract/schemas/registry.ts).
export type { Building, Location, Room } from '../../contract/schemas/registry.ts'

export interface BuildingRow extends BuildingRef {
  id: string; grid_id: string; name: string; address: string; landlord_id: string | null; grade: Grade
  responsibility_signed_at: Date | null; allowlist_version: number; created_at: Date; area_path: string
  lat: number | null; lon: number | null; time_zone: string
}

/** The stays still running in a building: what keeps it from being removed. */
export interface LiveStays {
  /** Active registrations: people living there. */
  active: string[]
  /** Pending registrations, each with the move it waits for. */
  pending: { registrationId: string; moveId: string | null }[]
}

/** What removing a building took with it, for the broker and the caller. */
export interface RemovedBuilding {
  buildingId: string
  /** The devices deleted with it (disconnected, their logins gone). */
  devices: string[]
  /** Credentials still active (visitor passes) revoked with it. */
  credentialsRevoked: number
}

interface RoomRow { id: string; building_id: string; number: string; capacity: number; registered: number; created_at: Date }

const toBuilding = (r: BuildingRow): Building => ({
  id: r.id,
  gridId: r.grid_id,
  name: r.name,
  address: r.address,
  landlordId: r.landlord_id,
  grade: r.grade,
  responsibilitySignedAt: iso(r.responsibility_signed_at),
  location: r.lat === null || r.lon === null ? null : { lat: r.lat, lon: r.lon },
  allowlistVersion: r.allowlist_version,
  createdAt: iso(r.created_at),
  timeZone: r.time_zone,
})

const toRoom = (r: RoomRow): Room => ({
  id: r.id, buildingId: r.building_id, number: r.number, capacity: r.capacity, registered: r.registered, createdAt: iso(r.created_at),
})

const SELECT_BUILDING = `select b.*, coalesce((select array_agg(vendor_id) from building_vendors v where v.building_id = b.id), '{}') as vendor_ids
  from buildings b`
const SELECT_ROOM = `select r.*, (select count(*)::int from registrations g where g.room_id = r.id and g.status = 'active') as registered
  from rooms r`

/**
 * Loads a building and checks a permission on it. A building the actor may not
 * even read is reported as not found, so its existence does not leak.
 */
export async function loadBuilding (q: Queryable, actor: Actor, id: string, permission: Permission): Promise<BuildingRow> {
  const r = await q.query<BuildingRow>(`${SELECT_BUILDING} where b.id = $1 and b.removed_at is null`, [id])
  const row = r.rows[0]
  if (row === undefined || !can(actor, 'building.read', row)) throw new Errors.NotFound(`building ${id}`)
  if (!can(actor, permission, row)) throw new Errors.Forbidden(`your role may not do this in building ${id}`)
  return row
}

/** What a permission check needs of a building, unchecked: for deciding what a caller may do about it. */
export async function buildingRef (q: Queryable, id: string): Promise<BuildingRef & { id: string }> {
  const r = await q.query<BuildingRef & { id: string }>('select id, landlord_id, area_path from buildings where id = $1 and removed_at is null', [id])
  const row = r.rows[0]
  if (row === undefined) throw new Errors.NotFound(`building ${id}`)
  return row
}

/**
 * Awaits a building check made on behalf of something inside the building; a
 * hidden building makes that thing not found as well, under its own name.
 */
export async function notFoundAs<T> (check: Promise<T>, what: string): Promise<T> {
  try {
    return await check
  } catch (err) {
    if ((err as { code?: string }).code === 'RH_NOT_FOUND') throw new Errors.NotFound(what)
    throw err
  }
}

/** Loads a room through its building's permission check. */
export async function loadRoom (q: Queryable, actor: Actor, id: string, permission: Permission): Promise<{ room: RoomRow; building: BuildingRow }> {
  const r = await q.query<RoomRow>(`${SELECT_ROOM} where r.id = $1`, [id])
  const room = r.rows[0]
  if (room === undefined) throw new Errors.NotFound(`room ${id}`)
  return { room, building: await notFoundAs(loadBuilding(q, actor, room.building_id, permission), `room ${id}`) }
}

/** Active and pending registrations of a building. */
async function liveStays (q: Queryable, buildingId: string): Promise<LiveStays> {
  const r = await q.query<{ id: string; status: string; move_id: string | null }>(
    `select g.id, g.status,
       (select m.id from moves m where m.to_registration_id = g.id and m.status in ('waiting', 'disputed') limit 1) as move_id
       from registrations g where g.building_id = $1 and g.status in ('active', 'pending') order by g.id`, [buildingId])
  return {
    active: r.rows.filter((x) => x.status === 'active').map((x) => x.id),
    pending: r.rows.filter((x) => x.status === 'pending').map((x) => ({ registrationId: x.id, moveId: x.move_id })),
  }
}

export class Buildings {
  constructor (private readonly ctx: RegistryContext) {}

  async create (
    actor: Actor, input: { id?: string; gridId: string; name: string; address: string; landlordId?: string; grade?: Grade; location?: Location; timeZone?: string },
  ): Promise<Building> {
    const id = idForNew(actor, input.id, 'b', 'building')
    const timeZone = input.timeZone === undefined ? DEFAULT_TIME_ZONE : checkTimeZone(input.timeZone)
    if (!isValidId(id)) throw new Errors.BadRequest('building id must match ^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$ (it is part of MQTT topics)')
    const grid = await this.ctx.db.query<{ kind: string; path: string }>('select kind, path from areas where id = $1', [input.gridId])
    const g = grid.rows[0]
    if (g === undefined) throw new Errors.NotFound(`area ${input.gridId}`)
    if (g.kind !== 'grid') throw new Errors.BadRequest(`a building belongs to a grid, and ${input.gridId} is a ${g.kind}`)
    let landlordId = input.landlordId ?? null
    if (actor.role === 'landlord') {
      if (landlordId !== null && landlordId !== actor.id) throw new Errors.Forbidden('landlords register their own buildings')
      landlordId = actor.id
    } else if (actor.role === 'grid_worker') {
      if (actor.areaPath === undefined || !g.path.startsWith(actor.areaPath)) throw new Errors.Forbidden('that grid is outside your jurisdiction')
    } else if (actor.role !== 'admin') {
      throw new Errors.Forbidden('your role may not register buildings')
    }
    if (landlordId !== null) {
      const l = await this.ctx.db.query<{ role: string }>('select role from users where id = $1', [landlordId])
      if (l.rows[0]?.role !== 'landlord') throw new Errors.BadRequest(`user ${landlordId} is not a landlord`)
    }
    if (input.grade !== undefined && input.grade !== 'normal' && actor.role !== 'admin') {
      throw new Errors.Forbidden('only police and administrators grade buildings')
    }
    try {
      await this.ctx.db.transaction(async (tx) => {
        await tx.query(
          `insert into buildings (id, grid_id, area_path, landlord_id, name, address, grade, lat, lon, time_zone)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
          [id, input.gridId, g.path, landlordId, input.name, input.address, input.grade ?? 'normal', input.location?.lat ?? null, input.location?.lon ?? null,
            timeZone],
        )
        await appendLedger(tx, actor, 'building.created', { buildingId: id }, { gridId: input.gridId, landlordId })
      })
    } catch (err) {
      if (sqlState(err) === UNIQUE_VIOLATION) throw new Errors.Conflict(`building ${id} already exists`)
      throw err
    }
    this.ctx.events.emit('registryChanged', { kind: 'building', buildingId: id, id })
    return this.get(actor, id)
  }

  async get (actor: Actor, id: string): Promise<Building> {
    return toBuilding(await loadBuilding(this.ctx.db, actor, id, 'building.read'))
  }

  /** The buildings in the actor's scope; `grade`: only those of that grade (houses filed by grade). */
  async list (actor: Actor, o: { grade?: Grade } = {}): Promise<Building[]> {
    const params: unknown[] = []
    const scope = buildingScope(actor, 'building.read', 'b', params)
    if (o.grade !== undefined) params.push(o.grade)
    const r = await this.ctx.db.query<BuildingRow>(
      `${SELECT_BUILDING} where b.removed_at is null and ${scope}${o.grade === undefined ? '' : ` and b.grade = $${params.length}`} order by b.id`, params)
    return r.rows.map(toBuilding)
  }

  async update (
    actor: Actor, id: string, patch: { name?: string; address?: string; grade?: Grade; responsibilitySignedAt?: string | null; location?: Location | null; timeZone?: string },
  ): Promise<Building> {
    const b = await loadBuilding(this.ctx.db, actor, id, 'building.read')
    const sets: string[] = []
    const params: unknown[] = [id]
    const set = (column: string, value: unknown): void => { params.push(value); sets.push(`${column} = $${params.length}`) }
    if (patch.name !== undefined || patch.address !== undefined || patch.responsibilitySignedAt !== undefined || patch.location !== undefined ||
      patch.timeZone !== undefined) {
      if (!can(actor, 'building.manage', b)) throw new Errors.Forbidden(`your role may not edit building ${id}`)
      if (patch.name !== undefined) set('name', patch.name)
      if (patch.address !== undefined) set('address', patch.address)
      if (patch.responsibilitySignedAt !== undefined) set('responsibility_signed_at', patch.responsibilitySignedAt)
      if (patch.location !== undefined) {
        set('lat', patch.location?.lat ?? null)
        set('lon', patch.location?.lon ?? null)
      }
      if (patch.timeZone !== undefined) set('time_zone', checkTimeZone(patch.timeZone))
    }
    if (patch.grade !== undefined) {
      if (!can(actor, 'building.grade', b)) throw new Errors.Forbidden('only police and administrators grade buildings')
      set('grade', patch.grade)
    }
    if (sets.length === 0) throw new Errors.BadRequest('nothing to change')
    await this.ctx.db.transaction(async (tx) => {
      await tx.query(`update buildings set ${sets.join(', ')} where id = $1`, params)
      // A grade set by hand supersedes a grade proposal still waiting (platform/policy/grade-proposals.ts).
      if (patch.grade !== undefined) {
        await tx.query(`update grade_proposals set status = 'superseded', decided_at = $2 where building_id = $1 and status = 'proposed'`, [id, this.ctx.now()])
      }
      await appendLedger(tx, actor, 'building.updated', { buildingId: id }, patch)
    })
    this.ctx.events.emit('registryChanged', { kind: 'building', buildingId: id, id })
    return this.get(actor, id)
  }

  /**
   * Checks that `actor` may remove the building (its landlord, an administrator) and returns the stays still
   * running there. Without `force` a building with any is refused (409 RH_BUILDING_OCCUPIED); only an
   * administrator may force, and ends those stays first (the API does, through registrations and moves).
   */
  async removalPlan (actor: Actor, id: string, force: boolean): Promise<LiveStays> {
    await loadBuilding(this.ctx.db, actor, id, 'building.manage')
    if (force && actor.role !== 'admin') throw new Errors.Forbidden('only administrators may remove a building whose tenants are still registered (force)')
    const stays = await liveStays(this.ctx.db, id)
    if (!force && (stays.active.length > 0 || stays.pending.length > 0)) {
      throw new Errors.BuildingOccupied(`building ${id} still has ${stays.active.length} active and ${stays.pending.length} pending registrations: ` +
        'deregister them (or withdraw the pending ones) first; an administrator may remove it with force=true, which ends them')
    }
    return stays
  }

  /**
   * Takes the building off the platform, in one transaction: its devices are deleted (so disconnected and
   * refused at login), its credentials still active (visitor passes) revoked, and the building marked removed,
   * so that every read treats it as gone. Its stays, ledger and alerts stay as history, the erasure of personal
   * data runs on them as on any ended stay, and its id is never used again. Refused while a stay runs there.
   */
  async remove (actor: Actor, id: string): Promise<RemovedBuilding> {
    const b = await loadBuilding(this.ctx.db, actor, id, 'building.manage')
    const now = this.ctx.now()
    const removed = await this.ctx.db.transaction(async (tx) => {
      const locked = await tx.query('select id from buildings where id = $1 and removed_at is null for update', [id])
      if (locked.rows.length === 0) throw new Errors.NotFound(`building ${id}`)
      // Under the lock: a registration committed after the plan was read still counts.
      const stays = await liveStays(tx, id)
      if (stays.active.length > 0 || stays.pending.length > 0) {
        throw new Errors.BuildingOccupied(`building ${id} still has ${stays.active.length} active and ${stays.pending.length} pending registrations`)
      }
      const passes = await tx.query<{ id: string }>(`select id from credentials where building_id = $1 and status = 'active' order by id`, [id])
      for (const c of passes.rows) await revokeCredentials(tx, actor, { credentialId: c.id }, 'building_removed', now)
      const devices = await tx.query<{ id: string; kind: string; door: string; vendor: string; model: string }>(
        'delete from devices where building_id = $1 returning id, kind, door, vendor, model', [id])
      for (const d of devices.rows) {
        await appendLedger(tx, actor, 'device.removed', { buildingId: id, deviceId: d.id }, { kind: d.kind, door: d.door, vendor: d.vendor, model: d.model, with: 'building' })
      }
      await tx.query('update buildings set removed_at = $2, removed_by = $3 where id = $1', [id, now, actor.id])
      const detail = { name: b.name, landlordId: b.landlord_id, devices: devices.rows.map((d) => d.id), credentialsRevoked: passes.rows.length }
      await appendLedger(tx, actor, 'building.removed', { buildingId: id }, detail)
      await writeAudit(tx, actor, 'building.removed', { type: 'building', id }, detail)
      return { buildingId: id, devices: devices.rows.map((d) => d.id), credentialsRevoked: passes.rows.length }
    })
    for (const deviceId of removed.devices) {
      // No secret matches an empty hash: refused at once, gone from the directory at its next reload.
      this.ctx.events.emit('deviceLoginChanged', { deviceId, buildingId: id, secretHash: '', enabled: false })
      this.ctx.events.emit('deviceCredentialsChanged', deviceId, 'disabled')
    }
    this.ctx.events.emit('registryChanged', { kind: 'building', buildingId: id, id })
    return removed
  }

  async grantVendor (actor: Actor, buildingId: string, vendorId: string): Promise<void> {
    await loadBuilding(this.ctx.db, actor, buildingId, 'building.manage')
    const v = await this.ctx.db.query<{ role: string }>('select role from users where id = $1', [vendorId])
    if (v.rows[0]?.role !== 'vendor') throw new Errors.BadRequest(`user ${vendorId} is not a vendor account`)
    await this.ctx.db.transaction(async (tx) => {
      await tx.query(
        'insert into building_vendors (building_id, vendor_id, granted_by) values ($1, $2, $3) on conflict do nothing',
        [buildingId, vendorId, actor.id])
      await appendLedger(tx, actor, 'building.vendor_granted', { buildingId }, { vendorId })
    })
  }

  async createRoom (actor: Actor, buildingId: string, input: { id?: string; number: string; capacity: number }): Promise<Room> {
    await loadBuilding(this.ctx.db, actor, buildingId, 'building.manage')
    const id = idForNew(actor, input.id, 'r', 'room')
    try {
      await this.ctx.db.transaction(async (tx) => {
        await tx.query('insert into rooms (id, building_id, number, capacity) values ($1, $2, $3, $4)', [id, buildingId, input.number, input.capacity])
        await appendLedger(tx, actor, 'room.created', { buildingId, roomId: id }, { number: input.number, capacity: input.capacity })
      })
    } catch (err) {
      const state = sqlState(err)
      if (state === UNIQUE_VIOLATION) throw new Errors.Conflict(`room ${input.number} or id ${id} already exists`)
      if (state === FOREIGN_KEY_VIOLATION) throw new Errors.NotFound(`building ${buildingId}`)
      throw err
    }
    this.ctx.events.emit('registryChanged', { kind: 'room', buildingId, id })
    return this.getRoom(actor, id)
  }

  async getRoom (actor: Actor, id: string): Promise<Room> {
    return toRoom((await loadRoom(this.ctx.db, actor, id, 'building.read')).room)
  }

  async listRooms (actor: Actor, buildingId: string): Promise<Room[]> {
    await loadBuilding(this.ctx.db, actor, buildingId, 'building.read')
    const r = await this.ctx.db.query<RoomRow>(`${SELECT_ROOM} where r.building_id = $1 order by r.number`, [buildingId])
    return r.rows.map(toRoom)
  }

  async updateRoom (actor: Actor, id: string, patch: { capacity: number }): Promise<Room> {
    const { building } = await loadRoom(this.ctx.db, actor, id, 'building.manage')
    await this.ctx.db.transaction(async (tx) => {
      await tx.query('update rooms set capacity = $2 where id = $1', [id, patch.capacity])
      await appendLedger(tx, actor, 'room.updated', { buildingId: building.id, roomId: id }, patch)
    })
    this.ctx.events.emit('registryChanged', { kind: 'room', buildingId: building.id, id })
    return this.getRoom(actor, id)
  }
}
