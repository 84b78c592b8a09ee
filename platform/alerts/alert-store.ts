// The alert service's set-based statements. Each takes a whole round of a
// batch as one JSON parameter (jsonb_to_recordset), so a batch costs a few
// statements however many candidates it holds. Run inside one transaction.

import type { Jurisdiction } from '../../contract/alert-candidate.ts'
import type { Severity, WebhookEvent } from '../../contract/vocabulary.ts'
import type { Queryable } from '../store/database.ts'
import type { Alert, AlertAction, AlertRow } from './model.ts'
import { EVIDENCE_CAP, type ClearOp, type MergedRaise } from './plan.ts'
import { newId } from '../registry/context.ts'

/** users.display_name of the assignee of the row `alias`, as assignee_name. */
export const ASSIGNEE_NAME = (alias: string): string => `(select u.display_name from users u where u.id = ${alias}.assignee_id) as assignee_name`

export const SELECT_ALERT = `select a.*, b.landlord_id, ${ASSIGNEE_NAME('a')} from alerts a join buildings b on b.id = a.building_id`

export interface UpsertResult {
  /** The raise this row answers. */
  raise: MergedRaise
  row: AlertRow
  inserted: boolean
  /** Severity before this statement (null when inserted, or when a concurrent insert hid it). */
  prevSeverity: Severity | null
}

const isoAt = (ms: number): string => new Date(ms).toISOString()

/**
 * New conditions become open alerts; a live alert with the same key gets
 * count + n, the latest time, evidence appended (last 20 kept) and the higher
 * severity. ON CONFLICT on the partial unique index makes concurrent raises of
 * one key safe: exactly one inserts, the others update. Raises for buildings
 * that do not exist are skipped (not in the result).
 */
export async function upsertRaises (
  tx: Queryable, raises: readonly MergedRaise[], now: Date,
  jurisdictionOf: (buildingId: string) => Jurisdiction | undefined,
): Promise<UpsertResult[]> {
  if (raises.length === 0) return []
  const rows = raises.map((m, ord) => {
    const c = m.latest
    const j = jurisdictionOf(c.buildingId)
    return {
      ord, id: newId('al'), dedup_key: m.dedupKey, type: c.type, severity: m.severity, building_id: c.buildingId,
      room_id: c.roomId ?? null, door: c.door ?? null, device_id: c.deviceId ?? null,
      credential_id: c.credentialId ?? null, resident_id: c.residentId ?? null,
      district: j?.district ?? null, street: j?.street ?? null, community: j?.community ?? null, grid: j?.grid || null,
      n: m.count, first_at: isoAt(m.firstAt), last_at: isoAt(m.lastAt), evidence: m.evidence, explanation: c.explanation, level: m.level,
      reason: c.reason ?? null,
    }
  })
  const r = await tx.query<AlertRow & { inserted: boolean; prev_severity: Severity | null; ord: number }>(`
    with x as (
      select * from jsonb_to_recordset($1::jsonb) as x (
        ord int, id text, dedup_key text, type text, severity text, building_id text, room_id text, door text,
        device_id text, credential_id text, resident_id text, district text, street text, community text, grid text,
        n int, first_at timestamptz, last_at timestamptz, evidence jsonb, explanation text, level int, reason jsonb)
    ),
    prev as (
      select a.dedup_key, a.severity from alerts a join x on x.dedup_key = a.dedup_key where a.status <> 'resolved'
    ),
    up as (
      insert into alerts as a (id, dedup_key, type, severity, building_id, room_id, door, device_id, credential_id,
        resident_id, district, street, community, grid, area_path, count, first_at, last_at, evidence, explanation, level,
        reason, created_at, updated_at)
      select x.id, x.dedup_key, x.type, x.severity, x.building_id, x.room_id, x.door, x.device_id, x.credential_id,
        x.resident_id,
        coalesce(x.district, nullif(split_part(b.area_path, '/', 2), '')),
        coalesce(x.street, nullif(split_part(b.area_path, '/', 3), '')),
        coalesce(x.community, nullif(split_part(b.area_path, '/', 4), '')),
        coalesce(x.grid, nullif(split_part(b.area_path, '/', 5), ''), b.grid_id),
        b.area_path, x.n, x.first_at, x.last_at,
        array(select jsonb_array_elements_text(x.evidence)), x.explanation, x.level, x.reason, $2::timestamptz, $2::timestamptz
      from x join buildings b on b.id = x.building_id
      order by x.ord
      on conflict (dedup_key) where status <> 'resolved' do update set
        count = a.count + excluded.count,
        first_at = least(a.first_at, excluded.first_at),
        last_at = greatest(a.last_at, excluded.last_at),
        evidence = (a.evidence || excluded.evidence)[greatest(1, cardinality(a.evidence) + cardinality(excluded.evidence) - ${EVIDENCE_CAP - 1}):],
        severity = case when alert_severity_rank(excluded.severity) > alert_severity_rank(a.severity)
          then excluded.severity else a.severity end,
        explanation = excluded.explanation,
        reason = excluded.reason,
        level = coalesce(excluded.level, a.level),
        updated_at = excluded.updated_at
      returning a.*, (a.xmax = 0) as inserted
    )
    select up.*, prev.severity as prev_severity, b.landlord_id, ${ASSIGNEE_NAME('up')}, x.ord
    from up join buildings b on b.id = up.building_id join x on x.dedup_key = up.dedup_key
      left join prev on prev.dedup_key = up.dedup_key
    order by x.ord`,
  [JSON.stringify(rows), now])
  // A round holds each key once, so `ord` names the raise of each row.
  return r.rows.flatMap(({ ord, ...row }) => {
    const raise = raises[ord]
    return raise === undefined ? [] : [{ raise, row, inserted: row.inserted, prevSeverity: row.inserted ? null : row.prev_severity }]
  })
}

export interface ChangeResult {
  /** The update this row answers (its `order` places it in the batch). */
  update: MergedRaise
  row: AlertRow
  /** Level before the change. */
  prevLevel: number | null
}

/**
 * Brings the live alert of each changed condition up to date: level,
 * explanation, latest time, evidence appended (repeats dropped, last 20
 * kept). A key without a live alert is left alone (a condition a person
 * resolved stays resolved until it ends), and so is an alert that already
 * says the same (an update repeated after a restart): only real changes
 * come back.
 */
export async function updateConditions (tx: Queryable, updates: readonly MergedRaise[], now: Date): Promise<ChangeResult[]> {
  if (updates.length === 0) return []
  const rows = updates.map((m) => ({
    dedup_key: m.dedupKey, level: m.level, last_at: isoAt(m.lastAt), evidence: m.evidence, explanation: m.latest.explanation,
    reason: m.latest.reason ?? null,
  }))
  const r = await tx.query<AlertRow & { prev_level: number | null }>(`
    with x as (
      select * from jsonb_to_recordset($1::jsonb) as x (dedup_key text, level int, last_at timestamptz, evidence jsonb, explanation text, reason jsonb)
    ),
    prev as (
      select a.id, a.level from alerts a join x on x.dedup_key = a.dedup_key where a.status <> 'resolved'
    ),
    up as (
      update alerts a set level = x.level, explanation = x.explanation, reason = x.reason, last_at = greatest(a.last_at, x.last_at),
        evidence = array(
          select e from (
            select e, max(o) as o from unnest(a.evidence || array(select jsonb_array_elements_text(x.evidence))) with ordinality as t (e, o)
            group by e order by max(o) desc limit ${EVIDENCE_CAP}
          ) d order by o),
        updated_at = $2::timestamptz
      from x where a.dedup_key = x.dedup_key and a.status <> 'resolved'
        and (a.level is distinct from x.level or a.explanation <> x.explanation or a.reason is distinct from x.reason)
      returning a.*
    )
    select up.*, prev.level as prev_level, b.landlord_id, ${ASSIGNEE_NAME('up')}
    from up join prev on prev.id = up.id join buildings b on b.id = up.building_id
    order by up.dedup_key`,
  [JSON.stringify(rows), now])
  const byKey = new Map(updates.map((u) => [u.dedupKey, u]))
  return r.rows.map((row) => ({ update: byKey.get(row.dedup_key)!, row, prevLevel: row.prev_level }))
}

/** Auto-resolves the live alert of each cleared key, if there is one; each row with the clear it answers. */
export async function resolveClears (tx: Queryable, clears: readonly ClearOp[], now: Date): Promise<Array<{ clear: ClearOp; row: AlertRow }>> {
  if (clears.length === 0) return []
  const r = await tx.query<AlertRow & { ord: number }>(`
    with x as (select * from jsonb_to_recordset($1::jsonb) as x (ord int, dedup_key text)),
    up as (
      update alerts a set status = 'resolved', resolved_at = $2::timestamptz, resolved_by = null, auto_resolved = true,
        resolution_note = 'condition cleared', updated_at = $2::timestamptz
      from x where a.dedup_key = x.dedup_key and a.status <> 'resolved'
      returning a.*
    )
    select up.*, b.landlord_id, ${ASSIGNEE_NAME('up')}, x.ord from up join buildings b on b.id = up.building_id join x on x.dedup_key = up.dedup_key
    order by x.ord`,
  [JSON.stringify(clears.map((c, ord) => ({ ord, dedup_key: c.dedupKey }))), now])
  return r.rows.flatMap(({ ord, ...row }) => {
    const clear = clears[ord]
    return clear === undefined ? [] : [{ clear, row }]
  })
}

export interface HistoryInput {
  alertId: string
  actorId: string | null
  action: AlertAction
  note?: string | null
  detail?: Record<string, unknown>
}

export async function insertHistory (tx: Queryable, entries: readonly HistoryInput[], now: Date): Promise<void> {
  if (entries.length === 0) return
  const rows = entries.map((e, ord) => ({
    ord, alert_id: e.alertId, actor_id: e.actorId, action: e.action, note: e.note ?? null, detail: e.detail ?? {},
  }))
  await tx.query(`
    insert into alert_events (alert_id, at, actor_id, action, note, detail)
    select x.alert_id, $2::timestamptz, x.actor_id, x.action, x.note, x.detail
    from jsonb_to_recordset($1::jsonb) as x (ord int, alert_id text, actor_id text, action text, note text, detail jsonb)
    order by x.ord`, [JSON.stringify(rows), now])
}

export { WEBHOOK_EVENTS, type WebhookEvent } from '../../contract/vocabulary.ts'

/** What is stored in the outbox; the delivery adds its id (`delivery`) and `webhookId`. */
export interface WebhookPayload {
  event: WebhookEvent
  alert: Alert
}

/**
 * Queues one delivery per enabled webhook subscribed to alerts whose area contains the alert's
 * building and whose threshold the severity reaches, in the given order.
 * `raisedTo` (an escalation to a parent area, its path): the webhooks of that
 * area (and of the areas between it and the building) receive it whatever
 * their threshold. Returns the number of
 * rows queued.
 */
export async function enqueueOutbox (tx: Queryable, items: ReadonlyArray<WebhookPayload>, raisedTo?: string): Promise<number> {
  if (items.length === 0) return 0
  const rows = items.map((p, ord) => ({ ord, alert_id: p.alert.id, area_path: p.alert.areaPath, severity: p.alert.severity, event: p.event, payload: p }))
  const r = await tx.query(`
    insert into webhook_outbox (webhook_id, alert_id, event, payload)
    select w.id, x.alert_id, x.event, x.payload
    from jsonb_to_recordset($1::jsonb) as x (ord int, alert_id text, area_path text, severity text, event text, payload jsonb)
    join webhooks w on w.enabled and 'alerts' = any(w.subscriptions)
      and left(x.area_path, length(w.area_path)) = w.area_path
      and (alert_severity_rank(x.severity) >= alert_severity_rank(w.min_severity)
        or ($2::text is not null and left(w.area_path, length($2::text)) = $2::text))
    order by x.ord, w.id`, [JSON.stringify(rows), raisedTo ?? null])
  return r.rowCount
}
