// What an alert is once the alert service has it: the stored condition with
// its lifecycle, its history, the change notifications, and who may see it.

import type { Alert, AlertHistoryEntry, AlertWithHistory } from '../../contract/schemas/alerts.ts'
import type { ALERT_CHANGE_KINDS, AlertAction, AlertStage, AlertStatus, AlertType, ClosureReason, Severity } from '../../contract/vocabulary.ts'
import { buildingScope, can, type Actor } from '../registry/access.ts'
import { iso } from '../registry/context.ts'

export { ALERT_ACTIONS, ALERT_STATUSES, severityRank, type AlertAction, type AlertStatus } from '../../contract/vocabulary.ts'
// As the API shows them (contract/schemas/alerts.ts): the stream, the webhooks and the MQTT topics send the same.
export type { Alert, AlertHistoryEntry, AlertWithHistory }

/** Who may see an alert: the landlord and the area of its building (copied at change time). */
export interface AlertScope {
  landlordId: string | null
  areaPath: string
}

export type AlertChangeKind = (typeof ALERT_CHANGE_KINDS)[number]

/** Emitted on AlertService.changes$ after the change is committed. */
export interface AlertChange {
  kind: AlertChangeKind
  alert: Alert
  scope: AlertScope
}

export interface AlertFilter {
  /** 'live' = open or acknowledged. */
  status?: AlertStatus | 'live'
  type?: AlertType
  buildingId?: string
  /** Exactly this severity. */
  severity?: Severity
  /** This severity or higher. */
  minSeverity?: Severity
  stage?: AlertStage
  /** `me` or a user id: alerts assigned to them. */
  assignee?: string
  /** Alerts whose latest occurrence (event time) is at or after this ISO time. */
  since?: string
  limit?: number
  /** `nextCursor` of the previous page. */
  cursor?: string
}

export interface AlertPage {
  items: Alert[]
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null
}

/** Vendors integrate devices; alerts are about residents and doors, so they see none. */
export function canSeeAlert (actor: Actor, scope: AlertScope): boolean {
  if (actor.role === 'vendor') return false
  return can(actor, 'building.read', { landlord_id: scope.landlordId, area_path: scope.areaPath })
}

/** SQL condition on the buildings table (alias) selecting buildings whose alerts `actor` may see. */
export function alertScopeSql (actor: Actor, buildingAlias: string, params: unknown[]): string {
  if (actor.role === 'vendor') return 'false'
  return buildingScope(actor, 'building.read', buildingAlias, params)
}

/** Only the jurisdiction (police, grid workers) and administrators close alerts; landlords see and acknowledge. */
export function canResolveAlert (actor: Actor): boolean {
  return actor.role === 'admin' || actor.role === 'police' || actor.role === 'grid_worker'
}

/** Dispatch (assign) and verification: police of the jurisdiction and administrators. */
export function canDispatchAlert (actor: Actor): boolean {
  return actor.role === 'admin' || actor.role === 'police'
}

/** Grid workers act only on the alerts assigned to them; everyone else as their role allows. */
export function actsOnOwnAssignment (actor: Actor, row: Pick<AlertRow, 'assignee_id'>): boolean {
  return actor.role !== 'grid_worker' || row.assignee_id === actor.id
}

/** An `alerts` row joined with its building's `landlord_id`. */
export interface AlertRow {
  id: string; seq: number; dedup_key: string; type: AlertType; severity: Severity; status: AlertStatus
  building_id: string; room_id: string | null; door: string | null; device_id: string | null
  credential_id: string | null; resident_id: string | null
  district: string | null; street: string | null; community: string | null; grid: string | null; area_path: string
  count: number; level: number | null; first_at: Date; last_at: Date; created_at: Date; updated_at: Date; evidence: string[]; explanation: string
  /** jsonb: {code, params} (contract/alert-wording.ts); null before migration 025. */
  reason: { code: string; params: Record<string, unknown> } | null
  acknowledged_by: string | null; acknowledged_at: Date | null; resolved_by: string | null; resolved_at: Date | null
  resolution_note: string | null; auto_resolved: boolean; landlord_id: string | null
  stage: AlertStage; assignee_id: string | null; assigned_at: Date | null; closure_reason: ClosureReason | null
  escalation_level: number; escalated_to: string | null; escalated_at: Date | null
  /** Joined: users.display_name of the assignee (undefined where a statement did not join it). */
  assignee_name?: string | null
}

export const toAlert = (r: AlertRow): Alert => ({
  id: r.id,
  dedupKey: r.dedup_key,
  type: r.type,
  severity: r.severity,
  status: r.status,
  buildingId: r.building_id,
  roomId: r.room_id,
  door: r.door,
  deviceId: r.device_id,
  credentialId: r.credential_id,
  residentId: r.resident_id,
  jurisdiction: { district: r.district, street: r.street, community: r.community, grid: r.grid ?? '' },
  areaPath: r.area_path,
  count: r.count,
  level: r.level,
  firstAt: iso(r.first_at),
  lastAt: iso(r.last_at),
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
  evidence: r.evidence,
  explanation: r.explanation,
  reason: r.reason ?? null,
  acknowledgedBy: r.acknowledged_by,
  acknowledgedAt: iso(r.acknowledged_at),
  resolvedBy: r.resolved_by,
  resolvedAt: iso(r.resolved_at),
  resolutionNote: r.resolution_note,
  autoResolved: r.auto_resolved,
  stage: r.stage,
  assigneeId: r.assignee_id,
  assigneeName: r.assignee_name ?? null,
  assignedAt: iso(r.assigned_at),
  closureReason: r.closure_reason,
  escalationLevel: r.escalation_level,
  escalatedTo: r.escalated_to,
  escalatedAt: iso(r.escalated_at),
})

export const scopeOf = (r: AlertRow): AlertScope => ({ landlordId: r.landlord_id, areaPath: r.area_path })

export interface AlertEventRow {
  seq: number; at: Date; actor_id: string | null; actor_name: string | null; action: AlertAction; note: string | null; detail: Record<string, unknown>
}

export const toHistoryEntry = (r: AlertEventRow): AlertHistoryEntry => ({
  seq: Number(r.seq), at: iso(r.at), actorId: r.actor_id, actorName: r.actor_name, action: r.action, note: r.note, detail: r.detail,
})

/** An alert's history with the actors' display names, oldest first. */
export const SELECT_HISTORY = `select e.seq, e.at, e.actor_id, u.display_name as actor_name, e.action, e.note, e.detail
  from alert_events e left join users u on u.id = e.actor_id`
