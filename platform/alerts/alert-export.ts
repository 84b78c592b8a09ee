// GET /alerts/export.csv: the alerts resolved in a time range, within the
// viewer's scope, as CSV for a spreadsheet: UTF-8 with a byte order mark (so
// that Excel reads Chinese text correctly), CRLF line ends, English column
// names and codes (the consoles translate), and cells that a spreadsheet
// would take for a formula prefixed with an apostrophe.

import { Errors } from '../errors.ts'
import type { Actor } from '../registry/access.ts'
import type { Database } from '../store/database.ts'
import { SELECT_ALERT } from './alert-store.ts'
import { alertScopeSql, toAlert, type Alert, type AlertRow } from './model.ts'

export const EXPORT_COLUMNS = [
  'id', 'type', 'severity', 'stage', 'building_id', 'room_id', 'door', 'device_id', 'area_path', 'count',
  'first_at', 'last_at', 'created_at', 'acknowledged_by', 'acknowledged_at', 'assignee_id', 'assignee_name', 'assigned_at',
  'escalation_level', 'escalated_to', 'resolved_by', 'resolved_at', 'closure_reason', 'auto_resolved', 'resolution_note', 'explanation',
] as const

const MAX_RANGE_MS = 366 * 86_400_000
const MAX_ROWS = 100_000
const BOM = '\uFEFF'

/** One CSV cell: quoted when needed; a leading = + - @ (or tab, CR) would start a formula, so it gets an apostrophe. */
export function csvCell (v: unknown): string {
  if (v === null || v === undefined) return ''
  let s = String(v)
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s
}

const cells = (a: Alert): unknown[] => [
  a.id, a.type, a.severity, a.stage, a.buildingId, a.roomId, a.door, a.deviceId, a.areaPath, a.count,
  a.firstAt, a.lastAt, a.createdAt, a.acknowledgedBy, a.acknowledgedAt, a.assigneeId, a.assigneeName, a.assignedAt,
  a.escalationLevel, a.escalatedTo, a.resolvedBy, a.resolvedAt, a.closureReason, a.autoResolved, a.resolutionNote, a.explanation,
]

/** The CSV text (with its BOM) of the alerts resolved in [since, until) that `actor` may see, oldest first. */
export async function exportResolvedCsv (db: Database, actor: Actor, q: { since: string; until?: string }, now = new Date()): Promise<string> {
  if (actor.role === 'vendor') throw new Errors.Forbidden('device vendors do not receive alerts')
  const since = Date.parse(q.since)
  const until = q.until === undefined ? now.getTime() : Date.parse(q.until)
  if (Number.isNaN(since) || Number.isNaN(until)) throw new Errors.BadRequest('since and until must be ISO date-times')
  if (!(since < until)) throw new Errors.BadRequest('since must be before until')
  if (until - since > MAX_RANGE_MS) throw new Errors.BadRequest('an export covers at most 366 days')
  const params: unknown[] = [new Date(since), new Date(until)]
  const scope = alertScopeSql(actor, 'b', params)
  params.push(MAX_ROWS)
  const r = await db.query<AlertRow>(
    `${SELECT_ALERT} where a.status = 'resolved' and a.resolved_at >= $1 and a.resolved_at < $2 and ${scope}
      order by a.resolved_at, a.seq limit $${params.length}`, params)
  const lines = [EXPORT_COLUMNS.join(','), ...r.rows.map((row) => cells(toAlert(row)).map(csvCell).join(','))]
  return `${BOM}${lines.join('\r\n')}\r\n`
}
