// Deletes personal data on schedule. A resident whose last stay ended more
// than `retentionDays` ago (and who has no stay now) is erased: name, the ID
// number's encrypted copy, its keyed hash and masked form, sex, birth date,
// phone, household address, employer (also as entered with each of their
// registrations). The stays remain as history of the room, without a person
// behind them. Visitor names on passes that ended as
// long ago go too, and so do patrol notes and the KPIs' movement facts of that
// time (notes-and-movements.ts). Each run that erases something is written to
// the audit log; a request for an erased person's ID number is refused as erased.

import type { Logger } from 'pino'
import { PeriodicJob, type JobTimers } from '../jobs/periodic-job.ts'
import type { Database } from '../store/database.ts'
import { eraseNotesAndMovements, type NotesAndMovementsErased } from './notes-and-movements.ts'

/** Three years after departure, unless the operator sets PERSONAL_DATA_RETENTION_DAYS. */
export const DEFAULT_PERSONAL_DATA_RETENTION_DAYS = 1095

export const ERASED = '(erased)'

/** What one run erased: residents, visitor names, patrol and re-inspection notes, own-credential passages. */
export type Erased = { residents: number; visitors: number } & NotesAndMovementsErased

export class PersonalDataRetention {
  private readonly job: PeriodicJob<Erased>

  constructor (private readonly deps: {
    db: Database
    logger: Pick<Logger, 'info' | 'error'>
    retentionDays?: number
    now?: () => number
    intervalMs?: number
    batch?: number
    timers?: JobTimers
  }) {
    this.job = new PeriodicJob({
      name: 'personal data retention', run: () => this.sweep(), intervalMs: deps.intervalMs ?? 3_600_000, logger: deps.logger,
      ...(deps.timers === undefined ? {} : { timers: deps.timers }),
    })
  }

  /** Runs every `intervalMs` (default an hour), the first time an interval after the start. */
  start (): void {
    this.job.start()
  }

  async stop (): Promise<void> {
    await this.job.stop()
  }

  /** Erases what is due now; returns how many residents and visitor names went. */
  runOnce (): Promise<Erased> {
    return this.job.runOnce()
  }

  private async sweep (): Promise<Erased> {
    const now = new Date(this.deps.now?.() ?? Date.now())
    const days = this.deps.retentionDays ?? DEFAULT_PERSONAL_DATA_RETENTION_DAYS
    const cutoff = new Date(now.getTime() - days * 86_400_000)
    const batch = this.deps.batch ?? 500
    let residents = 0
    for (;;) {
      const r = await this.deps.db.transaction(async (tx) => {
        // The shared record and what each landlord entered with their registrations, in one statement.
        const erased = await tx.query<{ id: string }>(
          `with erased as (
             update residents p set name = $4, id_hash = 'erased:' || p.id, id_cipher = '', id_masked = $4,
                    sex = null, birth_date = null, phone = null, household_address = null, employer = null,
                    erased_at = $2, updated_at = $2
              where p.id in (
                select q.id from residents q
                 where q.erased_at is null
                   and not exists (select 1 from registrations g where g.resident_id = q.id and g.status in ('active', 'pending'))
                   and (select max(g.departed_at) from registrations g where g.resident_id = q.id) < $1
                 limit $3)
             returning p.id),
           entries as (
             update registration_details d set name = $4, phone = null, household_address = null, employer = null
               from registrations g where g.id = d.registration_id and g.resident_id in (select id from erased)
             returning d.registration_id)
           select id from erased`, [cutoff, now, batch, ERASED])
        if (erased.rows.length > 0) {
          await tx.query(
            `insert into audit_log (action, subject_type, detail) values ('personal_data.erased', 'resident', $1)`,
            [{ residents: erased.rows.map((x) => x.id), cutoff: cutoff.toISOString(), retentionDays: days }])
        }
        return erased.rows.length
      })
      residents += r
      if (r < batch) break
    }
    const v = await this.deps.db.query(
      `update credentials set visitor_name = $2
        where visitor and visitor_name is not null and visitor_name <> $2 and coalesce(revoked_at, valid_until) < $1`, [cutoff, ERASED])
    const other = await this.deps.db.transaction(async (tx) => {
      const e = await eraseNotesAndMovements(tx, cutoff, ERASED)
      if (e.patrolNotes > 0) {
        await tx.query(
          `insert into audit_log (action, subject_type, detail) values ('personal_data.erased', 'patrol', $1)`,
          [{ patrolNotes: e.patrolIds, cutoff: cutoff.toISOString(), retentionDays: days }])
      }
      return { patrolNotes: e.patrolNotes, ownPassages: e.ownPassages }
    })
    if (residents > 0 || v.rowCount > 0 || other.patrolNotes > 0 || other.ownPassages > 0) {
      this.deps.logger.info({ residents, visitorNames: v.rowCount, ...other, cutoff: cutoff.toISOString() }, 'personal data past its retention period erased')
    }
    return { residents, visitors: v.rowCount, ...other }
  }
}
