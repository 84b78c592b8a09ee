// What the registering person entered about a person (name, phone, household
// address, employer), kept with each registration. Landlords share one person
// record (found by the ID number's keyed hash) but never each other's
// entries: a reader is shown what was entered for the stays they may see, and
// the shared record holds the entry of the person's current stay.

import type { Queryable } from '../store/database.ts'

export interface DetailsInput {
  name: string
  phone?: string
  householdAddress?: string
  employer?: string
}

export interface Details {
  name: string
  phone: string | null
  householdAddress: string | null
  employer: string | null
}

/** One registration's entry, with what ranks it for a reader. */
export interface EnteredDetails extends Details {
  status: string
  arrivedAt: Date
}

export async function recordDetails (tx: Queryable, registrationId: string, input: DetailsInput): Promise<void> {
  await tx.query(
    'insert into registration_details (registration_id, name, phone, household_address, employer) values ($1, $2, $3, $4, $5)',
    [registrationId, input.name, input.phone ?? null, input.householdAddress ?? null, input.employer ?? null])
}

/** The registration's stay is now the person's current one: the shared record takes its entry, whole. */
export async function adoptDetails (tx: Queryable, residentId: string, registrationId: string, at: Date): Promise<void> {
  await tx.query(
    `update residents p set name = d.name, phone = d.phone, household_address = d.household_address, employer = d.employer, updated_at = $3
       from registration_details d where p.id = $1 and d.registration_id = $2`, [residentId, registrationId, at])
}

const RANK: Record<string, number> = { active: 0, pending: 1, departed: 2, cancelled: 3 }

/**
 * What a reader is shown of a person, from the entries of the stays they may
 * see: each field from the most current entry that has it (the active stay
 * first, then a pending one, then the newest arrival), so a landlord who left
 * a field out on a later registration still sees what they entered before,
 * and never what someone else entered.
 */
export function detailsFor (entries: readonly EnteredDetails[]): Details {
  const ranked = [...entries].sort((a, b) =>
    (RANK[a.status] ?? 9) - (RANK[b.status] ?? 9) || b.arrivedAt.getTime() - a.arrivedAt.getTime())
  const first = <K extends keyof Details>(k: K): Details[K] | null => ranked.find((e) => e[k] !== null)?.[k] ?? null
  return { name: first('name') ?? '', phone: first('phone'), householdAddress: first('householdAddress'), employer: first('employer') }
}
