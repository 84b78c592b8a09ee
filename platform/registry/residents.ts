// Residents as people: what the registry holds about a person, always with
// the ID number masked, and the one way to read it unmasked. Both reads are
// audited: who looked at whom is personal data's own record. Several
// landlords may have registered one person; each reader is shown the stays
// and the entries (name, phone, ...) of the buildings they may read, never
// another landlord's.

import { Errors } from '../errors.ts'
import { birthDecade } from '../privacy/mask.ts'
import { buildingScope, can, type Actor } from './access.ts'
import { writeAudit } from './audit-log.ts'
import type { BuildingRow } from './buildings.ts'
import { iso, type RegistryContext } from './context.ts'
import { SELECT_REGISTRATION, toRegistration, type Registration, type RegistrationRow, type ResidentSummary } from './registration-rows.ts'
import { detailsFor, type EnteredDetails } from './resident-details.ts'

export interface Resident extends ResidentSummary {
  phone: string | null
  householdAddress: string | null
  employer: string | null
  /** When the first of the registrations the reader may see was recorded. */
  createdAt: string
  /** The latest arrival or departure recorded among them. */
  updatedAt: string
  /** Stays in buildings the reader may see, newest first. */
  registrations: Registration[]
}

interface ResidentRow {
  id: string; name: string; id_type: string; id_masked: string; id_cipher: string; sex: 'male' | 'female' | null
  birth_date: string | null; phone: string | null; household_address: string | null; employer: string | null
  created_at: Date; updated_at: Date; erased_at: Date | null
}

export class Residents {
  constructor (private readonly ctx: RegistryContext) {}

  /**
   * A person, visible when they have (or had, or wait for) a registration in a
   * building the actor may read residents of; name and contact as entered for
   * those registrations.
   */
  async get (actor: Actor, residentId: string): Promise<Resident> {
    const row = await this.load(residentId)
    const params: unknown[] = [residentId]
    const stays = await this.ctx.db.query<RegistrationRow & { phone: string | null; household_address: string | null; employer: string | null }>(
      `select s.*, d.phone, d.household_address, d.employer from (${SELECT_REGISTRATION} where g.resident_id = $1
         and exists (select 1 from buildings b where b.id = g.building_id and ${buildingScope(actor, 'residents.read', 'b', params)})) s
         left join registration_details d on d.registration_id = s.id
       order by s.arrived_at desc, s.id`, params)
    if (stays.rows.length === 0) throw new Errors.NotFound(`resident ${residentId}`)
    await writeAudit(this.ctx.db, actor, 'resident.read', { type: 'resident', id: residentId })
    const entries: EnteredDetails[] = stays.rows.map((g) => ({
      name: g.name, phone: g.phone, householdAddress: g.household_address, employer: g.employer, status: g.status, arrivedAt: g.arrived_at,
    }))
    const recorded = stays.rows.map((g) => new Date(g.created_at).getTime())
    const departed = stays.rows.flatMap((g) => g.departed_at === null ? [] : [new Date(g.departed_at).getTime()])
    return {
      id: row.id,
      idType: row.id_type,
      idNumberMasked: row.id_masked,
      sex: row.sex,
      birthDecade: birthDecade(row.birth_date),
      ...detailsFor(entries),
      createdAt: iso(new Date(Math.min(...recorded))),
      updatedAt: iso(new Date(Math.max(...recorded, ...departed))),
      registrations: stays.rows.map(toRegistration),
    }
  }

  /**
   * The unmasked ID number. Needs the national_id.reveal permission on a
   * building where the person has or had a stay, and a stated reason; every
   * read, allowed or refused, is written to the audit log.
   */
  async revealIdNumber (actor: Actor, residentId: string, reason: string): Promise<{ idType: string; idNumber: string }> {
    const subject = { type: 'resident', id: residentId }
    if (reason.trim().length < 4) throw new Errors.BadRequest('state why you need the unmasked number (reason, at least 4 characters)')
    const row = await this.load(residentId).catch(async (err: unknown) => {
      await writeAudit(this.ctx.db, actor, 'resident.id_number.denied', subject, { reason, why: 'not found' })
      throw err
    })
    const buildings = await this.ctx.db.query<BuildingRow>(
      `select b.* from buildings b where exists (select 1 from registrations g where g.building_id = b.id and g.resident_id = $1)`, [residentId])
    const readable = buildings.rows.some((b) => can(actor, 'residents.read', b))
    const allowed = buildings.rows.some((b) => can(actor, 'national_id.reveal', b))
    if (!allowed) {
      await writeAudit(this.ctx.db, actor, 'resident.id_number.denied', subject, { reason })
      if (!readable) throw new Errors.NotFound(`resident ${residentId}`)
      throw new Errors.Forbidden('reading an unmasked ID number needs the police or administrator role for this jurisdiction')
    }
    if (row.erased_at !== null) {
      await writeAudit(this.ctx.db, actor, 'resident.id_number.denied', subject, { reason, why: 'erased' })
      throw new Errors.Conflict(`this person's data was erased on ${iso(row.erased_at)}, after the retention period`)
    }
    await writeAudit(this.ctx.db, actor, 'resident.id_number.read', subject, { reason })
    return { idType: row.id_type, idNumber: this.ctx.vault.decrypt(row.id_cipher) }
  }

  private async load (residentId: string): Promise<ResidentRow> {
    const r = await this.ctx.db.query<ResidentRow>('select * from residents where id = $1', [residentId])
    if (r.rows.length === 0) throw new Errors.NotFound(`resident ${residentId}`)
    return r.rows[0]!
  }
}
