// A registration as the API shows it, and how it is read from the database:
// the stay, its room, and the person as the registering side entered them
// (their own entry, never another landlord's), ID number masked.

import type { PermitType } from '../../contract/schemas/registry.ts'
import type { RegistrationStatus } from '../../contract/vocabulary.ts'
import { Errors } from '../errors.ts'
import { birthDecade } from '../privacy/mask.ts'
import type { Queryable } from '../store/database.ts'
import { iso } from './context.ts'

/** pending: waits for a move to be confirmed; cancelled: a pending registration that never became a stay. */
export type { RegistrationStatus }

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
  status: RegistrationStatus
  arrivedAt: string
  permitValidUntil: string | null
  permitType: PermitType | null
  permitLapsedAt: string | null
  leaseUntil: string | null
  minors: number
  departedAt: string | null
  departureReason: string | null
  resident: ResidentSummary
}

export interface RegistrationRow {
  id: string; building_id: string; room_id: string; room_number: string; status: RegistrationStatus; arrived_at: Date
  permit_valid_until: string | null; permit_type: PermitType | null; permit_lapsed_at: Date | null; lease_until: string | null; minors: number; departed_at: Date | null
  departure_reason: string | null; resident_id: string; name: string; id_type: string; id_masked: string
  sex: 'male' | 'female' | null; birth_date: string | null; created_at: Date
}

// The name is the one entered with this registration (registration_details), not the shared record's.
export const SELECT_REGISTRATION = `select g.*, r.number as room_number, coalesce(d.name, p.name) as name, p.id_type, p.id_masked, p.sex, p.birth_date
  from registrations g join rooms r on r.id = g.room_id join residents p on p.id = g.resident_id
  left join registration_details d on d.registration_id = g.id`

export const toRegistration = (r: RegistrationRow): Registration => ({
  id: r.id,
  buildingId: r.building_id,
  roomId: r.room_id,
  roomNumber: r.room_number,
  status: r.status,
  arrivedAt: iso(r.arrived_at),
  permitValidUntil: r.permit_valid_until,
  permitType: r.permit_type,
  permitLapsedAt: iso(r.permit_lapsed_at),
  leaseUntil: r.lease_until,
  minors: r.minors,
  departedAt: iso(r.departed_at),
  departureReason: r.departure_reason,
  resident: {
    id: r.resident_id, name: r.name, idType: r.id_type, idNumberMasked: r.id_masked, sex: r.sex, birthDecade: birthDecade(r.birth_date),
  },
})

/** One registration, unscoped: callers check the building first. */
export async function loadRegistration (q: Queryable, registrationId: string): Promise<Registration> {
  const r = await q.query<RegistrationRow>(`${SELECT_REGISTRATION} where g.id = $1`, [registrationId])
  if (r.rows.length === 0) throw new Errors.NotFound(`registration ${registrationId}`)
  return toRegistration(r.rows[0]!)
}
