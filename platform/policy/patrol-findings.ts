// Patrol findings as the API shows them, read from patrol_findings with their
// re-inspections; and what the house score takes from patrols: the findings
// still open, and the checklist problems of the last patrol (house-facts.ts).

import type { Finding } from '../../contract/routes/patrol-routes.ts'
import type { FindingItem, FindingStatus, PatrolChecklistItem, CheckOutcome } from '../../contract/vocabulary.ts'
import type { Queryable } from '../store/database.ts'
import { localDate } from '../registry/time-zones.ts'

interface FindingRow {
  id: string; building_id: string; patrol_id: string; room_id: string | null; room_number: string | null; item: FindingItem
  description: string; deadline: string; found_at: Date; status: FindingStatus; closed_at: Date | null; time_zone: string
}
interface ReinspectionRow { id: string; finding_id: string; inspected_at: Date; inspector_id: string; rectified: boolean; note: string | null; photo_refs: string[] }

const SELECT_FINDINGS = `select f.id, f.building_id, f.patrol_id, f.room_id, r.number as room_number, f.item, f.description,
    f.deadline::text as deadline, f.found_at, f.status, f.closed_at, b.time_zone
  from patrol_findings f join buildings b on b.id = f.building_id left join rooms r on r.id = f.room_id`

/** Findings matching `where` (on alias f), open first, then by deadline; with their re-inspections. */
export async function readFindings (q: Queryable, where: string, params: unknown[], at: number): Promise<Finding[]> {
  const rows = (await q.query<FindingRow>(
    `${SELECT_FINDINGS} where ${where} order by f.status = 'open' desc, f.deadline, f.found_at, f.id limit 500`, params)).rows
  if (rows.length === 0) return []
  const re = await q.query<ReinspectionRow>(
    'select * from finding_reinspections where finding_id = any($1::text[]) order by inspected_at, id', [rows.map((r) => r.id)])
  const byFinding = new Map<string, ReinspectionRow[]>()
  for (const r of re.rows) byFinding.set(r.finding_id, [...(byFinding.get(r.finding_id) ?? []), r])
  return rows.map((f) => ({
    id: f.id, buildingId: f.building_id, patrolId: f.patrol_id, roomId: f.room_id, roomNumber: f.room_number, item: f.item,
    description: f.description, deadline: f.deadline, foundAt: new Date(f.found_at).toISOString(), status: f.status,
    closedAt: f.closed_at === null ? null : new Date(f.closed_at).toISOString(),
    overdue: f.status === 'open' && f.deadline < localDate(at, f.time_zone),
    reinspections: (byFinding.get(f.id) ?? []).map((r) => ({
      id: r.id, inspectedAt: new Date(r.inspected_at).toISOString(), inspectorId: r.inspector_id, rectified: r.rectified, note: r.note, photoRefs: r.photo_refs,
    })),
  }))
}

/** What the house score takes from the patrols of one building. */
export async function readPatrolFacts (q: Queryable, buildingId: string): Promise<{
  openFindings: Array<{ id: string; foundAt: number }>
  checklistProblems: Array<{ patrolId: string; item: string; foundAt: number }>
}> {
  const [open, last] = await Promise.all([
    q.query<{ id: string; found_at: Date }>(`select id, found_at from patrol_findings where building_id = $1 and status = 'open' order by found_at, id`, [buildingId]),
    q.query<{ id: string; patrolled_at: Date; checklist: Record<PatrolChecklistItem, CheckOutcome> }>(
      'select id, patrolled_at, checklist from patrols where building_id = $1 order by patrolled_at desc, id desc limit 1', [buildingId]),
  ])
  const p = last.rows[0]
  return {
    openFindings: open.rows.map((f) => ({ id: f.id, foundAt: new Date(f.found_at).getTime() })),
    checklistProblems: p === undefined
      ? []
      : Object.entries(p.checklist).filter(([, o]) => o === 'problem').map(([item]) => ({ patrolId: p.id, item, foundAt: new Date(p.patrolled_at).getTime() })),
  }
}
