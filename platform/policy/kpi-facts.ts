// What the KPIs are computed from, read in a few queries for every building
// of a selection: the registry (rooms, registrations, the ledger's departure
// times, the agreement), the not-seen suggestions among the alerts, and what
// the KPI log reader derived from the event log (own-credential passages,
// unexplained entries per day). Patrol headcounts and observed presence come
// through ports of their own. Ids only, no names.

import type { Queryable } from '../store/database.ts'
import { localDate } from '../registry/time-zones.ts'
import { monthOf } from './permit-rules.ts'
import { DAY_MS, type BuildingKpiFacts, type HeadcountFact, type KpiParams, type RegistrationFact } from './kpis.ts'

/**
 * The patrols' headcounts (people found living in a house against those registered): `PATROL_HEADCOUNTS` reads
 * them from the patrol records; NO_HEADCOUNTS leaves the estimate to the doors alone.
 */
export interface HeadcountSource {
  latestHeadcounts (buildingIds: readonly string[], at: number): Promise<Map<string, HeadcountFact>>
}

export const NO_HEADCOUNTS: HeadcountSource = { latestHeadcounts: async () => new Map() }

/** The latest patrol of each building within `withinDays` before `at`: its headcount against the registered then. */
export function patrolHeadcounts (db: Queryable, withinDays = 30): HeadcountSource {
  return {
    async latestHeadcounts (buildingIds, at) {
      if (buildingIds.length === 0) return new Map()
      const r = await db.query<{ building_id: string; headcount: number; registered: number; patrolled_at: Date }>(
        `select distinct on (building_id) building_id, headcount, registered, patrolled_at from patrols
          where building_id = any($1::text[]) and patrolled_at <= $2 and patrolled_at > $3
          order by building_id, patrolled_at desc, id desc`,
        [buildingIds, new Date(at), new Date(at - withinDays * DAY_MS)])
      return new Map(r.rows.map((x) => [x.building_id, { counted: x.headcount, registered: x.registered, at: new Date(x.patrolled_at).getTime() }]))
    },
  }
}

/** People observed inside a room now (the pipeline's presence), or undefined when not known. */
export interface ObservedPresence {
  observedInside (roomId: string): number | undefined
}

/** A selection of buildings: a SQL condition on `b` (the buildings table) with its parameters. */
export interface BuildingSelection { where: string; params: unknown[] }

interface BuildingFactRow { id: string; area_path: string; time_zone: string; signed: boolean; rooms: string | number }
interface RegistrationRow {
  id: string; building_id: string; room_id: string; status: 'active' | 'departed'; arrived_at: Date; created_at: Date
  recorded_at: Date | null; last_own_at: Date | null; not_seen_at: Date | null
}

const ms = (d: Date | null): number | null => (d === null ? null : new Date(d).getTime())

export async function readKpiFacts (
  db: Queryable, selection: BuildingSelection, at: number, params: KpiParams,
  ports: { headcounts?: HeadcountSource; presence?: ObservedPresence } = {},
): Promise<BuildingKpiFacts[]> {
  const p = [...selection.params]
  const cond = `b.removed_at is null and (${selection.where})`
  const buildings = await db.query<BuildingFactRow>(
    `select b.id, b.area_path, b.time_zone, b.responsibility_signed_at is not null as signed,
            (select count(*) from rooms r where r.building_id = b.id) as rooms
       from buildings b where ${cond} order by b.area_path, b.id`, p)
  if (buildings.rows.length === 0) return []
  const since = new Date(at - params.periodDays * DAY_MS)
  const asOf = new Date(at)
  const regs = await db.query<RegistrationRow>(
    `select g.id, g.building_id, g.room_id, g.status, g.arrived_at, g.created_at,
            (select max(l.at) from registry_ledger l where l.registration_id = g.id and l.action = 'registration.departed') as recorded_at,
            o.last_at as last_own_at,
            (select max(a.first_at) from alerts a
              where a.type = 'resident_not_seen' and a.building_id = g.building_id and a.resident_id = g.resident_id
                and a.first_at >= g.arrived_at and (a.status <> 'resolved' or g.status = 'departed')) as not_seen_at
       from registrations g join buildings b on b.id = g.building_id
       left join kpi_own_passages o on o.registration_id = g.id
      where ${cond} and g.arrived_at <= $${p.length + 2}::timestamptz
        and (g.status = 'active' or (g.status = 'departed' and g.departed_at >= $${p.length + 1}::timestamptz - interval '7 days') or g.created_at >= $${p.length + 1}::timestamptz)
      order by g.building_id, g.arrived_at, g.id`, [...p, since, asOf])
  const fromDay = new Date(at - params.evidenceDays * DAY_MS).toISOString().slice(0, 10)
  const days = await db.query<{ building_id: string; day: string; unexplained: string | number; granted: string | number }>(
    `select d.building_id, d.day::text as day, sum(greatest(0, d.counted_in - d.granted_in)) as unexplained, sum(d.granted_in) as granted
       from kpi_door_days d join buildings b on b.id = d.building_id
      where ${cond} and d.counted_in > 0 and d.day >= $${p.length + 1}::date
      group by d.building_id, d.day order by d.building_id, d.day`, [...p, fromDay])
  const ids = buildings.rows.map((b) => b.id)
  const headcounts = await (ports.headcounts ?? NO_HEADCOUNTS).latestHeadcounts(ids, at)
  // This month's reconciliation lists, in each building's own month.
  const months = [...new Set(buildings.rows.map((b) => monthOf(at, b.time_zone)))]
  const listed = await db.query<{ building_id: string; month: string; listed: number; signed_off: number }>(
    `select i.building_id, c.month, count(*)::int as listed, count(*) filter (where c.signed_off_at is not null)::int as signed_off
       from reconciliation_items i join reconciliations c on c.id = i.reconciliation_id join buildings b on b.id = i.building_id
      where ${cond} and c.month = any($${p.length + 1}::text[])
      group by i.building_id, c.month`, [...p, months])
  const reconciled = new Map(listed.rows.map((r) => [`${r.building_id}/${r.month}`, { listed: r.listed, signedOff: r.signed_off }]))

  const byBuilding = new Map<string, RegistrationRow[]>()
  for (const r of regs.rows) byBuilding.set(r.building_id, [...(byBuilding.get(r.building_id) ?? []), r])
  const dayCounts = new Map<string, Map<string, { unexplained: number; granted: number }>>()
  for (const d of days.rows) {
    const m = dayCounts.get(d.building_id) ?? new Map<string, { unexplained: number; granted: number }>()
    m.set(d.day, { unexplained: Number(d.unexplained), granted: Number(d.granted) })
    dayCounts.set(d.building_id, m)
  }
  return buildings.rows.map((b) => {
    const rows = byBuilding.get(b.id) ?? []
    const registrations: RegistrationFact[] = rows.map((r) => ({
      id: r.id, roomId: r.room_id, status: r.status, arrivedAt: ms(r.arrived_at)!, enteredAt: ms(r.created_at)!,
      departureRecordedAt: r.status === 'departed' ? ms(r.recorded_at) : null, lastOwnPassageAt: ms(r.last_own_at), notSeenAt: ms(r.not_seen_at),
    }))
    const counts = daysUpTo(dayCounts.get(b.id), at, b.time_zone, params.evidenceDays)
    return {
      buildingId: b.id, areaPath: b.area_path, timeZone: b.time_zone, rooms: Number(b.rooms), agreementSigned: b.signed,
      registrations,
      unexplainedEntriesByDay: counts.map((c) => c.unexplained),
      grantedEntriesByDay: counts.map((c) => c.granted),
      observedExcess: observedExcess(rows, ports.presence),
      headcount: headcounts.get(b.id) ?? null,
      reconciliation: reconciled.get(`${b.id}/${monthOf(at, b.time_zone)}`) ?? { listed: 0, signedOff: 0 },
    }
  })
}

/** The complete local days before the day of `at` (today is not over), oldest first, 0 for a day without entries. */
function daysUpTo<T extends { unexplained: number; granted: number }> (counts: Map<string, T> | undefined, at: number, timeZone: string, n: number): Array<{ unexplained: number; granted: number }> {
  const today = localDate(at, timeZone)
  const out: Array<{ unexplained: number; granted: number }> = []
  for (let i = n; i >= 1; i--) {
    const day = new Date(Date.parse(`${today}T00:00:00Z`) - i * DAY_MS).toISOString().slice(0, 10)
    const c = counts?.get(day)
    // Days before the first count of the building are not evidence of anything.
    if (c === undefined && out.length === 0) continue
    out.push(c ?? { unexplained: 0, granted: 0 })
  }
  return out
}

function observedExcess (rows: readonly RegistrationRow[], presence: ObservedPresence | undefined): number | null {
  if (presence === undefined) return null
  const registered = new Map<string, number>()
  for (const r of rows) if (r.status === 'active') registered.set(r.room_id, (registered.get(r.room_id) ?? 0) + 1)
  let excess = 0
  for (const [room, n] of registered) {
    const inside = presence.observedInside(room)
    if (inside === undefined) return null
    excess += Math.max(0, inside - n)
  }
  return excess
}
