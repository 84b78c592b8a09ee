// The audit log: who looked at or changed personal data and access rights.
// Append-only (a database trigger refuses UPDATE and DELETE). Reads of people
// write one row per request, so the table grows with use: list() filters on
// indexed columns (action, actor, subject, time; migration 015).

import { Errors } from '../errors.ts'
import type { Queryable } from '../store/database.ts'
import type { Actor } from './access.ts'
import { iso, type RegistryContext } from './context.ts'

export interface AuditEntry {
  seq: number
  at: string
  actorId: string | null
  actorRole: string | null
  action: string
  subjectType: string | null
  subjectId: string | null
  ip: string | null
  detail: Record<string, unknown>
}

export async function writeAudit (
  q: Queryable,
  actor: Actor | null,
  action: string,
  subject: { type: string; id: string } | null,
  detail: Record<string, unknown> = {},
): Promise<void> {
  await q.query(
    `insert into audit_log (actor_id, actor_role, action, subject_type, subject_id, ip, detail)
     values ($1, $2, $3, $4, $5, $6, $7)`,
    [actor?.id ?? null, actor?.role ?? null, action, subject?.type ?? null, subject?.id ?? null, actor?.ip ?? null, detail],
  )
}

interface AuditRow {
  seq: number; at: Date; actor_id: string | null; actor_role: string | null; action: string
  subject_type: string | null; subject_id: string | null; ip: string | null; detail: Record<string, unknown>
}

export interface AuditFilter {
  /** Exactly this action. */
  action?: string
  /** Actions starting with this (`login.`, `resident.`). */
  actionPrefix?: string
  subjectType?: string
  subjectId?: string
  actorId?: string
  ip?: string
  /** At or after this time (ISO). */
  since?: string
  /** Before this time (ISO). */
  until?: string
  limit?: number
  beforeSeq?: number
}

export class AuditLog {
  constructor (private readonly ctx: RegistryContext) {}

  /** Newest first. Admins only. */
  async list (actor: Actor, filter: AuditFilter): Promise<AuditEntry[]> {
    if (actor.role !== 'admin') throw new Errors.Forbidden('only administrators read the audit log')
    const params: unknown[] = []
    const where: string[] = []
    const add = (sql: string, v: unknown): void => { params.push(v); where.push(sql.replaceAll('?', `$${params.length}`)) }
    if (filter.action !== undefined) add('action = ?', filter.action)
    // A prefix test without LIKE: `_` is a LIKE wildcard and common in action names.
    if (filter.actionPrefix !== undefined) add('left(action, length(?::text)) = ?::text', filter.actionPrefix)
    if (filter.subjectType !== undefined) add('subject_type = ?', filter.subjectType)
    if (filter.subjectId !== undefined) add('subject_id = ?', filter.subjectId)
    if (filter.actorId !== undefined) add('actor_id = ?', filter.actorId)
    if (filter.ip !== undefined) add('ip = ?', filter.ip)
    if (filter.since !== undefined) add('at >= ?::timestamptz', filter.since)
    if (filter.until !== undefined) add('at < ?::timestamptz', filter.until)
    if (filter.beforeSeq !== undefined) add('seq < ?', filter.beforeSeq)
    params.push(Math.min(filter.limit ?? 100, 1000))
    const r = await this.ctx.db.query<AuditRow>(
      `select * from audit_log ${where.length > 0 ? `where ${where.join(' and ')}` : ''} order by seq desc limit $${params.length}`,
      params,
    )
    return r.rows.map((row) => ({
      seq: Number(row.seq),
      at: iso(row.at),
      actorId: row.actor_id,
      actorRole: row.actor_role,
      action: row.action,
      subjectType: row.subject_type,
      subjectId: row.subject_id,
      ip: row.ip,
      detail: row.detail,
    }))
  }
}
