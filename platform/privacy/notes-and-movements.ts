// What the personal-data erasure removes besides the person's record
// (personal-data-retention.ts): free text written about a house that may name
// the people living there, and the movement facts the KPIs keep.
// - A patrol's notes, and a re-inspection's note, are erased (set to
//   `(erased)`) once the visit is older than the retention period and every
//   stay in the house that had begun by then has ended longer ago than that:
//   a note is kept no longer than the data of anyone it could be about.
// - The last passage of a registration with its own credential
//   (`kpi_own_passages`) goes once its stay ended before the cut-off, or its
//   resident was erased. (The KPI job forgets it much sooner, 37 days after
//   the stay; this holds even where that job does not run.)

import type { Queryable } from '../store/database.ts'

export interface NotesAndMovementsErased {
  patrolNotes: number
  ownPassages: number
}

/** `cutoff`: the retention period's start; `erased`: the marker put in place of the text. */
export async function eraseNotesAndMovements (tx: Queryable, cutoff: Date, erased: string): Promise<NotesAndMovementsErased & { patrolIds: string[] }> {
  // Someone who lived in the house at `visit` is still there, or left after the cut-off.
  const someoneStill = (visit: string, building: string): string =>
    `exists (select 1 from registrations g where g.building_id = ${building} and g.arrived_at <= ${visit}
               and (g.status in ('active', 'pending') or g.departed_at >= $1))`
  const patrols = await tx.query<{ id: string }>(
    `update patrols p set notes = $2
      where p.notes is not null and p.notes <> $2 and p.patrolled_at < $1 and not ${someoneStill('p.patrolled_at', 'p.building_id')}
      returning p.id`, [cutoff, erased])
  const reinspections = await tx.query<{ id: string }>(
    `update finding_reinspections r set note = $2
       from patrol_findings f
      where f.id = r.finding_id and r.note is not null and r.note <> $2 and r.inspected_at < $1
        and not ${someoneStill('r.inspected_at', 'f.building_id')}
      returning r.id`, [cutoff, erased])
  const passages = await tx.query(
    `delete from kpi_own_passages o using registrations g, residents p
      where g.id = o.registration_id and p.id = g.resident_id and (g.departed_at < $1 or p.erased_at is not null)`, [cutoff])
  return {
    patrolNotes: patrols.rows.length + reinspections.rows.length,
    ownPassages: passages.rowCount,
    patrolIds: [...patrols.rows.map((r) => r.id), ...reinspections.rows.map((r) => r.id)],
  }
}
