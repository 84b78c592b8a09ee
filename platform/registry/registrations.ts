// "Register on arrival, deregister on departure." Registering a resident into
// a room records the stay, issues their credentials and pushes the allow-list
// change to the building's readers; deregistering closes the stay and revokes
// the credentials the same way. Both leave a trail in the ledger.

import { Errors } from '../errors.ts'
import { birthDecade, maskIdNumber } from '../privacy/mask.ts'
import { validateIdNumber, type IdType } from '../privacy/national-id.ts'
import type { Queryable } from '../store/database.ts'
import { buildingScope, type Actor } from './access.ts'
import { writeAudit } from './audit-log.ts'
import { loadBuilding, loadRoom, notFoundAs } from './buildings.ts'
import { announceAllowlist, iso, newId, type AllowlistChange, type RegistryContext } from './context.ts'
import {
  bumpAllowlist, insertCredential, revokeCredentials, toCredential,
  type Credential, type CredentialInput, type CredentialKind, type CredentialRow,
} from './credentials.ts'
import { appendLedger } from './ledger.ts'

export interface ResidentInput {
  name: string
  idType: IdType
  idNumber: string
  phone?: string
  householdAddress?: string
  employer?: string
}

export interface RegisterInput {
  resident: ResidentInput
  arrivedAt?: string
  permitValidUntil?: string
  leaseUntil?: string
  minors?: number
  credentials?: CredentialInput[]
}

export interface ResidentSummary {
  id: string
  name: string
  idType: string
  /** Always masked so that it leaves a million candidates, e.g. 44****************; see privacy/mask.ts. */
  idNumberMasked: string
  sex: 'male' | 'female' | null
  /** First year of the birth decade (1990 for 1993-07-14); the date itself comes only with the audited reveal. */
  birthDecade: number | null
}

export interface Registration {
  id: string
  buildingId: string
  roomId: string
  roomNumber: string
  status: 'active' | 'departed'
  arrivedAt: string
  permitValidUntil: string | null
  leaseUntil: string | null
  minors: number
  departedAt: string | null
  departureReason: string | null
  resident: ResidentSummary
}

export interface RegisterResult {
  registration: Registration
  credentials: Credential[]
  /** Active registrations in the room now exceed its capacity. */
  overCapacity: boolean
  /** The stay this registration closed, when the person was still registered elsewhere. */
  closedRegistrationId: string | null
}

interface RegistrationRow {
  id: string; building_id: string; room_id: string; room_number: string; status: 'active' | 'departed'; arrived_at: Date
  permit_valid_until: string | null; lease_until: string | null; minors: number; departed_at: Date | null
  departure_reason: string | null; resident_id: string; name: string; id_type: string; id_masked: string
  sex: 'male' | 'female' | null; birth_date: string | null
}

export const SELECT_REGISTRATION = `select g.*, r.number as room_number, p.name, p.id_type, p.id_masked, p.sex, p.birth_date
  from registrations g join rooms r on r.id = g.room_id join residents p on p.id = g.resident_id`

export const toRegistration = (r: RegistrationRow): Registration => ({
  id: r.id,
  buildingId: r.building_id,
  roomId: r.room_id,
  roomNumber: r.room_number,
  status: r.status,
  arrivedAt: iso(r.arrived_at),
  permitValidUntil: r.permit_valid_until,
  leaseUntil: r.lease_until,
  minors: r.minors,
  departedAt: iso(r.departed_at),
  departureReason: r.departure_reason,
  resident: {
    id: r.resident_id, name: r.name, idType: r.id_type, idNumberMasked: r.id_masked, sex: r.sex, birthDecade: birthDecade(r.birth_date),
  },
})

export class Registrations {
  constructor (private readonly ctx: RegistryContext) {}

  async register (actor: Actor, roomId: string, input: RegisterInput): Promise<RegisterResult> {
    const id = validateIdNumber(input.resident.idType, input.resident.idNumber, this.ctx.now())
    if (!id.ok) throw new Errors.InvalidIdNumber(id.message)
    const now = this.ctx.now()
    const arrivedAt = input.arrivedAt === undefined ? now : new Date(input.arrivedAt)
    if (arrivedAt.getTime() > now.getTime() + 60_000) throw new Errors.BadRequest('arrivedAt is in the future')
    const kinds = (input.credentials ?? []).map((c) => c.kind)
    if (new Set(kinds).size !== kinds.length) throw new Errors.BadRequest('at most one credential of each kind per registration')
    const changes: AllowlistChange[] = []
    const result = await this.ctx.db.transaction(async (tx) => {
      const { building } = await loadRoom(tx, actor, roomId, 'residents.write')
      // Registrations into one room take turns, so each counts the ones before it.
      const locked = await tx.query<{ capacity: number }>('select capacity from rooms where id = $1 for update', [roomId])
      const residentId = await this.upsertResident(tx, input.resident, id.normalized, id.sex ?? null, id.birthDate ?? null)
      const previous = await tx.query<{ id: string; room_id: string; building_id: string; arrived_at: Date }>(
        `select id, room_id, building_id, arrived_at from registrations where resident_id = $1 and status = 'active' for update`, [residentId])
      let closedRegistrationId: string | null = null
      const prev = previous.rows[0]
      if (prev !== undefined) {
        if (prev.room_id === roomId) throw new Errors.Conflict('this person is already registered in this room')
        if (arrivedAt.getTime() < new Date(prev.arrived_at).getTime()) {
          throw new Errors.BadRequest(`arrivedAt is before the start of this person's current stay (${iso(prev.arrived_at)}), which it would end`)
        }
        // The registry follows the person: their old stay ends where the new one starts.
        const change = await this.close(tx, actor, prev, { reason: 'registered_elsewhere', at: arrivedAt })
        if (change !== null) changes.push(change)
        closedRegistrationId = prev.id
      }
      const registrationId = newId('g')
      await tx.query(
        `insert into registrations (id, resident_id, room_id, building_id, arrived_at, permit_valid_until, lease_until, minors, registered_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [registrationId, residentId, roomId, building.id, arrivedAt, input.permitValidUntil ?? null, input.leaseUntil ?? null,
          input.minors ?? 0, actor.id],
      )
      await appendLedger(tx, actor, 'registration.arrived',
        { buildingId: building.id, roomId, residentId, registrationId }, { arrivedAt: arrivedAt.toISOString() })
      const issued: CredentialRow[] = []
      for (const c of input.credentials ?? []) {
        issued.push(await insertCredential(tx, this.ctx.secrets, actor, { buildingId: building.id, roomId, registrationId, residentId }, c))
      }
      if (issued.length > 0) changes.push(await bumpAllowlist(tx, building.id, issued, []))
      const registration = await this.load(tx, registrationId)
      const occupants = await tx.query<{ n: number }>(
        `select count(*)::int as n from registrations where room_id = $1 and status = 'active'`, [roomId])
      return {
        registration,
        credentials: issued.map(toCredential),
        overCapacity: occupants.rows[0]!.n > locked.rows[0]!.capacity,
        closedRegistrationId,
      }
    })
    this.publish(changes, result.registration)
    return result
  }

  async deregister (actor: Actor, registrationId: string, input: { reason: string; departedAt?: string }): Promise<Registration> {
    const at = input.departedAt === undefined ? this.ctx.now() : new Date(input.departedAt)
    const changes: AllowlistChange[] = []
    const registration = await this.ctx.db.transaction(async (tx) => {
      const row = await this.loadScoped(tx, actor, registrationId, 'residents.write')
      if (row.status !== 'active') throw new Errors.Conflict('this registration has already ended')
      if (at.getTime() < new Date(row.arrivedAt).getTime()) throw new Errors.BadRequest('departedAt is before the arrival')
      const change = await this.close(tx, actor, { id: row.id, room_id: row.roomId, building_id: row.buildingId }, { reason: input.reason, at })
      if (change !== null) changes.push(change)
      return this.load(tx, registrationId)
    })
    this.publish(changes, registration)
    return registration
  }

  async renew (actor: Actor, registrationId: string, input: { permitValidUntil: string; leaseUntil?: string }): Promise<Registration> {
    const registration = await this.ctx.db.transaction(async (tx) => {
      const row = await this.loadScoped(tx, actor, registrationId, 'residents.write')
      if (row.status !== 'active') throw new Errors.Conflict('a registration that has ended cannot be renewed')
      await tx.query('update registrations set permit_valid_until = $2, lease_until = coalesce($3, lease_until) where id = $1',
        [registrationId, input.permitValidUntil, input.leaseUntil ?? null])
      await appendLedger(tx, actor, 'registration.renewed', { buildingId: row.buildingId, roomId: row.roomId, registrationId, residentId: row.resident.id }, input)
      return this.load(tx, registrationId)
    })
    this.ctx.events.emit('registryChanged', { kind: 'registration', buildingId: registration.buildingId, id: registration.id })
    return registration
  }

  async issueCredential (actor: Actor, registrationId: string, input: CredentialInput): Promise<Credential> {
    let change: AllowlistChange | undefined
    const credential = await this.ctx.db.transaction(async (tx) => {
      const row = await this.loadScoped(tx, actor, registrationId, 'residents.write')
      if (row.status !== 'active') throw new Errors.Conflict('credentials are issued only to active registrations')
      const c = await insertCredential(tx, this.ctx.secrets, actor,
        { buildingId: row.buildingId, roomId: row.roomId, registrationId, residentId: row.resident.id }, input)
      change = await bumpAllowlist(tx, row.buildingId, [c], [])
      return toCredential(c)
    })
    if (change !== undefined) this.publish([change], null)
    return credential
  }

  async revokeCredential (actor: Actor, credentialId: string, reason: string): Promise<Credential> {
    let change: AllowlistChange | undefined
    const credential = await this.ctx.db.transaction(async (tx) => {
      const c = await tx.query<CredentialRow>('select * from credentials where id = $1', [credentialId])
      const row = c.rows[0]
      if (row === undefined) throw new Errors.NotFound(`credential ${credentialId}`)
      await notFoundAs(loadBuilding(tx, actor, row.building_id, 'residents.write'), `credential ${credentialId}`)
      const revoked = await revokeCredentials(tx, actor, { credentialId }, reason, this.ctx.now())
      if (revoked.length === 0) throw new Errors.Conflict('this credential is already revoked')
      change = await bumpAllowlist(tx, row.building_id, [], revoked)
      return toCredential(revoked[0]!)
    })
    if (change !== undefined) this.publish([change], null)
    return credential
  }

  // Reads of stays show a person: each request is audited once (not once per row returned).

  async get (actor: Actor, registrationId: string): Promise<Registration> {
    const registration = await this.loadScoped(this.ctx.db, actor, registrationId, 'residents.read')
    await writeAudit(this.ctx.db, actor, 'registration.read', { type: 'registration', id: registrationId })
    return registration
  }

  async credentials (actor: Actor, registrationId: string): Promise<Credential[]> {
    await this.loadScoped(this.ctx.db, actor, registrationId, 'residents.read')
    const r = await this.ctx.db.query<CredentialRow>('select * from credentials where registration_id = $1 order by issued_at, id', [registrationId])
    await writeAudit(this.ctx.db, actor, 'registration.credentials.read', { type: 'registration', id: registrationId }, { returned: r.rows.length })
    return r.rows.map(toCredential)
  }

  /** Registrations in scope, newest arrival first. */
  async list (actor: Actor, filter: { buildingId?: string; roomId?: string; status?: 'active' | 'departed'; limit?: number }): Promise<Registration[]> {
    if (filter.roomId !== undefined) await loadRoom(this.ctx.db, actor, filter.roomId, 'residents.read')
    else if (filter.buildingId !== undefined) await loadBuilding(this.ctx.db, actor, filter.buildingId, 'residents.read')
    const params: unknown[] = []
    const where = [`exists (select 1 from buildings b where b.id = g.building_id and ${buildingScope(actor, 'residents.read', 'b', params)})`]
    const add = (sql: string, v: unknown): void => { params.push(v); where.push(sql.replace('?', `$${params.length}`)) }
    if (filter.buildingId !== undefined) add('g.building_id = ?', filter.buildingId)
    if (filter.roomId !== undefined) add('g.room_id = ?', filter.roomId)
    if (filter.status !== undefined) add('g.status = ?', filter.status)
    params.push(Math.min(filter.limit ?? 200, 1000))
    const r = await this.ctx.db.query<RegistrationRow>(
      `${SELECT_REGISTRATION} where ${where.join(' and ')} order by g.arrived_at desc, g.id limit $${params.length}`, params)
    const subject = filter.roomId !== undefined ? { type: 'room', id: filter.roomId } : filter.buildingId !== undefined ? { type: 'building', id: filter.buildingId } : null
    await writeAudit(this.ctx.db, actor, 'registrations.list', subject, { status: filter.status ?? null, returned: r.rows.length })
    return r.rows.map(toRegistration)
  }

  // ---------------------------------------------------------------- internals

  private async upsertResident (tx: Queryable, input: ResidentInput, normalized: string, sex: 'male' | 'female' | null, birthDate: string | null): Promise<string> {
    const hash = this.ctx.vault.hash(input.idType, normalized)
    const existing = await tx.query<{ id: string }>('select id from residents where id_hash = $1 for update', [hash])
    const found = existing.rows[0]
    if (found !== undefined) {
      await tx.query(
        `update residents set name = $2, phone = coalesce($3, phone), household_address = coalesce($4, household_address),
           employer = coalesce($5, employer), updated_at = now() where id = $1`,
        [found.id, input.name, input.phone ?? null, input.householdAddress ?? null, input.employer ?? null])
      return found.id
    }
    const id = newId('p')
    await tx.query(
      `insert into residents (id, name, id_type, id_hash, id_cipher, id_masked, sex, birth_date, phone, household_address, employer)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [id, input.name, input.idType, hash, this.ctx.vault.encrypt(normalized), maskIdNumber(input.idType, normalized), sex, birthDate,
        input.phone ?? null, input.householdAddress ?? null, input.employer ?? null])
    return id
  }

  /** Ends an active stay and revokes its credentials. */
  private async close (tx: Queryable, actor: Actor, reg: { id: string; room_id: string; building_id: string }, how: { reason: string; at: Date }): Promise<AllowlistChange | null> {
    await tx.query(
      `update registrations set status = 'departed', departed_at = $2, departure_reason = $3, deregistered_by = $4 where id = $1`,
      [reg.id, how.at, how.reason, actor.id])
    await appendLedger(tx, actor, 'registration.departed',
      { buildingId: reg.building_id, roomId: reg.room_id, registrationId: reg.id }, { reason: how.reason, departedAt: how.at.toISOString() })
    const revoked = await revokeCredentials(tx, actor, { registrationId: reg.id }, `departed: ${how.reason}`, how.at)
    return revoked.length > 0 ? bumpAllowlist(tx, reg.building_id, [], revoked) : null
  }

  private async load (q: Queryable, registrationId: string): Promise<Registration> {
    const r = await q.query<RegistrationRow>(`${SELECT_REGISTRATION} where g.id = $1`, [registrationId])
    if (r.rows.length === 0) throw new Errors.NotFound(`registration ${registrationId}`)
    return toRegistration(r.rows[0]!)
  }

  private async loadScoped (q: Queryable, actor: Actor, registrationId: string, permission: 'residents.read' | 'residents.write'): Promise<Registration> {
    const reg = await this.load(q, registrationId)
    await notFoundAs(loadBuilding(q, actor, reg.buildingId, permission), `registration ${registrationId}`)
    return reg
  }

  private publish (changes: AllowlistChange[], registration: Registration | null): void {
    for (const c of changes) announceAllowlist(this.ctx.events, c)
    if (registration !== null) {
      this.ctx.events.emit('registryChanged', { kind: 'registration', buildingId: registration.buildingId, id: registration.id })
    }
  }
}

export type { CredentialKind }
