// "Register on arrival, deregister on departure." Registering a resident into
// a room records the stay, issues their credentials and pushes the allow-list
// change to the building's readers; deregistering closes the stay and revokes
// the credentials the same way. Both leave a trail in the ledger. A person
// still registered where the registering person may not change anything is
// not moved by them: the registration waits as pending for that side to
// confirm the move (moves.ts).

import type { PermitType } from '../../contract/schemas/registry.ts'
import { Errors } from '../errors.ts'
import { maskIdNumber } from '../privacy/mask.ts'
import { validateIdNumber, type IdType } from '../privacy/national-id.ts'
import type { Queryable } from '../store/database.ts'
import { buildingScope, can, type Actor } from './access.ts'
import { writeAudit } from './audit-log.ts'
import { buildingRef, loadBuilding, loadRoom, notFoundAs } from './buildings.ts'
import { announceAllowlist, iso, newId, type AllowlistChange, type RegistryContext } from './context.ts'
import {
  bumpAllowlist, insertCredential, revokeCredentials, toCredential, UNIQUE_EVERYWHERE, viewerOf,
  type Credential, type CredentialInput, type CredentialKind, type CredentialRow,
} from './credentials.ts'
import { appendLedger, ledgerActor } from './ledger.ts'
import type { Move } from './move-view.ts'
import { Moves, requestMove, settleMovesFrom } from './moves.ts'
import {
  loadRegistration, SELECT_REGISTRATION, toRegistration,
  type Registration, type RegistrationRow, type RegistrationStatus,
} from './registration-rows.ts'
import { adoptDetails, recordDetails } from './resident-details.ts'
import { checkPermit, returnToRegister } from './permits.ts'
import { closeStay, lockStay, stayRefs, type StayRef } from './stays.ts'

export type { Registration, RegistrationStatus, ResidentSummary } from './registration-rows.ts'

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
  permitType?: PermitType
  leaseUntil?: string
  minors?: number
  credentials?: CredentialInput[]
}

export interface RegisterResult {
  registration: Registration
  credentials: Credential[]
  /** Active registrations in the room now exceed its capacity (for a pending one: would, once it is active). */
  overCapacity: boolean
  /** The stay this registration closed, when the person was still registered elsewhere and the actor may change that stay. */
  closedRegistrationId: string | null
  /** The move the registration waits for, when the person is registered where the actor may not change anything. */
  move: Move | null
}

/** Why a pending copy of a revoked card was revoked, as its own building reads it. */
const PENDING_COPY_REVOKED = 'revoked where the same credential was active'

export class Registrations {
  private readonly moves: Moves

  constructor (private readonly ctx: RegistryContext) {
    this.moves = new Moves(ctx)
  }

  async register (actor: Actor, roomId: string, input: RegisterInput): Promise<RegisterResult> {
    const id = validateIdNumber(input.resident.idType, input.resident.idNumber, this.ctx.now())
    if (!id.ok) throw new Errors.InvalidIdNumber(id.message)
    const now = this.ctx.now()
    const arrivedAt = input.arrivedAt === undefined ? now : new Date(input.arrivedAt)
    if (arrivedAt.getTime() > now.getTime() + 60_000) throw new Errors.BadRequest('arrivedAt is in the future')
    const kinds = (input.credentials ?? []).map((c) => c.kind)
    if (new Set(kinds).size !== kinds.length) throw new Errors.BadRequest('at most one credential of each kind per registration')
    const changes: AllowlistChange[] = []
    const touched = new Set<string>()
    const { result, moveId } = await this.ctx.db.transaction(async (tx) => {
      const { building } = await loadRoom(tx, actor, roomId, 'residents.write')
      checkPermit(input, building.time_zone, now, false)
      // Registrations into one room take turns, so each counts the ones before it.
      const locked = await tx.query<{ capacity: number }>('select capacity from rooms where id = $1 for update', [roomId])
      const residentId = await this.findOrCreateResident(tx, input.resident, id.normalized, id.sex ?? null, id.birthDate ?? null)
      const previous = await tx.query<StayRef & { arrived_at: Date }>(
        `select id, room_id, building_id, resident_id, arrived_at from registrations where resident_id = $1 and status = 'active' for update`, [residentId])
      const prev = previous.rows[0]
      if (prev?.room_id === roomId) throw new Errors.Conflict('this person is already registered in this room')
      const waiting = await tx.query(`select 1 from registrations where resident_id = $1 and room_id = $2 and status = 'pending'`, [residentId, roomId])
      if (waiting.rows.length > 0) throw new Errors.Conflict('a registration of this person in this room already waits for their move')
      // Whoever may change the stay the person is in moves them at once; anyone else waits for that stay's side.
      const pending = prev !== undefined && !can(actor, 'residents.write', await buildingRef(tx, prev.building_id))
      let closedRegistrationId: string | null = null
      if (prev !== undefined && !pending) {
        if (arrivedAt.getTime() < new Date(prev.arrived_at).getTime()) {
          throw new Errors.BadRequest(`arrivedAt is before the start of this person's current stay (${iso(prev.arrived_at)}), which it would end`)
        }
        // The registry follows the person: their old stay ends where the new one starts.
        const change = await closeStay(tx, actor, prev, { reason: 'registered_elsewhere', at: arrivedAt })
        if (change !== null) changes.push(change)
        touched.add(prev.building_id)
        closedRegistrationId = prev.id
      }
      const stay: StayRef = { id: newId('g'), room_id: roomId, building_id: building.id, resident_id: residentId }
      await tx.query(
        `insert into registrations (id, resident_id, room_id, building_id, arrived_at, permit_valid_until, permit_type, lease_until, minors, registered_by, status)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [stay.id, residentId, roomId, building.id, arrivedAt, input.permitValidUntil ?? null, input.permitType ?? null, input.leaseUntil ?? null,
          input.minors ?? 0, actor.id, pending ? 'pending' : 'active'],
      )
      // Someone lives here again: a room (and house) taken off the rental register as vacant is back on it.
      await returnToRegister(tx, actor, building.id, roomId)
      await recordDetails(tx, stay.id, input.resident)
      let moveId: string | null = null
      if (prev !== undefined && pending) {
        moveId = await requestMove(this.ctx, tx, actor, prev, stay, now)
        await appendLedger(tx, actor, 'registration.pending', stayRefs(stay), { arrivedAt: arrivedAt.toISOString(), moveId })
      } else {
        await appendLedger(tx, actor, 'registration.arrived', stayRefs(stay), { arrivedAt: arrivedAt.toISOString() })
        await adoptDetails(tx, residentId, stay.id, now)
      }
      const issued: CredentialRow[] = []
      for (const c of input.credentials ?? []) {
        issued.push(await insertCredential(tx, this.ctx.secrets, actor, { buildingId: building.id, roomId, registrationId: stay.id, residentId }, c, pending))
      }
      // Pending credentials reach no reader: the allow-list moves when the registration becomes active.
      if (issued.length > 0 && !pending) changes.push(await bumpAllowlist(tx, building.id, issued, []))
      if (prev !== undefined && !pending) changes.push(...await settleMovesFrom(this.ctx, tx, actor, prev, now))
      const registration = await loadRegistration(tx, stay.id)
      const occupants = await tx.query<{ n: number }>(
        `select count(*)::int as n from registrations where room_id = $1 and status = 'active'`, [roomId])
      touched.add(building.id)
      const result: RegisterResult = {
        registration,
        credentials: issued.map((c) => toCredential(c, viewerOf(actor, building))),
        overCapacity: occupants.rows[0]!.n + (pending ? 1 : 0) > locked.rows[0]!.capacity,
        closedRegistrationId,
        move: null,
      }
      return { moveId, result }
    })
    this.publish(changes, touched, result.registration.id)
    if (moveId !== null) result.move = await this.moves.current(actor, moveId)
    return result
  }

  async deregister (actor: Actor, registrationId: string, input: { reason: string; departedAt?: string }): Promise<Registration> {
    const at = input.departedAt === undefined ? this.ctx.now() : new Date(input.departedAt)
    const changes: AllowlistChange[] = []
    const touched = new Set<string>()
    const registration = await this.ctx.db.transaction(async (tx) => {
      const row = await this.loadScoped(tx, actor, registrationId, 'residents.write')
      // Locked, and its status read under the lock: a move confirmed meanwhile may have ended the stay.
      const stay = await lockStay(tx, registrationId)
      if (stay.status === 'pending') {
        throw new Errors.Conflict('this registration waits for the person\'s move; withdraw it instead (POST /moves/{id}/withdraw)')
      }
      if (stay.status !== 'active') throw new Errors.Conflict('this registration has already ended')
      if (at.getTime() < new Date(row.arrivedAt).getTime()) throw new Errors.BadRequest('departedAt is before the arrival')
      const change = await closeStay(tx, actor, stay, { reason: input.reason, at })
      if (change !== null) changes.push(change)
      // A move waiting on this stay can now take effect.
      const settled = await settleMovesFrom(this.ctx, tx, actor, stay, this.ctx.now())
      changes.push(...settled)
      for (const c of [change, ...settled]) if (c !== null) touched.add(c.buildingId)
      touched.add(row.buildingId)
      return loadRegistration(tx, registrationId)
    })
    this.publish(changes, touched, registrationId)
    return registration
  }

  /**
   * A renewed permit: its new end (and type), in the ledger. The readers' entries carry the permit's end, so
   * the registration's credentials are pushed again; where the permit had lapsed, they return to the readers.
   */
  async renew (actor: Actor, registrationId: string, input: { permitValidUntil: string; permitType?: PermitType; leaseUntil?: string }): Promise<Registration> {
    let change: AllowlistChange | null = null
    const registration = await this.ctx.db.transaction(async (tx) => {
      // Locked first: the job that lapses permits and a move ending the stay take their turn.
      await tx.query('select id from registrations where id = $1 for update', [registrationId])
      const { reg: row, building } = await this.loadScopedIn(tx, actor, registrationId, 'residents.write')
      if (row.status !== 'active' && row.status !== 'pending') throw new Errors.Conflict('a registration that has ended cannot be renewed')
      const type = input.permitType ?? row.permitType ?? undefined
      checkPermit({ permitValidUntil: input.permitValidUntil, permitType: type }, building.time_zone, this.ctx.now(), true)
      await tx.query(
        `update registrations set permit_valid_until = $2, permit_type = $3, lease_until = coalesce($4, lease_until), permit_lapsed_at = null where id = $1`,
        [registrationId, input.permitValidUntil, type ?? null, input.leaseUntil ?? null])
      const refs = { buildingId: row.buildingId, roomId: row.roomId, registrationId, residentId: row.resident.id }
      await appendLedger(tx, actor, 'registration.renewed', refs, { ...input, ...(type === undefined ? {} : { permitType: type }) })
      if (row.permitLapsedAt !== null) {
        await appendLedger(tx, actor, 'registration.permit_restored', refs, { permitValidUntil: input.permitValidUntil })
        await writeAudit(tx, actor, 'permit.restored', { type: 'registration', id: registrationId }, { permitValidUntil: input.permitValidUntil })
      }
      if (row.status === 'active') {
        const active = await tx.query<CredentialRow>(`select * from credentials where registration_id = $1 and status = 'active' order by id`, [registrationId])
        if (active.rows.length > 0) change = await bumpAllowlist(tx, row.buildingId, active.rows, [])
      }
      return loadRegistration(tx, registrationId)
    })
    this.publish(change === null ? [] : [change], new Set([registration.buildingId]), registration.id)
    return registration
  }

  /** Another credential; for a pending registration it waits with it, on no reader. */
  async issueCredential (actor: Actor, registrationId: string, input: CredentialInput): Promise<Credential> {
    let change: AllowlistChange | undefined
    const credential = await this.ctx.db.transaction(async (tx) => {
      const { reg: row, building } = await this.loadScopedIn(tx, actor, registrationId, 'residents.write')
      if (row.status !== 'active' && row.status !== 'pending') throw new Errors.Conflict('credentials are issued only to active or pending registrations')
      const pending = row.status === 'pending'
      const c = await insertCredential(tx, this.ctx.secrets, actor,
        { buildingId: row.buildingId, roomId: row.roomId, registrationId, residentId: row.resident.id }, input, pending)
      if (!pending) change = await bumpAllowlist(tx, row.buildingId, [c], [])
      return toCredential(c, viewerOf(actor, building))
    })
    this.publish(change === undefined ? [] : [change], new Set([credential.buildingId]), credential.id)
    return credential
  }

  async revokeCredential (actor: Actor, credentialId: string, reason: string): Promise<Credential> {
    let change: AllowlistChange | undefined
    let copies: CredentialRow[] = []
    const credential = await this.ctx.db.transaction(async (tx) => {
      const c = await tx.query<CredentialRow>('select * from credentials where id = $1', [credentialId])
      const row = c.rows[0]
      if (row === undefined) throw new Errors.NotFound(`credential ${credentialId}`)
      const building = await notFoundAs(loadBuilding(tx, actor, row.building_id, 'residents.write'), `credential ${credentialId}`)
      if (row.status === 'revoked') throw new Errors.Conflict('this credential is already revoked')
      const from = row.status
      const revoked = await revokeCredentials(tx, actor, { credentialId }, reason, this.ctx.now(), { from })
      if (revoked.length === 0) throw new Errors.Conflict('this credential is already revoked')
      // A pending credential was never on a reader: nothing to take off.
      if (from === 'active') {
        change = await bumpAllowlist(tx, row.building_id, [], revoked)
        copies = await this.revokePendingCopies(tx, actor, row)
      }
      return toCredential(revoked[0]!, viewerOf(actor, building))
    })
    this.publish(change === undefined ? [] : [change], new Set([credential.buildingId, ...copies.map((c) => c.building_id)]), credential.id)
    return credential
  }

  // Reads of stays show a person: each request is audited once (not once per row returned).

  async get (actor: Actor, registrationId: string): Promise<Registration> {
    const registration = await this.loadScoped(this.ctx.db, actor, registrationId, 'residents.read')
    await writeAudit(this.ctx.db, actor, 'registration.read', { type: 'registration', id: registrationId })
    return registration
  }

  async credentials (actor: Actor, registrationId: string): Promise<Credential[]> {
    const { building } = await this.loadScopedIn(this.ctx.db, actor, registrationId, 'residents.read')
    const r = await this.ctx.db.query<CredentialRow>('select * from credentials where registration_id = $1 order by issued_at, id', [registrationId])
    await writeAudit(this.ctx.db, actor, 'registration.credentials.read', { type: 'registration', id: registrationId }, { returned: r.rows.length })
    return r.rows.map((c) => toCredential(c, viewerOf(actor, building)))
  }

  /** Registrations in scope, newest arrival first. */
  async list (actor: Actor, filter: { buildingId?: string; roomId?: string; status?: RegistrationStatus; limit?: number }): Promise<Registration[]> {
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

  /**
   * The person by the keyed hash of their ID number, or a new record with
   * this entry. An existing record is not rewritten here: it takes an entry
   * only when that registration becomes the person's current stay.
   */
  private async findOrCreateResident (tx: Queryable, input: ResidentInput, normalized: string, sex: 'male' | 'female' | null, birthDate: string | null): Promise<string> {
    const hash = this.ctx.vault.hash(input.idType, normalized)
    const existing = await tx.query<{ id: string }>('select id from residents where id_hash = $1 for update', [hash])
    const found = existing.rows[0]
    if (found !== undefined) return found.id
    const id = newId('p')
    await tx.query(
      `insert into residents (id, name, id_type, id_hash, id_cipher, id_masked, sex, birth_date, phone, household_address, employer)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [id, input.name, input.idType, hash, this.ctx.vault.encrypt(normalized), maskIdNumber(input.idType, normalized), sex, birthDate,
        input.phone ?? null, input.householdAddress ?? null, input.employer ?? null])
    return id
  }

  /**
   * A card or QR token revoked while active (lost, stolen, ...) is revoked in
   * the pending registrations of the same person too, where it waits for a
   * move: it would otherwise reach those readers when the move takes effect.
   * Their ledgers record a reason of their own, not the words of the side
   * that revoked it.
   */
  private async revokePendingCopies (tx: Queryable, actor: Actor, revoked: CredentialRow): Promise<CredentialRow[]> {
    if (!UNIQUE_EVERYWHERE.has(revoked.kind) || revoked.registration_id === null) return []
    const r = await tx.query<{ id: string; building_id: string }>(
      `select c.id, c.building_id from credentials c join registrations g on g.id = c.registration_id
        where c.kind = $1 and c.value = $2 and c.status = 'pending'
          and g.resident_id = (select resident_id from registrations where id = $3) order by c.id for update of c`,
      [revoked.kind, revoked.value, revoked.registration_id])
    const copies: CredentialRow[] = []
    for (const c of r.rows) {
      copies.push(...await revokeCredentials(tx, actor, { credentialId: c.id }, PENDING_COPY_REVOKED, this.ctx.now(),
        { from: 'pending', ledgerAs: ledgerActor(actor, await buildingRef(tx, c.building_id)) }))
    }
    return copies
  }

  private async loadScoped (q: Queryable, actor: Actor, registrationId: string, permission: 'residents.read' | 'residents.write'): Promise<Registration> {
    return (await this.loadScopedIn(q, actor, registrationId, permission)).reg
  }

  /** The registration and its building, if the caller may do `permission` there. */
  private async loadScopedIn (q: Queryable, actor: Actor, registrationId: string, permission: 'residents.read' | 'residents.write') {
    const reg = await loadRegistration(q, registrationId)
    return { reg, building: await notFoundAs(loadBuilding(q, actor, reg.buildingId, permission), `registration ${registrationId}`) }
  }

  /** After the commit: allow-list changes to the readers, and every building touched to the caches. */
  private publish (changes: AllowlistChange[], buildings: ReadonlySet<string>, id: string): void {
    for (const c of changes) announceAllowlist(this.ctx.events, c)
    for (const buildingId of buildings) this.ctx.events.emit('registryChanged', { kind: 'registration', buildingId, id })
  }
}

export type { CredentialKind }
