// Enrol a card by swiping it: the cards presented at a building's doors in the
// last minutes that nobody holds there, each named by a short-lived opaque
// reference, and the card value a reference stands for, for issuing it to a
// registration of that building. The landlord never sees the full number:
// listings show its last 4 characters, the issuing answer masks it too.

import { randomBytes } from 'node:crypto'
import { ENROLMENT_WINDOW_MINUTES, type Presentation } from '../../contract/routes/landlord-routes.ts'
import { Errors } from '../errors.ts'
import { maskValue } from '../pipeline/rules/rule.ts'
import type { Actor } from './access.ts'
import { loadBuilding, notFoundAs } from './buildings.ts'
import type { RegistryContext } from './context.ts'
import type { CredentialKind } from './credentials.ts'
import { SERVED_SQL } from './devices.ts'
import { loadRegistration } from './registration-rows.ts'

const WINDOW_MS = ENROLMENT_WINDOW_MINUTES * 60_000
/** Presentations read per listing: a window of 15 minutes at one building holds far fewer. */
const MAX_SCANNED = 2000

interface PresentedRow {
  log_seq: string | number; device_id: string; door: string; at: Date; received_at: Date; kind: string; value: string; result: string
}

/** What a reference stands for: the presented kind and value, to issue. */
export interface PresentedCredential { kind: CredentialKind; value: string }

const newRef = (): string => `p-${randomBytes(16).toString('base64url')}`

export class Presentations {
  constructor (private readonly ctx: RegistryContext) {}

  /** Cards and IC cards presented at the building's doors since `since` (at most 15 minutes ago) that nobody holds in the building. */
  async list (actor: Actor, buildingId: string, since?: string): Promise<{ windowMinutes: number; items: Presentation[] }> {
    await loadBuilding(this.ctx.db, actor, buildingId, 'residents.write')
    const now = this.ctx.now().getTime()
    const from = new Date(Math.max(now - WINDOW_MS, since === undefined ? -Infinity : Date.parse(since)))
    const r = await this.ctx.db.query<PresentedRow>(
      // Devices the landlord or an administrator approved: a vendor's bench device cannot put a card on the list.
      `select e.log_seq, e.device_id, e.door, e.at, e.received_at, e.payload->'credential'->>'kind' as kind,
              upper(e.payload->'credential'->>'value') as value, e.payload->>'result' as result
         from events e
        where e.building_id = $1 and e.device_id in (select id from devices where building_id = $1 and ${SERVED_SQL})
          and e.channel = 'event/access' and e.received_at > $2
          and e.payload->'credential'->>'kind' in ('card', 'ic_card')
        order by e.log_seq desc limit ${MAX_SCANNED}`,
      [buildingId, from])
    if (r.rows.length === 0) return { windowMinutes: ENROLMENT_WINDOW_MINUTES, items: [] }
    // Latest presentation of each value, with how often it was shown.
    const latest = new Map<string, { row: PresentedRow; count: number }>()
    for (const row of r.rows) {
      const key = `${row.kind}\u0000${row.value}`
      const seen = latest.get(key)
      if (seen === undefined) latest.set(key, { row, count: 1 })
      else seen.count++
    }
    const values = [...new Set([...latest.values()].map((x) => x.row.value))]
    const held = await this.ctx.db.query<{ kind: string; value: string; here: boolean }>(
      `select kind, value, bool_or(building_id = $1) as here from credentials
        where value = any($2::text[]) and kind in ('card', 'ic_card') and status in ('active', 'pending') group by kind, value`,
      [buildingId, values])
    const holder = new Map(held.rows.map((h) => [`${h.kind}\u0000${h.value}`, h.here]))
    const items: Presentation[] = []
    await this.ctx.db.transaction(async (tx) => {
      await tx.query('delete from enrolment_refs where expires_at < $1', [new Date(now)])
      for (const [key, { row, count }] of latest) {
        if (holder.get(key) === true) continue // someone of this building holds it: nothing to enrol
        const expiresAt = new Date(new Date(row.received_at).getTime() + WINDOW_MS)
        await tx.query(
          'insert into enrolment_refs (ref, building_id, log_seq, expires_at) values ($1, $2, $3, $4) on conflict (building_id, log_seq) do nothing',
          [newRef(), buildingId, row.log_seq, expiresAt])
        const ref = await tx.query<{ ref: string }>('select ref from enrolment_refs where building_id = $1 and log_seq = $2', [buildingId, row.log_seq])
        items.push({
          ref: ref.rows[0]!.ref,
          at: new Date(row.at).toISOString(),
          expiresAt: expiresAt.toISOString(),
          door: row.door,
          deviceId: row.device_id,
          kind: row.kind as Presentation['kind'],
          valueMasked: maskValue(row.value),
          result: row.result === 'granted' ? 'granted' : 'denied',
          count,
          heldElsewhere: holder.get(key) === false,
        })
      }
    })
    return { windowMinutes: ENROLMENT_WINDOW_MINUTES, items }
  }

  /**
   * The card a reference of the registration's building stands for, for `residents.write` on it. A reference of
   * another building is not found (whether it exists is not told); one past its 15 minutes is a conflict.
   */
  async resolve (actor: Actor, registrationId: string, ref: string): Promise<PresentedCredential> {
    const registration = await loadRegistration(this.ctx.db, registrationId)
    await notFoundAs(loadBuilding(this.ctx.db, actor, registration.buildingId, 'residents.write'), `registration ${registrationId}`)
    const r = await this.ctx.db.query<{ expires_at: Date; kind: string | null; value: string | null }>(
      `select x.expires_at, e.payload->'credential'->>'kind' as kind, e.payload->'credential'->>'value' as value
         from enrolment_refs x left join events e on e.log_seq = x.log_seq and e.building_id = x.building_id
        where x.ref = $1 and x.building_id = $2`, [ref, registration.buildingId])
    const row = r.rows[0]
    if (row === undefined || row.kind === null || row.value === null) throw new Errors.NotFound(`presentation ${ref}`)
    if (new Date(row.expires_at).getTime() <= this.ctx.now().getTime()) {
      throw new Errors.Conflict(`the presentation is older than ${ENROLMENT_WINDOW_MINUTES} minutes: present the card at the door again`)
    }
    if (row.kind !== 'card' && row.kind !== 'ic_card') throw new Errors.NotFound(`presentation ${ref}`)
    return { kind: row.kind, value: row.value }
  }

  /** A reference used: it cannot enrol the card a second time. */
  async consume (ref: string): Promise<void> {
    await this.ctx.db.query('delete from enrolment_refs where ref = $1', [ref])
  }
}
