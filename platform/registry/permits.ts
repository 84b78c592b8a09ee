// Residence permits in the registry: the check of a permit's end against its
// type, the end each registration's credentials carry on the readers (the
// permit's last day bounds the allow-list entry's validUntil, so a reader
// refuses the card from the next midnight in the building's zone even while
// offline), and a vacant room coming back onto the rental register.

import type { PermitType } from '../../contract/schemas/registry.ts'
import { Errors } from '../errors.ts'
import { permitEndProblem, permitEndsAt } from '../policy/permit-rules.ts'
import type { Queryable } from '../store/database.ts'
import type { Actor } from './access.ts'
import { appendLedger } from './ledger.ts'
import { localDate } from './time-zones.ts'

/** A 400 when the permit given does not fit its type (or a type comes without an end). */
export function checkPermit (input: { permitValidUntil?: string; permitType?: PermitType }, timeZone: string, now: Date, renewal: boolean): void {
  if (input.permitValidUntil === undefined) {
    if (input.permitType !== undefined) throw new Errors.BadRequest('a permit type needs the permit\'s end (permitValidUntil)')
    return
  }
  const problem = permitEndProblem(input.permitType ?? null, input.permitValidUntil, localDate(now.getTime(), timeZone), { renewal })
  if (problem !== null) throw new Errors.BadRequest(problem)
}

/** What the permits of some registrations mean for their readers: the instant each entry stops, and whether it lapsed. */
export interface PermitBound { endsAt: number | null; lapsed: boolean }

export async function permitBounds (q: Queryable, registrationIds: readonly string[]): Promise<Map<string, PermitBound>> {
  const ids = [...new Set(registrationIds)]
  if (ids.length === 0) return new Map()
  const r = await q.query<{ id: string; permit_valid_until: string | null; permit_lapsed_at: Date | null; time_zone: string }>(
    `select g.id, g.permit_valid_until::text as permit_valid_until, g.permit_lapsed_at, b.time_zone
       from registrations g join buildings b on b.id = g.building_id where g.id = any($1)`, [ids])
  return new Map(r.rows.map((g) => [g.id, {
    endsAt: g.permit_valid_until === null ? null : permitEndsAt(g.permit_valid_until, g.time_zone),
    lapsed: g.permit_lapsed_at !== null,
  }]))
}

/** The earlier of a credential's own end and its permit's (ISO), or undefined when neither is set. */
export function boundedUntil (own: string | undefined, permitEnd: number | null | undefined): string | undefined {
  if (permitEnd === null || permitEnd === undefined) return own
  if (own !== undefined && Date.parse(own) <= permitEnd) return own
  return new Date(permitEnd).toISOString()
}

/** A registration into a room taken off the rental register as vacant puts it (and its house) back on. */
export async function returnToRegister (tx: Queryable, actor: Actor, buildingId: string, roomId: string): Promise<void> {
  const room = await tx.query('update rooms set withdrawn_at = null where id = $1 and withdrawn_at is not null returning id', [roomId])
  if (room.rows.length > 0) await appendLedger(tx, actor, 'room.returned', { buildingId, roomId }, {})
  const house = await tx.query('update buildings set withdrawn_at = null where id = $1 and withdrawn_at is not null returning id', [buildingId])
  if (house.rows.length > 0) await appendLedger(tx, actor, 'building.returned', { buildingId }, {})
}
