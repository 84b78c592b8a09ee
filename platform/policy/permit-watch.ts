// The permit watch (docs/policy.md "Permits"): a periodic pass that records
// the reminders due 30 and 7 days before a residence permit ends (one row
// each, so each goes out once; the landlord reads them in the inbox and
// GET /permit-reminders) and, once a permit's last day has ended in the
// building's time zone without a renewal, takes the registration's
// credentials off the readers (the allow-list moves; ledger and audit log).
// A renewal puts them back (Registrations.renew).

import type { PermitReminder } from '../../contract/routes/permit-routes.ts'
import type { PermitType } from '../../contract/schemas/registry.ts'
import { maskName } from '../privacy/mask.ts'
import { buildingScope, type Actor } from '../registry/access.ts'
import { writeAudit } from '../registry/audit-log.ts'
import { loadBuilding } from '../registry/buildings.ts'
import { announceAllowlist, type AllowlistChange, type RegistryContext } from '../registry/context.ts'
import { bumpAllowlist, type CredentialRow } from '../registry/credentials.ts'
import { appendLedger } from '../registry/ledger.ts'
import { stayRefs, type StayRef } from '../registry/stays.ts'
import { CountingJob, type CountingJobOptions } from './counting-job.ts'
import { permitDaysLeft, permitEndsAt, reminderDue } from './permit-rules.ts'

/** Who the ledger names for what the platform does on its own. */
export const PLATFORM_ACTOR = { id: 'platform' } as const

const DAY = 86_400_000

interface Candidate extends StayRef { permit_valid_until: string; permit_lapsed_at: Date | null; time_zone: string }

// A type, not an interface: the job's counts are a plain record.
export type PermitWatchRun = { reminded: number; lapsed: number }

export class PermitWatch {
  constructor (private readonly ctx: RegistryContext) {}

  /** One pass at `at` (default now): reminders due, then permits that ended. */
  async run (at = this.ctx.now().getTime()): Promise<PermitWatchRun> {
    // Dates are compared in each building's zone below; a day either side of UTC covers every zone.
    const r = await this.ctx.db.query<Candidate>(
      `select g.id, g.room_id, g.building_id, g.resident_id, g.permit_valid_until::text as permit_valid_until, g.permit_lapsed_at, b.time_zone
         from registrations g join buildings b on b.id = g.building_id
        where g.status = 'active' and g.permit_valid_until is not null and g.permit_valid_until <= $1::date
        order by g.id`, [new Date(at + 32 * DAY).toISOString().slice(0, 10)])
    let reminded = 0
    let lapsed = 0
    for (const g of r.rows) {
      const due = reminderDue(permitDaysLeft(g.permit_valid_until, at, g.time_zone))
      if (due !== null) {
        const ins = await this.ctx.db.query(
          `insert into permit_reminders (registration_id, permit_valid_until, days_before, building_id, created_at)
           values ($1, $2, $3, $4, $5) on conflict do nothing returning registration_id`,
          [g.id, g.permit_valid_until, due, g.building_id, new Date(at)])
        reminded += ins.rows.length
      }
      if (g.permit_lapsed_at === null && permitEndsAt(g.permit_valid_until, g.time_zone) <= at && await this.lapse(g.id, at)) lapsed++
    }
    return { reminded, lapsed }
  }

  /** Reminders of the buildings in the actor's scope (one building with `buildingId`), newest first; the read is audited. */
  async reminders (actor: Actor, o: { buildingId?: string; limit?: number } = {}): Promise<PermitReminder[]> {
    if (o.buildingId !== undefined) await loadBuilding(this.ctx.db, actor, o.buildingId, 'residents.read')
    const params: unknown[] = []
    let where = buildingScope(actor, 'residents.read', 'b', params)
    if (o.buildingId !== undefined) {
      params.push(o.buildingId)
      where += ` and m.building_id = $${params.length}`
    }
    params.push(Math.min(o.limit ?? 200, 1000))
    const r = await this.ctx.db.query<{
      registration_id: string; building_id: string; room_id: string; room_number: string; name: string; permit_valid_until: string
      permit_type: PermitType | null; days_before: 30 | 7; created_at: Date; status: string; renewed: boolean
    }>(
      `select m.registration_id, m.building_id, g.room_id, r.number as room_number, coalesce(d.name, p.name) as name,
              m.permit_valid_until::text as permit_valid_until, g.permit_type, m.days_before, m.created_at, g.status,
              g.permit_valid_until <> m.permit_valid_until as renewed
         from permit_reminders m join buildings b on b.id = m.building_id join registrations g on g.id = m.registration_id
         join rooms r on r.id = g.room_id join residents p on p.id = g.resident_id left join registration_details d on d.registration_id = g.id
        where ${where} order by m.created_at desc, m.registration_id, m.days_before limit $${params.length}`, params)
    await writeAudit(this.ctx.db, actor, 'permit_reminders.read', o.buildingId === undefined ? null : { type: 'building', id: o.buildingId }, { returned: r.rows.length })
    return r.rows.map((m) => ({
      registrationId: m.registration_id, buildingId: m.building_id, roomId: m.room_id, roomNumber: m.room_number, nameMasked: maskName(m.name),
      permitValidUntil: m.permit_valid_until, permitType: m.permit_type, daysBefore: m.days_before, sentAt: new Date(m.created_at).toISOString(),
      settled: m.renewed || m.status !== 'active',
    }))
  }

  /** Takes one registration's credentials off the readers, if its permit still stands lapsed under the lock. */
  private async lapse (registrationId: string, at: number): Promise<boolean> {
    let change: AllowlistChange | null = null
    let building: string | null = null
    await this.ctx.db.transaction(async (tx) => {
      const r = await tx.query<Candidate>(
        `select g.id, g.room_id, g.building_id, g.resident_id, g.permit_valid_until::text as permit_valid_until, g.permit_lapsed_at, b.time_zone
           from registrations g join buildings b on b.id = g.building_id where g.id = $1 and g.status = 'active' for update of g`, [registrationId])
      const g = r.rows[0]
      // Renewed or ended meanwhile: nothing to do.
      if (g === undefined || g.permit_lapsed_at !== null || permitEndsAt(g.permit_valid_until, g.time_zone) > at) return
      await tx.query('update registrations set permit_lapsed_at = $2 where id = $1', [g.id, new Date(at)])
      const creds = await tx.query<CredentialRow>(`select * from credentials where registration_id = $1 and status = 'active' order by id`, [g.id])
      if (creds.rows.length > 0) change = await bumpAllowlist(tx, g.building_id, [], creds.rows)
      const detail = { permitValidUntil: g.permit_valid_until, credentials: creds.rows.map((c) => c.id) }
      await appendLedger(tx, PLATFORM_ACTOR, 'registration.permit_lapsed', stayRefs(g), detail)
      await writeAudit(tx, null, 'permit.lapsed', { type: 'registration', id: g.id }, { ...detail, job: 'permit-watch' })
      building = g.building_id
    })
    if (change !== null) announceAllowlist(this.ctx.events, change)
    if (building !== null) this.ctx.events.emit('registryChanged', { kind: 'registration', buildingId: building, id: registrationId })
    return building !== null
  }
}

/** The permit watch every hour: a permit's last day ends at midnight in its building's zone, whichever zone that is. */
export const permitWatchJob = (watch: PermitWatch, o: CountingJobOptions): CountingJob<PermitWatchRun> => new CountingJob({
  name: 'permit watch', run: () => watch.run(), done: 'permit reminders recorded, lapsed permits taken off the readers',
  intervalMs: 3_600_000, firstRunDelayMs: 60_000,
}, o)
