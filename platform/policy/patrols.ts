// Door plates and patrols (docs/policy.md): the plate sheet of a building, a
// house code resolved to the house record, patrols recorded on site with the
// plate's code as proof of presence, findings with a deadline and their
// re-inspections, and the houses due for a patrol. Grid workers and police
// of the area record; the landlord sees the findings, never the notes.

import type { Finding, HouseRecord, Patrol, PatrolDue, PatrolInput, PlateSheet, ReinspectionInput } from '../../contract/routes/patrol-routes.ts'
import type { CheckOutcome, Grade, PatrolChecklistItem } from '../../contract/vocabulary.ts'
import { Errors } from '../errors.ts'
import { buildingScope, type Actor } from '../registry/access.ts'
import { writeAudit } from '../registry/audit-log.ts'
import { loadBuilding, type BuildingRow } from '../registry/buildings.ts'
import { newId, type RegistryContext } from '../registry/context.ts'
import { localDate } from '../registry/time-zones.ts'
import type { Queryable } from '../store/database.ts'
import { readFindings } from './patrol-findings.ts'
import { DEFAULT_AREA_POLICY, type AreaPolicies } from './area-policy.ts'
import { byDue, nextPatrolDue, patrolIntervalDays, type PatrolDays } from './patrol-schedule.ts'

interface CodeRow { code: string; building_id: string; room_id: string | null; room_number: string | null }
interface PatrolRow {
  id: string; building_id: string; patroller_id: string; patroller_name: string; patrolled_at: Date; code: string; room_id: string | null
  headcount: number; registered: number; checklist: Record<PatrolChecklistItem, CheckOutcome>; photo_refs: string[]; notes: string | null
}

const REGISTERED = `(select count(*)::int from registrations g where g.room_id = r.id and g.status = 'active')`
const SELECT_PATROLS = 'select p.*, u.display_name as patroller_name from patrols p join users u on u.id = p.patroller_id'

interface DueRow {
  id: string; name: string; address: string; grade: Grade; time_zone: string; created_at: Date; last_at: Date | null; open: number
  trusted: number; normal: number; focus: number; strict: number; finding_open: number
}

export class Patrols {
  /** `policies`: each house's patrol intervals are its area's (the platform's defaults without it). */
  constructor (private readonly ctx: RegistryContext, private readonly policies?: AreaPolicies) {}

  /** The patrol intervals at an area path, read once per path for one call. */
  private intervals (): (areaPath: string) => Promise<PatrolDays> {
    const seen = new Map<string, Promise<PatrolDays>>()
    return (areaPath) => {
      let days = seen.get(areaPath)
      if (days === undefined) {
        days = this.policies === undefined ? Promise.resolve(DEFAULT_AREA_POLICY.patrolDays) : this.policies.forPath(this.ctx.db, areaPath).then((s) => s.patrolDays)
        seen.set(areaPath, days)
      }
      return days
    }
  }

  /** The plates of a building: its own, then one per room. Its landlord, the grid and police of its area, administrators. */
  async plates (actor: Actor, buildingId: string): Promise<PlateSheet> {
    const b = await loadBuilding(this.ctx.db, actor, buildingId, 'residents.read')
    const r = await this.ctx.db.query<CodeRow>(
      `select h.code, h.building_id, h.room_id, r.number as room_number from house_codes h left join rooms r on r.id = h.room_id
        where h.building_id = $1`, [buildingId])
    const plates = r.rows.map((p) => ({ code: p.code, roomId: p.room_id, roomNumber: p.room_number }))
      .sort((x, y) => x.roomNumber === null ? -1 : y.roomNumber === null ? 1 : x.roomNumber.localeCompare(y.roomNumber, undefined, { numeric: true }))
    return { buildingId, buildingName: b.name, address: b.address, plates }
  }

  /** The house record behind a code; 404 for a code that is unknown or whose building the actor may not see. */
  async resolve (actor: Actor, code: string): Promise<HouseRecord> {
    const found = await this.code(this.ctx.db, code)
    const building = found === undefined ? undefined : await loadBuilding(this.ctx.db, actor, found.building_id, 'residents.read').catch(() => undefined)
    if (found === undefined || building === undefined) throw new Errors.NotFound(`house code ${code}`)
    const at = this.ctx.now().getTime()
    const [rooms, findings, last] = await Promise.all([
      this.ctx.db.query<{ id: string; number: string; capacity: number; registered: number }>(
        `select r.id, r.number, r.capacity, ${REGISTERED} as registered from rooms r where r.building_id = $1`, [building.id]),
      readFindings(this.ctx.db, `f.building_id = $1 and f.status = 'open'`, [building.id], at),
      this.ctx.db.query<PatrolRow>(`${SELECT_PATROLS} where p.building_id = $1 order by p.patrolled_at desc, p.id desc limit 1`, [building.id]),
    ])
    const roomList = rooms.rows.sort((a, b) => a.number.localeCompare(b.number, undefined, { numeric: true }))
    const p = last.rows[0]
    const lastAt = p === undefined ? null : new Date(p.patrolled_at).getTime()
    return {
      code,
      building: { id: building.id, name: building.name, address: building.address, grade: building.grade, timeZone: building.time_zone },
      room: roomList.find((r) => r.id === found.room_id) ?? null,
      registered: roomList.reduce((n, r) => n + r.registered, 0),
      capacity: roomList.reduce((n, r) => n + r.capacity, 0),
      rooms: roomList,
      openFindings: findings,
      lastPatrol: p === undefined
        ? null
        : { id: p.id, patrolledAt: new Date(p.patrolled_at).toISOString(), patrollerName: p.patroller_name, headcount: p.headcount, registered: p.registered },
      nextDueAt: new Date(nextPatrolDue({ grade: building.grade, lastPatrolAt: lastAt, since: new Date(building.created_at).getTime(), openFinding: findings.length > 0 }, await this.intervals()(building.area_path))).toISOString(),
    }
  }

  /** A patrol recorded on site: the code must be a plate of the building; audited. */
  async record (actor: Actor, buildingId: string, input: PatrolInput): Promise<Patrol> {
    const b = await loadBuilding(this.ctx.db, actor, buildingId, 'patrols.record')
    const now = this.ctx.now()
    const today = localDate(now.getTime(), b.time_zone)
    for (const f of input.findings ?? []) {
      if (f.deadline < today) throw new Errors.BadRequest(`the deadline of a finding (${f.deadline}) is before today (${today})`)
    }
    const id = newId('pt')
    await this.ctx.db.transaction(async (tx) => {
      const plate = await this.plateOf(tx, b, input.code)
      const roomIds = new Set((await tx.query<{ id: string }>('select id from rooms where building_id = $1', [b.id])).rows.map((r) => r.id))
      for (const f of input.findings ?? []) {
        if (f.roomId !== undefined && !roomIds.has(f.roomId)) throw new Errors.BadRequest(`room ${f.roomId} is not a room of building ${b.id}`)
      }
      const registered = (await tx.query<{ n: number }>(
        `select count(*)::int as n from registrations where building_id = $1 and status = 'active' and ($2::text is null or room_id = $2)`,
        [b.id, plate.room_id])).rows[0]!.n
      await tx.query(
        `insert into patrols (id, building_id, patroller_id, patrolled_at, code, room_id, headcount, registered, checklist, photo_refs, notes)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [id, b.id, actor.id, now, plate.code, plate.room_id, input.headcount, registered, JSON.stringify(input.checklist),
          JSON.stringify(input.photoRefs ?? []), input.notes ?? null])
      const findingIds: string[] = []
      for (const f of input.findings ?? []) {
        const fid = newId('pf')
        findingIds.push(fid)
        await tx.query(
          `insert into patrol_findings (id, building_id, patrol_id, room_id, item, description, deadline, found_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8)`, [fid, b.id, id, f.roomId ?? null, f.item, f.description, f.deadline, now])
      }
      const problems = Object.entries(input.checklist).filter(([, o]) => o === 'problem').map(([item]) => item)
      await writeAudit(tx, actor, 'patrol.recorded', { type: 'building', id: b.id }, { patrolId: id, code: plate.code, headcount: input.headcount, registered, problems, findings: findingIds })
    })
    return (await this.patrols(this.ctx.db, 'p.id = $1', [id]))[0]!
  }

  /** The patrols of a building, newest first, with the patrollers' notes: grid and police of its area (the read audited). */
  async list (actor: Actor, buildingId: string): Promise<Patrol[]> {
    const b = await loadBuilding(this.ctx.db, actor, buildingId, 'patrols.record')
    const out = await this.patrols(this.ctx.db, 'p.building_id = $1', [b.id])
    await writeAudit(this.ctx.db, actor, 'patrols.read', { type: 'building', id: b.id }, { patrols: out.length })
    return out
  }

  /** The findings of a building: its landlord sees them (what to put right, by when), as do the grid and police. */
  async findings (actor: Actor, buildingId: string, status?: 'open' | 'rectified'): Promise<Finding[]> {
    const b = await loadBuilding(this.ctx.db, actor, buildingId, 'residents.read')
    const params: unknown[] = [b.id]
    if (status !== undefined) params.push(status)
    return await readFindings(this.ctx.db, `f.building_id = $1${status === undefined ? '' : ' and f.status = $2'}`, params, this.ctx.now().getTime())
  }

  /** A re-inspection on site: closes the finding when put right, else keeps it open; audited. */
  async reinspect (actor: Actor, findingId: string, input: ReinspectionInput): Promise<Finding> {
    const f = (await this.ctx.db.query<{ building_id: string }>('select building_id from patrol_findings where id = $1', [findingId])).rows[0]
    if (f === undefined) throw new Errors.NotFound(`finding ${findingId}`)
    const b = await loadBuilding(this.ctx.db, actor, f.building_id, 'patrols.record').catch((err: unknown) => {
      throw err instanceof Errors.NotFound ? new Errors.NotFound(`finding ${findingId}`) : err
    })
    const now = this.ctx.now()
    await this.ctx.db.transaction(async (tx) => {
      const plate = await this.plateOf(tx, b, input.code)
      const locked = (await tx.query<{ status: string }>('select status from patrol_findings where id = $1 for update', [findingId])).rows[0]!
      if (locked.status !== 'open') throw new Errors.IllegalTransition(`finding ${findingId} is ${locked.status} already`)
      const rid = newId('ri')
      await tx.query(
        `insert into finding_reinspections (id, finding_id, inspector_id, inspected_at, code, rectified, note, photo_refs)
         values ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [rid, findingId, actor.id, now, plate.code, input.rectified, input.note ?? null, JSON.stringify(input.photoRefs ?? [])])
      if (input.rectified) await tx.query(`update patrol_findings set status = 'rectified', closed_at = $2 where id = $1`, [findingId, now])
      await writeAudit(tx, actor, 'finding.reinspected', { type: 'building', id: b.id }, { findingId, reinspectionId: rid, code: plate.code, rectified: input.rectified })
    })
    return (await readFindings(this.ctx.db, 'f.id = $1', [findingId], now.getTime()))[0]!
  }

  /**
   * The houses the actor patrols (grid workers: their grid; police: their area), most overdue first, at most
   * `limit`. The database orders them by when they are due (the intervals of each house's area, as
   * `nextPatrolDue` reckons them), so the limit cuts off the houses due latest, never the most overdue.
   */
  async due (actor: Actor, limit = 5000): Promise<PatrolDue[]> {
    const params: unknown[] = []
    const scope = buildingScope(actor, 'patrols.record', 'b', params)
    const d = DEFAULT_AREA_POLICY.patrolDays
    params.push(this.policies !== undefined, d.trusted, d.normal, d.focus, d.strict, d.findingOpen)
    const n = params.length
    const [useSettings, trusted, normal, focus, strict, findingOpen] = [n - 5, n - 4, n - 3, n - 2, n - 1, n].map((i) => `$${i}`)
    params.push(limit)
    const r = await this.ctx.db.query<DueRow>(
      `with h as (
         select b.id, b.name, b.address, b.grade, b.time_zone, b.created_at, last.last_at, f.open,
                coalesce(s.patrol_trusted_days, ${trusted}::int) as trusted, coalesce(s.patrol_normal_days, ${normal}::int) as normal,
                coalesce(s.patrol_focus_days, ${focus}::int) as focus, coalesce(s.patrol_strict_days, ${strict}::int) as strict,
                coalesce(s.patrol_finding_open_days, ${findingOpen}::int) as finding_open
           from buildings b
           left join lateral (select max(p.patrolled_at) as last_at from patrols p where p.building_id = b.id) last on true
           left join lateral (select count(*)::int as open from patrol_findings x where x.building_id = b.id and x.status = 'open') f on true
           left join lateral (select s.* from area_policy_settings s join areas a on a.id = s.area_id
                               where ${useSettings}::boolean and left(b.area_path, length(a.path)) = a.path order by length(a.path) desc limit 1) s on true
          where b.removed_at is null and ${scope})
       select h.*, case when h.last_at is null then h.created_at
                        else h.last_at + make_interval(days => case when h.open > 0 then least(h.finding_open, g.days) else g.days end) end as due_at
         from h cross join lateral (select case h.grade when 'trusted' then h.trusted when 'normal' then h.normal when 'focus' then h.focus else h.strict end as days) g
        order by due_at, h.id limit $${params.length}`, params)
    const at = this.ctx.now().getTime()
    const houses = r.rows.map((b) => {
      const h = { grade: b.grade, lastPatrolAt: b.last_at === null ? null : new Date(b.last_at).getTime(), since: new Date(b.created_at).getTime(), openFinding: b.open > 0 }
      const days: PatrolDays = { trusted: b.trusted, normal: b.normal, focus: b.focus, strict: b.strict, findingOpen: b.finding_open }
      return { b, h, days, dueAt: nextPatrolDue(h, days) }
    })
    return byDue(houses).map(({ b, h, days, dueAt }) => ({
      buildingId: b.id, buildingName: b.name, address: b.address, grade: b.grade, timeZone: b.time_zone,
      lastPatrolAt: h.lastPatrolAt === null ? null : new Date(h.lastPatrolAt).toISOString(),
      dueAt: new Date(dueAt).toISOString(), overdue: dueAt <= at,
      intervalDays: patrolIntervalDays({ patrolDays: days }, h.grade, h.openFinding), openFindings: b.open,
    }))
  }

  private async code (q: Queryable, code: string): Promise<CodeRow | undefined> {
    return (await q.query<CodeRow>(
      'select h.code, h.building_id, h.room_id, r.number as room_number from house_codes h left join rooms r on r.id = h.room_id where h.code = $1', [code])).rows[0]
  }

  /** The plate of `b` with this code: the proof of presence; 400 when the code is none of the building's plates. */
  private async plateOf (q: Queryable, b: BuildingRow, code: string): Promise<CodeRow> {
    const plate = await this.code(q, code)
    if (plate === undefined || plate.building_id !== b.id) throw new Errors.BadRequest(`code ${code} is not a plate of building ${b.id}: scan a plate at the house`)
    return plate
  }

  private async patrols (q: Queryable, where: string, params: unknown[]): Promise<Patrol[]> {
    const rows = (await q.query<PatrolRow>(`${SELECT_PATROLS} where ${where} order by p.patrolled_at desc, p.id desc limit 200`, params)).rows
    if (rows.length === 0) return []
    const findings = await readFindings(q, 'f.patrol_id = any($1::text[])', [rows.map((p) => p.id)], this.ctx.now().getTime())
    return rows.map((p) => ({
      id: p.id, buildingId: p.building_id, patrollerId: p.patroller_id, patrollerName: p.patroller_name,
      patrolledAt: new Date(p.patrolled_at).toISOString(), code: p.code, roomId: p.room_id, headcount: p.headcount, registered: p.registered,
      checklist: p.checklist, photoRefs: p.photo_refs, notes: p.notes,
      findings: findings.filter((f) => f.patrolId === p.id),
    }))
  }
}
