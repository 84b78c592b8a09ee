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
  alertScopeSql, canResolveAlert, canSeeAlert, scopeOf, severityRank, toAlert, toHistoryEntry,
  type Alert, type AlertChange, type AlertEventRow, type AlertFilter, type AlertPage, type AlertRow, type AlertWithHistory,
} from './model.ts'
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

  /** Open -> acknowledged. Anyone who sees the alert may acknowledge it. */
  async acknowledge (actor: Actor, id: string, note?: string): Promise<Alert> {
    return this.transition(actor, id, async (tx, row, now) => {
      if (row.status === 'acknowledged') throw new Errors.Conflict(`alert ${id} is already acknowledged`)
      if (row.status === 'resolved') throw new Errors.Conflict(`alert ${id} is resolved; it cannot be acknowledged`)
      await tx.query(`update alerts set status = 'acknowledged', acknowledged_by = $2, acknowledged_at = $3::timestamptz,
        updated_at = $3::timestamptz where id = $1`, [id, actor.id, now])
      return { action: 'acknowledged', note: note ?? null }
    })
  }

  /** Open or acknowledged -> resolved, with a note. Police, grid workers (in their area) and administrators. */
  async resolve (actor: Actor, id: string, note: string): Promise<Alert> {
    if (note.trim() === '') throw new Errors.BadRequest('a resolution note is required')
    return this.transition(actor, id, async (tx, row, now) => {
      if (!canResolveAlert(actor)) throw new Errors.Forbidden('only police, grid workers and administrators resolve alerts')
      if (row.status === 'resolved') throw new Errors.Conflict(`alert ${id} is already resolved`)
      await tx.query(`update alerts set status = 'resolved', resolved_by = $2, resolved_at = $3::timestamptz,
        resolution_note = $4, auto_resolved = false, updated_at = $3::timestamptz where id = $1`, [id, actor.id, now, note])
      return { action: 'resolved', note }
    })
  }

  private async transition (
    actor: Actor, id: string,
    change: (tx: Queryable, row: AlertRow, now: Date) => Promise<{ action: 'acknowledged' | 'resolved'; note: string | null }>,
  ): Promise<Alert> {
    const now = this.now()
    const outcome = await this.write(async (tx) => {
      const row = (await tx.query<AlertRow>(`${SELECT_ALERT} where a.id = $1 for update of a`, [id])).rows[0]
      if (row === undefined || !canSeeAlert(actor, scopeOf(row))) throw new Errors.NotFound(`alert ${id}`)
      const { action, note } = await change(tx, row, now)
      const updated = (await tx.query<AlertRow>(`${SELECT_ALERT} where a.id = $1`, [id])).rows[0]!
      const alert = toAlert(updated)
      await insertHistory(tx, [{ alertId: id, actorId: actor.id, action, note }], now)
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
    const h = await this.deps.db.query<AlertEventRow>(
      'select seq, at, actor_id, action, note, detail from alert_events where alert_id = $1 order by seq', [id])
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
