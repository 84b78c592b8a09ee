// Shift handover (交接班) of police and administrators: a note for the next
// shift of an area, which the next shift acknowledges, and a summary of what
// is still open there: live alerts with their owner and stage, escalations
// since a time, and devices reported offline (counted from the live
// device_offline alerts: the alerts are what the platform knows of devices
// here; GET /devices/{id} has the connection itself).

import type { Handover, HandoverSummary } from '../../contract/schemas/alerts.ts'
import { Errors } from '../errors.ts'
import type { Actor } from '../registry/access.ts'
import { iso, newId } from '../registry/context.ts'
import type { Database, Queryable } from '../store/database.ts'
import { ASSIGNEE_NAME } from './alert-store.ts'
import type { AlertStage, AlertStatus, AlertType, Severity } from '../../contract/vocabulary.ts'

const DEFAULT_SUMMARY_SPAN_MS = 12 * 3_600_000
const SUMMARY_ALERTS = 500

interface HandoverRow {
  id: string; area_id: string; note: string; created_by: string; created_by_name: string; created_at: Date
  acknowledged_by: string | null; acknowledged_by_name: string | null; acknowledged_at: Date | null
}

const SELECT_HANDOVER = `select h.id, h.area_id, h.note, h.created_by, cu.display_name as created_by_name, h.created_at,
  h.acknowledged_by, au.display_name as acknowledged_by_name, h.acknowledged_at
  from alert_handovers h join users cu on cu.id = h.created_by left join users au on au.id = h.acknowledged_by`

const toHandover = (r: HandoverRow): Handover => ({
  id: r.id, areaId: r.area_id, note: r.note, createdBy: r.created_by, createdByName: r.created_by_name, createdAt: iso(r.created_at),
  acknowledged: r.acknowledged_at !== null, acknowledgedBy: r.acknowledged_by, acknowledgedByName: r.acknowledged_by_name,
  acknowledgedAt: iso(r.acknowledged_at),
})

export class Handovers {
  constructor (private readonly db: Database, private readonly now: () => Date = () => new Date()) {}

  /**
   * The area a handover request is about: police give their own area (or one
   * inside it), administrators name one. Others may not hand over.
   */
  private async area (q: Queryable, actor: Actor, areaId: string | undefined): Promise<{ id: string; path: string }> {
    if (actor.role !== 'police' && actor.role !== 'admin') throw new Errors.Forbidden('shift handovers are for police and administrators')
    let id = areaId
    if (id === undefined) {
      if (actor.role === 'admin') throw new Errors.BadRequest('administrators name the area: areaId')
      id = (await q.query<{ area_id: string }>('select area_id from users where id = $1', [actor.id])).rows[0]?.area_id
      if (id === undefined) throw new Errors.Forbidden('your account has no area')
    }
    const a = (await q.query<{ id: string; path: string }>('select id, path from areas where id = $1', [id])).rows[0]
    if (a === undefined || (actor.role !== 'admin' && (actor.areaPath === undefined || !a.path.startsWith(actor.areaPath)))) {
      throw new Errors.NotFound(`area ${id}`)
    }
    return a
  }

  async create (actor: Actor, body: { note: string; areaId?: string }): Promise<Handover> {
    if (body.note.trim() === '') throw new Errors.BadRequest('a handover note needs some text')
    return this.db.transaction(async (tx) => {
      const area = await this.area(tx, actor, body.areaId)
      const id = newId('ho')
      await tx.query(`insert into alert_handovers (id, area_id, area_path, note, created_by, created_at)
        values ($1, $2, $3, $4, $5, $6::timestamptz)`, [id, area.id, area.path, body.note, actor.id, this.now()])
      return toHandover((await tx.query<HandoverRow>(`${SELECT_HANDOVER} where h.id = $1`, [id])).rows[0]!)
    })
  }

  /** The latest note of the area; null when none was written. */
  async latest (actor: Actor, q: { areaId?: string }): Promise<{ handover: Handover | null }> {
    const area = await this.area(this.db, actor, q.areaId)
    const r = await this.db.query<HandoverRow>(`${SELECT_HANDOVER} where h.area_id = $1 order by h.created_at desc, h.id desc limit 1`, [area.id])
    return { handover: r.rows[0] === undefined ? null : toHandover(r.rows[0]) }
  }

  /** The next shift confirms it read the note: police of the area (not its writer) or an administrator. */
  async acknowledge (actor: Actor, id: string): Promise<Handover> {
    return this.db.transaction(async (tx) => {
      const h = (await tx.query<{ area_id: string; area_path: string; created_by: string; acknowledged_at: Date | null }>(
        'select area_id, area_path, created_by, acknowledged_at from alert_handovers where id = $1 for update', [id])).rows[0]
      if (actor.role !== 'police' && actor.role !== 'admin') throw new Errors.Forbidden('shift handovers are for police and administrators')
      if (h === undefined || (actor.role !== 'admin' && (actor.areaPath === undefined || !h.area_path.startsWith(actor.areaPath)))) {
        throw new Errors.NotFound(`handover ${id}`)
      }
      if (h.created_by === actor.id) throw new Errors.IllegalTransition('the next shift acknowledges a handover, not its writer')
      if (h.acknowledged_at !== null) throw new Errors.IllegalTransition(`handover ${id} is already acknowledged`)
      await tx.query('update alert_handovers set acknowledged_by = $2, acknowledged_at = $3::timestamptz where id = $1', [id, actor.id, this.now()])
      return toHandover((await tx.query<HandoverRow>(`${SELECT_HANDOVER} where h.id = $1`, [id])).rows[0]!)
    })
  }

  /** What the next shift takes over in the area. */
  async summary (actor: Actor, q: { areaId?: string; since?: string }): Promise<HandoverSummary> {
    const area = await this.area(this.db, actor, q.areaId)
    let since: Date
    if (q.since !== undefined) {
      since = new Date(q.since)
      if (Number.isNaN(since.getTime())) throw new Errors.BadRequest('since must be an ISO date-time')
    } else {
      const last = (await this.db.query<{ created_at: Date }>(
        'select created_at from alert_handovers where area_id = $1 order by created_at desc limit 1', [area.id])).rows[0]
      since = last?.created_at ?? new Date(this.now().getTime() - DEFAULT_SUMMARY_SPAN_MS)
    }
    const inArea = 'left(a.area_path, length($1::text)) = $1::text'
    const live = await this.db.query<{
      id: string; type: AlertType; severity: Severity; status: AlertStatus; stage: AlertStage; building_id: string
      assignee_id: string | null; assignee_name: string | null; escalation_level: number; created_at: Date
    }>(`select a.id, a.type, a.severity, a.status, a.stage, a.building_id, a.assignee_id, ${ASSIGNEE_NAME('a')}, a.escalation_level, a.created_at
      from alerts a where a.status <> 'resolved' and ${inArea} order by a.created_at, a.seq limit ${SUMMARY_ALERTS}`, [area.path])
    const counts = (await this.db.query<{ open: number; acknowledged: number; assigned: number; unassigned: number; offline: number }>(
      `select count(*) filter (where a.status = 'open')::int as open, count(*) filter (where a.status = 'acknowledged')::int as acknowledged,
        count(*) filter (where a.assignee_id is not null)::int as assigned, count(*) filter (where a.assignee_id is null)::int as unassigned,
        count(distinct a.device_id) filter (where a.type = 'device_offline')::int as offline
        from alerts a where a.status <> 'resolved' and ${inArea}`, [area.path])).rows[0]!
    const esc = await this.db.query<{ alert_id: string; at: Date; detail: { toLevel?: number; areaId?: string } }>(
      `select e.alert_id, e.at, e.detail from alert_events e join alerts a on a.id = e.alert_id
        where e.action = 'escalated_to_parent' and e.at >= $2 and ${inArea} order by e.seq limit 1000`, [area.path, since])
    return {
      areaId: area.id,
      since: since.toISOString(),
      liveAlerts: live.rows.map((r) => ({
        id: r.id, type: r.type, severity: r.severity, status: r.status, stage: r.stage, buildingId: r.building_id,
        assigneeId: r.assignee_id, assigneeName: r.assignee_name, escalationLevel: r.escalation_level, createdAt: iso(r.created_at),
      })),
      counts: { open: counts.open, acknowledged: counts.acknowledged, assigned: counts.assigned, unassigned: counts.unassigned },
      escalations: esc.rows.map((e) => ({ alertId: e.alert_id, at: iso(e.at), toLevel: e.detail.toLevel ?? 0, areaId: e.detail.areaId ?? null })),
      offlineDevices: counts.offline,
    }
  }
}
