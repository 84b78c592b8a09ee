// Alerts: one per condition, with a lifecycle (open -> acknowledged ->
// resolved). The pipeline raises candidates in batches; each batch is one
// transaction that upserts the alerts, appends their history and queues the
// webhook deliveries (outbox), so a committed alert is never without its
// deliveries. Changes are announced on `changes$` after the commit.

import type { Logger } from 'pino'
import { Subject } from 'rxjs'
import { Errors } from '../errors.ts'
import type { AlertCandidate, Jurisdiction } from '../../contract/alert-candidate.ts'
import type { Actor } from '../registry/access.ts'
import { sqlState, UNIQUE_VIOLATION, type Database, type Queryable } from '../store/database.ts'
import {
  enqueueOutbox, insertHistory, resolveClears, SELECT_ALERT, updateConditions, upsertRaises,
  type HistoryInput, type WebhookPayload,
} from './alert-store.ts'
import {
  actsOnOwnAssignment, alertScopeSql, canDispatchAlert, canResolveAlert, canSeeAlert, scopeOf, SELECT_HISTORY, severityRank, toAlert, toHistoryEntry,
  type Alert, type AlertChange, type AlertEventRow, type AlertFilter, type AlertHistoryEntry, type AlertPage, type AlertRow, type AlertWithHistory,
} from './model.ts'
import type { Assignee } from '../../contract/schemas/alerts.ts'
import { ALERT_TYPES, CLOSURE_REASONS, SEVERITIES, type AlertType, type ClosureReason, type Severity } from '../../contract/vocabulary.ts'
import { plan } from './plan.ts'

export interface AlertServiceEvents {
  /** Deliveries were committed to webhook_outbox: wake the dispatcher (WebhookDispatcher.wake). */
  outboxAdded? (): void
}

export interface AlertServiceDeps {
  db: Database
  now?: () => Date
  events?: AlertServiceEvents
  logger?: Pick<Logger, 'warn' | 'error'>
}

export interface RaiseSummary {
  opened: number
  /** Counter bumps of live alerts (escalations included). */
  updated: number
  escalated: number
  /** Raised conditions brought up to date (level, explanation): `updates` candidates that changed a live alert. */
  changed: number
  /** Auto-resolved because the condition cleared. */
  resolved: number
  /** `clears` for a key with no live alert. */
  clearsIgnored: number
  /** Raises for a building the registry does not know. */
  unknownBuilding: number
  /** Malformed candidates (unknown type or severity, no key). */
  rejected: number
}

const DEADLOCK = '40P01'
const SERIALIZATION_FAILURE = '40001'
const RETRIED = new Set([DEADLOCK, SERIALIZATION_FAILURE, UNIQUE_VIOLATION])
const MAX_ATTEMPTS = 5
const DEFAULT_LIMIT = 100

/** History actions a person's request makes; each is also its change kind and its webhook event (`alert.<action>`). */
type TransitionAction = 'acknowledged' | 'resolved' | 'assigned' | 'feedback' | 'verified' | 'verification_rejected' | 'commented'

/**
 * Where an alert at `level` (0: its own area) goes next: the street (1), else
 * the district (2); the area path is /district/street/community/grid/.
 */
export function escalationTarget (areaPath: string, level: number): { level: number; areaId: string; path: string } | undefined {
  const parts = areaPath.split('/').filter((p) => p !== '')
  for (let next = level + 1; next <= 2; next++) {
    const depth = 3 - next // 1 -> street (2 levels deep), 2 -> district (1)
    // An alert whose building hangs directly below that level has no parent there to go to.
    if (parts.length <= depth) continue
    const areaId = parts[depth - 1]
    if (areaId !== undefined) return { level: next, areaId, path: `/${parts.slice(0, depth).join('/')}/` }
  }
  return undefined
}

interface Outcome<T> { value: T; changes: AlertChange[]; queued: number }

/** One raise's, update's or clear's announcements, and the position in its batch of the event behind it. */
interface Effect { order: number; change: AlertChange; history?: HistoryInput; outbox?: WebhookPayload }

export class AlertService {
  /** Every committed change, in commit order. Subscribers must not throw. */
  readonly changes$ = new Subject<AlertChange>()
  readonly counters = { batches: 0, candidates: 0, opened: 0, updated: 0, changed: 0, resolved: 0, retries: 0, rejected: 0, unknownBuilding: 0 }
  private readonly now: () => Date

  constructor (private readonly deps: AlertServiceDeps) {
    this.now = deps.now ?? (() => new Date())
  }

  /** The database the alerts are in (for the evidence, export and handover reads beside the service). */
  get database (): Database { return this.deps.db }

  /** The service's clock. */
  get clock (): () => Date { return this.now }

  /** Raises one candidate; returns the change it made, or null (a clear with nothing to clear, unknown building). */
  async raise (candidate: AlertCandidate, jurisdiction?: Jurisdiction): Promise<AlertChange | null> {
    const changes: AlertChange[] = []
    await this.apply([candidate], () => jurisdiction, changes)
    return changes[changes.length - 1] ?? null
  }

  /**
   * Raises a batch in one transaction (the pipeline's AlertSink). Same-key
   * candidates fold together; order within a key is kept (a clear between two
   * raises resolves the first alert and opens a second). Jurisdiction columns
   * come from `jurisdictionOf` or else from the building's area path.
   */
  async raiseMany (candidates: readonly AlertCandidate[], jurisdictionOf?: (buildingId: string) => Jurisdiction | undefined): Promise<void> {
    await this.raiseBatch(candidates, jurisdictionOf)
  }

  /**
   * raiseMany, telling what the batch did. `alsoInTx` runs in the same
   * transaction, after the alerts (the pipeline records its progress there),
   * even when the batch is empty.
   */
  async raiseBatch (
    candidates: readonly AlertCandidate[], jurisdictionOf?: (buildingId: string) => Jurisdiction | undefined,
    alsoInTx?: (tx: Queryable) => Promise<void>,
  ): Promise<RaiseSummary> {
    return this.apply(candidates, jurisdictionOf ?? (() => undefined), [], alsoInTx)
  }

  private async apply (
    candidates: readonly AlertCandidate[], jurisdictionOf: (buildingId: string) => Jurisdiction | undefined, out: AlertChange[],
    alsoInTx?: (tx: Queryable) => Promise<void>,
  ): Promise<RaiseSummary> {
    const now = this.now()
    const { rounds, rejected } = plan(candidates, now.getTime())
    for (const r of rejected) this.deps.logger?.warn({ dedupKey: r.candidate.dedupKey, reason: r.reason }, 'alert candidate rejected')
    const summary: RaiseSummary = { opened: 0, updated: 0, escalated: 0, changed: 0, resolved: 0, clearsIgnored: 0, unknownBuilding: 0, rejected: rejected.length }
    if (rounds.length === 0 && alsoInTx === undefined) return summary
    const outcome = await this.write(async (tx) => {
      const s = { ...summary }
      // What each raise and clear announces, with its place in the batch: the statements run in key order
      // (for row locks), the announcements (history, webhook deliveries, live changes) follow the events.
      const effects: Effect[] = []
      for (const round of rounds) {
        const upserted = await upsertRaises(tx, round.raises, now, jurisdictionOf)
        s.unknownBuilding += round.raises.length - upserted.length
        for (const { raise, row, inserted, prevSeverity } of upserted) {
          const alert = toAlert(row)
          const effect: Effect = { order: raise.order, change: { kind: inserted ? 'opened' : 'updated', alert, scope: scopeOf(row) } }
          if (inserted) {
            s.opened++
            effect.history = { alertId: alert.id, actorId: null, action: 'opened', detail: { severity: alert.severity } }
            effect.outbox = { event: 'alert.opened', alert }
          } else {
            s.updated++
            if (prevSeverity !== null && severityRank(alert.severity) > severityRank(prevSeverity)) {
              s.escalated++
              effect.history = { alertId: alert.id, actorId: null, action: 'escalated', detail: { from: prevSeverity, to: alert.severity } }
              effect.outbox = { event: 'alert.escalated', alert }
            }
          }
          effects.push(effect)
        }
        for (const { update, row, prevLevel } of await updateConditions(tx, round.updates, now)) {
          const alert = toAlert(row)
          s.changed++
          effects.push({
            order: update.order,
            change: { kind: 'updated', alert, scope: scopeOf(row) },
            history: { alertId: alert.id, actorId: null, action: 'changed', detail: { level: { from: prevLevel, to: alert.level } } },
            outbox: { event: 'alert.changed', alert },
          })
        }
        const resolved = await resolveClears(tx, round.clears, now)
        s.resolved += resolved.length
        s.clearsIgnored += round.clears.length - resolved.length
        for (const { clear, row } of resolved) {
          const alert = toAlert(row)
          effects.push({
            order: clear.order,
            change: { kind: 'resolved', alert, scope: scopeOf(row) },
            history: { alertId: alert.id, actorId: null, action: 'resolved', note: 'condition cleared', detail: { auto: true } },
            outbox: { event: 'alert.resolved', alert },
          })
        }
      }
      // Stable: a key's later runs (rounds) come after its earlier ones, as their events did.
      effects.sort((a, b) => a.order - b.order)
      await insertHistory(tx, effects.flatMap((e) => (e.history === undefined ? [] : [e.history])), now)
      const queued = await enqueueOutbox(tx, effects.flatMap((e) => (e.outbox === undefined ? [] : [e.outbox])))
      if (alsoInTx !== undefined) await alsoInTx(tx)
      return { value: s, changes: effects.map((e) => e.change), queued }
    })
    const s = outcome.value
    Object.assign(this.counters, {
      batches: this.counters.batches + 1,
      candidates: this.counters.candidates + candidates.length,
      opened: this.counters.opened + s.opened,
      updated: this.counters.updated + s.updated,
      changed: this.counters.changed + s.changed,
      resolved: this.counters.resolved + s.resolved,
      rejected: this.counters.rejected + s.rejected,
      unknownBuilding: this.counters.unknownBuilding + s.unknownBuilding,
    })
    if (s.unknownBuilding > 0) this.deps.logger?.warn({ count: s.unknownBuilding }, 'alert candidates for unknown buildings skipped')
    out.push(...outcome.changes)
    return s
  }

  /**
   * Open -> acknowledged. Anyone who sees the alert may acknowledge it, a grid
   * worker only an alert assigned to them.
   */
  async acknowledge (actor: Actor, id: string, note?: string): Promise<Alert> {
    return this.transition(actor, id, async (tx, row, now) => {
      if (!actsOnOwnAssignment(actor, row)) throw new Errors.Forbidden('grid workers act only on the alerts assigned to them')
      if (row.status === 'acknowledged') throw new Errors.IllegalTransition(`alert ${id} is already acknowledged`)
      if (row.status === 'resolved') throw new Errors.IllegalTransition(`alert ${id} is resolved; it cannot be acknowledged`)
      await tx.query(`update alerts set status = 'acknowledged', acknowledged_by = $2, acknowledged_at = $3::timestamptz,
        updated_at = $3::timestamptz where id = $1`, [id, actor.id, now])
      return { action: 'acknowledged', note: note ?? null }
    })
  }

  /**
   * Open or acknowledged -> resolved (stage archived), with a note and why it
   * is closed. Police (in their area), administrators, and the grid worker it
   * is assigned to.
   */
  async resolve (actor: Actor, id: string, note: string, closureReason: ClosureReason): Promise<Alert> {
    if (note.trim() === '') throw new Errors.BadRequest('a resolution note is required')
    if (!(CLOSURE_REASONS as readonly string[]).includes(closureReason)) throw new Errors.BadRequest(`closureReason must be one of ${CLOSURE_REASONS.join(', ')}`)
    return this.transition(actor, id, async (tx, row, now) => {
      if (!canResolveAlert(actor)) throw new Errors.Forbidden('only police, grid workers and administrators resolve alerts')
      if (!actsOnOwnAssignment(actor, row)) throw new Errors.Forbidden('grid workers act only on the alerts assigned to them')
      if (row.status === 'resolved') throw new Errors.IllegalTransition(`alert ${id} is already resolved`)
      await tx.query(`update alerts set status = 'resolved', resolved_by = $2, resolved_at = $3::timestamptz,
        resolution_note = $4, closure_reason = $5, auto_resolved = false, updated_at = $3::timestamptz where id = $1`, [id, actor.id, now, note, closureReason])
      return { action: 'resolved', note, detail: { closureReason } }
    })
  }

  /** Grid workers an alert may be assigned to: enabled, their area containing the alert's building. */
  async assignees (actor: Actor, id: string): Promise<Assignee[]> {
    const row = await this.visible(actor, id)
    if (!canDispatchAlert(actor)) throw new Errors.Forbidden('only police and administrators dispatch alerts')
    const r = await this.deps.db.query<{ id: string; display_name: string; area_id: string; path: string }>(
      `select u.id, u.display_name, u.area_id, ar.path from users u join areas ar on ar.id = u.area_id
        where u.role = 'grid_worker' and not u.disabled and left($1::text, length(ar.path)) = ar.path
        order by length(ar.path) desc, u.display_name, u.id limit 500`, [row.area_path])
    return r.rows.map((u) => ({ id: u.id, displayName: u.display_name, areaId: u.area_id, areaPath: u.path }))
  }

  /**
   * 指挥派遣: reported or dispatched -> dispatched to a grid worker whose area
   * contains the alert's building. Police of the jurisdiction and
   * administrators. An open alert is acknowledged by its dispatch.
   */
  async assign (actor: Actor, id: string, assigneeId: string, note?: string): Promise<Alert> {
    return this.transition(actor, id, async (tx, row, now) => {
      if (!canDispatchAlert(actor)) throw new Errors.Forbidden('only police and administrators dispatch alerts')
      if (row.stage !== 'reported' && row.stage !== 'dispatched') {
        throw new Errors.IllegalTransition(`alert ${id} is ${row.stage}; only a reported or dispatched alert can be assigned`)
      }
      if (row.assignee_id === assigneeId) throw new Errors.IllegalTransition(`alert ${id} is already assigned to ${assigneeId}`)
      const u = (await tx.query<{ display_name: string }>(
        `select u.display_name from users u join areas ar on ar.id = u.area_id
          where u.id = $1 and u.role = 'grid_worker' and not u.disabled and left($2::text, length(ar.path)) = ar.path`,
        [assigneeId, row.area_path])).rows[0]
      if (u === undefined) throw new Errors.BadRequest(`${assigneeId} is not an enabled grid worker whose area contains this alert's building`)
      const acknowledges = row.status === 'open'
      await tx.query(`update alerts set stage = 'dispatched', assignee_id = $2, assigned_at = $3::timestamptz, updated_at = $3::timestamptz,
        status = 'acknowledged', acknowledged_by = coalesce(acknowledged_by, $4), acknowledged_at = coalesce(acknowledged_at, $3::timestamptz)
        where id = $1`, [id, assigneeId, now, actor.id])
      return {
        action: 'assigned', note: note ?? null,
        detail: { assigneeId, assigneeName: u.display_name, previousAssigneeId: row.assignee_id, acknowledged: acknowledges },
      }
    })
  }

  /** 处置反馈: dispatched (or feedback, to add to it) -> feedback, by the assignee. */
  async feedback (actor: Actor, id: string, note: string, photoRef?: string): Promise<Alert> {
    if (note.trim() === '') throw new Errors.BadRequest('a feedback note is required')
    return this.transition(actor, id, async (tx, row, now) => {
      if (row.assignee_id !== actor.id) throw new Errors.Forbidden('only the grid worker the alert is assigned to gives feedback')
      if (row.stage !== 'dispatched' && row.stage !== 'feedback') {
        throw new Errors.IllegalTransition(`alert ${id} is ${row.stage}; feedback is given on a dispatched alert`)
      }
      await tx.query(`update alerts set stage = 'feedback', updated_at = $2::timestamptz where id = $1`, [id, now])
      return { action: 'feedback', note, detail: photoRef === undefined ? {} : { photoRef } }
    })
  }

  /** 任务核查: feedback -> verified (accepted) or back to dispatched (rejected). Police and administrators. */
  async verify (actor: Actor, id: string, accepted: boolean, note?: string): Promise<Alert> {
    return this.transition(actor, id, async (tx, row, now) => {
      if (!canDispatchAlert(actor)) throw new Errors.Forbidden('only police and administrators verify alerts')
      if (row.stage !== 'feedback') throw new Errors.IllegalTransition(`alert ${id} is ${row.stage}; only an alert with feedback can be verified`)
      await tx.query(`update alerts set stage = $2, updated_at = $3::timestamptz where id = $1`, [id, accepted ? 'verified' : 'dispatched', now])
      return { action: accepted ? 'verified' : 'verification_rejected', note: note ?? null, detail: { accepted } }
    })
  }

  /** A comment in the history, by anyone who sees the alert (a grid worker: on an alert assigned to them). */
  async comment (actor: Actor, id: string, text: string): Promise<AlertHistoryEntry> {
    if (text.trim() === '') throw new Errors.BadRequest('a comment needs some text')
    let entry: AlertHistoryEntry | undefined
    await this.transition(actor, id, async (tx, row, now) => {
      if (!actsOnOwnAssignment(actor, row)) throw new Errors.Forbidden('grid workers act only on the alerts assigned to them')
      await tx.query('update alerts set updated_at = $2::timestamptz where id = $1', [id, now])
      return { action: 'commented', note: text }
    }, (e) => { entry = e })
    return entry!
  }

  /**
   * Raises every open alert whose acknowledgement is overdue (`afterS` of its
   * type and severity, counted from its creation or its last escalation) one
   * level up: community -> street (1) -> district (2). The parent area's
   * webhooks receive it whatever their severity threshold. Returns how many
   * alerts were raised.
   */
  async escalateOverdue (afterS: (type: AlertType, severity: Severity) => number | null, at?: Date): Promise<number> {
    const now = at ?? this.now()
    const outcome = await this.write(async (tx) => {
      // Each type and severity with its time: the statement picks exactly the overdue alerts.
      const limits = ALERT_TYPES.flatMap((type) => SEVERITIES.flatMap((severity) => {
        const after = afterS(type, severity)
        return after === null ? [] : [{ type, severity, after_s: after }]
      }))
      if (limits.length === 0) return { value: 0, changes: [], queued: 0 }
      const rows = (await tx.query<AlertRow & { after_s: number }>(`select a.*, x.after_s from alerts a
        join jsonb_to_recordset($1::jsonb) as x (type text, severity text, after_s int) on x.type = a.type and x.severity = a.severity
        where a.status = 'open' and a.escalation_level < 2
          and coalesce(a.escalated_at, a.created_at) <= $2::timestamptz - make_interval(secs => x.after_s)
        order by a.seq limit 1000 for update of a skip locked`, [JSON.stringify(limits), now])).rows
      const changes: AlertChange[] = []
      let queued = 0
      for (const row of rows) {
        const limit = row.after_s
        const target = escalationTarget(row.area_path, row.escalation_level)
        if (target === undefined) continue
        await tx.query(`update alerts set escalation_level = $2, escalated_to = $3, escalated_at = $4::timestamptz, updated_at = $4::timestamptz
          where id = $1`, [row.id, target.level, target.areaId, now])
        const updated = (await tx.query<AlertRow>(`${SELECT_ALERT} where a.id = $1`, [row.id])).rows[0]!
        const alert = toAlert(updated)
        await insertHistory(tx, [{
          alertId: row.id, actorId: null, action: 'escalated_to_parent',
          detail: { fromLevel: row.escalation_level, toLevel: target.level, areaId: target.areaId, afterS: limit },
        }], now)
        queued += await enqueueOutbox(tx, [{ event: 'alert.escalated_to_parent', alert }], target.path)
        changes.push({ kind: 'escalated_to_parent', alert, scope: scopeOf(updated) })
      }
      return { value: changes.length, changes, queued }
    })
    return outcome.value
  }

  /** The row of an alert the actor may see (else 404). */
  private async visible (actor: Actor, id: string): Promise<AlertRow> {
    const row = (await this.deps.db.query<AlertRow>(`${SELECT_ALERT} where a.id = $1`, [id])).rows[0]
    if (row === undefined || !canSeeAlert(actor, scopeOf(row))) throw new Errors.NotFound(`alert ${id}`)
    return row
  }

  private async transition (
    actor: Actor, id: string,
    change: (tx: Queryable, row: AlertRow, now: Date) => Promise<{ action: TransitionAction; note: string | null; detail?: Record<string, unknown> }>,
    entryOut?: (entry: AlertHistoryEntry) => void,
  ): Promise<Alert> {
    const now = this.now()
    const outcome = await this.write(async (tx) => {
      const row = (await tx.query<AlertRow>(`${SELECT_ALERT} where a.id = $1 for update of a`, [id])).rows[0]
      if (row === undefined || !canSeeAlert(actor, scopeOf(row))) throw new Errors.NotFound(`alert ${id}`)
      const { action, note, detail = {} } = await change(tx, row, now)
      const updated = (await tx.query<AlertRow>(`${SELECT_ALERT} where a.id = $1`, [id])).rows[0]!
      const alert = toAlert(updated)
      const e = (await tx.query<AlertEventRow>(`insert into alert_events (alert_id, at, actor_id, action, note, detail)
        values ($1, $2::timestamptz, $3, $4, $5, $6::jsonb)
        returning seq, at, actor_id, (select display_name from users where id = $3) as actor_name, action, note, detail`,
      [id, now, actor.id, action, note, JSON.stringify(detail)])).rows[0]!
      entryOut?.(toHistoryEntry(e))
      const queued = await enqueueOutbox(tx, [{ event: `alert.${action}`, alert }])
      return { value: alert, changes: [{ kind: action, alert, scope: scopeOf(updated) }], queued }
    })
    return outcome.value
  }

  /** Alerts the actor may see, newest first. Vendors receive no alerts. */
  async list (actor: Actor, filter: AlertFilter = {}): Promise<AlertPage> {
    if (actor.role === 'vendor') throw new Errors.Forbidden('device vendors do not receive alerts')
    const params: unknown[] = []
    const where = [alertScopeSql(actor, 'b', params)]
    const add = (sql: (p: string) => string, value: unknown): void => { params.push(value); where.push(sql(`$${params.length}`)) }
    if (filter.status === 'live') where.push(`a.status <> 'resolved'`)
    else if (filter.status !== undefined) add((p) => `a.status = ${p}`, filter.status)
    if (filter.type !== undefined) add((p) => `a.type = ${p}`, filter.type)
    if (filter.buildingId !== undefined) add((p) => `a.building_id = ${p}`, filter.buildingId)
    if (filter.severity !== undefined) add((p) => `a.severity = ${p}`, filter.severity)
    if (filter.minSeverity !== undefined) add((p) => `alert_severity_rank(a.severity) >= alert_severity_rank(${p}::text)`, filter.minSeverity)
    if (filter.stage !== undefined) add((p) => `a.stage = ${p}`, filter.stage)
    if (filter.assignee !== undefined) add((p) => `a.assignee_id = ${p}`, filter.assignee === 'me' ? actor.id : filter.assignee)
    if (filter.since !== undefined) {
      if (Number.isNaN(Date.parse(filter.since))) throw new Errors.BadRequest('since must be an ISO date-time')
      add((p) => `a.last_at >= ${p}::timestamptz`, filter.since)
    }
    if (filter.cursor !== undefined) {
      if (!/^[1-9][0-9]{0,15}$/.test(filter.cursor)) throw new Errors.BadRequest('cursor is not one this API returned')
      add((p) => `a.seq < ${p}::int8`, Number(filter.cursor))
    }
    const limit = Math.min(Math.max(filter.limit ?? DEFAULT_LIMIT, 1), 1000)
    params.push(limit + 1)
    const r = await this.deps.db.query<AlertRow>(
      `${SELECT_ALERT} where ${where.join(' and ')} order by a.seq desc limit $${params.length}`, params)
    const rows = r.rows.slice(0, limit)
    const more = r.rows.length > limit
    return { items: rows.map(toAlert), nextCursor: more ? String(rows[rows.length - 1]!.seq) : null }
  }

  /** One alert with its history, oldest first. Outside the actor's scope it does not exist. */
  async get (actor: Actor, id: string): Promise<AlertWithHistory> {
    const row = (await this.deps.db.query<AlertRow>(`${SELECT_ALERT} where a.id = $1`, [id])).rows[0]
    if (row === undefined || !canSeeAlert(actor, scopeOf(row))) throw new Errors.NotFound(`alert ${id}`)
    const h = await this.deps.db.query<AlertEventRow>(`${SELECT_HISTORY} where e.alert_id = $1 order by e.seq`, [id])
    return { ...toAlert(row), history: h.rows.map(toHistoryEntry) }
  }

  /** Completes changes$ (live consoles end their streams). */
  close (): void {
    this.changes$.complete()
  }

  /** One transaction, retried on deadlock and on a unique-key race; announces the changes after commit. */
  private async write<T> (fn: (tx: Queryable) => Promise<Outcome<T>>): Promise<Outcome<T>> {
    for (let attempt = 1; ; attempt++) {
      let outcome: Outcome<T>
      try {
        outcome = await this.deps.db.transaction(fn)
      } catch (err) {
        const state = sqlState(err)
        if (attempt >= MAX_ATTEMPTS || state === undefined || !RETRIED.has(state)) throw err
        this.counters.retries++
        await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt))
        continue
      }
      for (const c of outcome.changes) this.changes$.next(c)
      if (outcome.queued > 0) {
        try {
          this.deps.events?.outboxAdded?.()
        } catch (err) {
          this.deps.logger?.error({ err }, 'outboxAdded listener failed')
        }
      }
      return outcome
    }
  }
}
