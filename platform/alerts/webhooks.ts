// Webhooks of dispatch centres: police (for an area inside their
// jurisdiction) and administrators register a URL; every alert change of a
// building in that area, at or above the threshold, is queued for it in the
// outbox and delivered by the WebhookDispatcher. A URL is taken only when it
// is https to public addresses (webhook-target.ts); every change, and every
// refused target, is written to the audit log.

import { Errors } from '../errors.ts'
import { SEVERITIES, WEBHOOK_SUBSCRIPTIONS, type Severity, type WebhookSubscription } from '../../contract/vocabulary.ts'
import type { Actor } from '../registry/access.ts'
import { writeAudit } from '../registry/audit-log.ts'
import { iso, newId } from '../registry/context.ts'
import type { Database } from '../store/database.ts'
import type { Sealer } from '../privacy/data-key.ts'
import { newWebhookSecret } from './signature.ts'
import {
  parseWebhookTarget, PUBLIC_TARGETS_ONLY, resolveWebhookTarget, TargetRefused, type WebhookTarget, type WebhookTargetPolicy,
} from './webhook-target.ts'

export interface Webhook {
  id: string
  url: string
  areaId: string
  areaPath: string
  minSeverity: Severity
  /** What it receives: alerts, registry changes, or both. */
  subscriptions: WebhookSubscription[]
  createdBy: string
  createdAt: string
  enabled: boolean
  /** Deliveries not yet accepted by the receiver. */
  pending: number
}

export interface Delivery {
  /** The X-RH-Delivery id. */
  seq: number
  /** The alert it reports, or null for a registry change. */
  alertId: string | null
  /** The registry ledger entry it reports, or null for an alert. */
  ledgerSeq: number | null
  event: string
  createdAt: string
  attempts: number
  nextAttemptAt: string | null
  deliveredAt: string | null
  lastStatus: number | null
  lastError: string | null
}

interface WebhookRow {
  id: string; url: string; area_id: string; area_path: string; min_severity: Severity; subscriptions: WebhookSubscription[]; created_by: string
  created_at: Date; enabled: boolean; pending: number
}

interface DeliveryRow {
  seq: number; alert_id: string | null; ledger_seq: string | number | null; event: string; created_at: Date; attempts: number; next_attempt_at: Date | null
  delivered_at: Date | null; last_status: number | null; last_error: string | null
}

const toWebhook = (r: WebhookRow): Webhook => ({
  id: r.id, url: r.url, areaId: r.area_id, areaPath: r.area_path, minSeverity: r.min_severity, subscriptions: orderedSubscriptions(r.subscriptions),
  createdBy: r.created_by, createdAt: iso(r.created_at), enabled: r.enabled, pending: r.pending,
})

const toDelivery = (r: DeliveryRow): Delivery => ({
  seq: Number(r.seq), alertId: r.alert_id, ledgerSeq: r.ledger_seq === null ? null : Number(r.ledger_seq), event: r.event, createdAt: iso(r.created_at), attempts: r.attempts,
  nextAttemptAt: iso(r.next_attempt_at), deliveredAt: iso(r.delivered_at), lastStatus: r.last_status, lastError: r.last_error,
})

/** Subscriptions as a set in vocabulary order; an empty or unknown choice is refused. */
export function orderedSubscriptions (given: readonly string[]): WebhookSubscription[] {
  for (const g of given) if (!(WEBHOOK_SUBSCRIPTIONS as readonly string[]).includes(g)) throw new Errors.BadRequest(`unknown subscription ${g}`)
  const out = WEBHOOK_SUBSCRIPTIONS.filter((s) => given.includes(s))
  if (out.length === 0) throw new Errors.BadRequest(`a webhook receives at least one of ${WEBHOOK_SUBSCRIPTIONS.join(', ')}`)
  return out
}

const SELECT_WEBHOOK = `select w.*, (select count(*)::int from webhook_outbox o where o.webhook_id = w.id and o.delivered_at is null) as pending
  from webhooks w`

function assertManager (actor: Actor): void {
  if (actor.role !== 'admin' && actor.role !== 'police') throw new Errors.Forbidden('only police and administrators manage webhooks')
}

const inScope = (actor: Actor, areaPath: string): boolean =>
  actor.role === 'admin' || (actor.areaPath !== undefined && areaPath.startsWith(actor.areaPath))

/** Host of a stored URL, for the audit log (its path and query may hold the receiver's own token). */
const hostOf = (url: string): string => {
  try {
    return new URL(url).host
  } catch {
    return '(invalid)'
  }
}

export class Webhooks {
  private readonly targets: WebhookTargetPolicy

  /** `secrets` seals each webhook's signing secret (webhookSecretSealer). */
  constructor (private readonly deps: { db: Database; secrets: Sealer; targets?: WebhookTargetPolicy }) {
    this.targets = deps.targets ?? PUBLIC_TARGETS_ONLY
  }

  /** Registers a webhook; the secret is returned here only. */
  async create (
    actor: Actor, input: { url: string; areaId: string; minSeverity?: Severity; subscriptions?: WebhookSubscription[] },
  ): Promise<{ webhook: Webhook; secret: string }> {
    assertManager(actor)
    if (input.minSeverity !== undefined && !SEVERITIES.includes(input.minSeverity)) throw new Errors.BadRequest('unknown minSeverity')
    const subscriptions = orderedSubscriptions(input.subscriptions ?? ['alerts'])
    const area = (await this.deps.db.query<{ path: string }>('select path from areas where id = $1', [input.areaId])).rows[0]
    if (area === undefined || !inScope(actor, area.path)) throw new Errors.NotFound(`area ${input.areaId}`)
    const target = await this.checkTarget(actor, input.url)
    const id = newId('wh')
    const secret = newWebhookSecret()
    const minSeverity = input.minSeverity ?? 'info'
    await this.deps.db.transaction(async (tx) => {
      await tx.query(
        `insert into webhooks (id, url, secret_sealed, area_id, area_path, min_severity, subscriptions, created_by) values ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [id, target.url.href, this.deps.secrets.seal(secret), input.areaId, area.path, minSeverity, subscriptions, actor.id])
      await writeAudit(tx, actor, 'webhook.created', { type: 'webhook', id }, { host: target.url.host, areaId: input.areaId, minSeverity, subscriptions })
    })
    return { webhook: await this.get(actor, id), secret }
  }

  /**
   * The URL as a target a webhook may have: https (http to loopback only with WEBHOOK_ALLOW_INSECURE_LOCAL),
   * an allowed address or a name whose every address is allowed now. A refusal is audited: someone tried
   * to point the platform inside the network.
   */
  private async checkTarget (actor: Actor, url: string): Promise<WebhookTarget> {
    let target: WebhookTarget | undefined
    try {
      target = parseWebhookTarget(url, this.targets)
      await resolveWebhookTarget(target, this.targets)
      return target
    } catch (err) {
      // For a name, one answer whether it did not resolve or resolved inside: which, is no business of the caller's.
      const reason = err instanceof TargetRefused ? err.reason : 'the host name did not resolve'
      await writeAudit(this.deps.db, actor, 'webhook.refused', null, { host: target?.url.host ?? hostOf(url), reason })
      if (target === undefined || target.literal) throw new Errors.BadRequest(`url refused: ${reason}; webhooks go to https URLs of public addresses`)
      throw new Errors.BadRequest('url refused: its host name must resolve, to public addresses only; webhooks go to https URLs of public addresses')
    }
  }

  async get (actor: Actor, id: string): Promise<Webhook> {
    assertManager(actor)
    const row = (await this.deps.db.query<WebhookRow>(`${SELECT_WEBHOOK} where w.id = $1 and w.deleted_at is null`, [id])).rows[0]
    if (row === undefined || !inScope(actor, row.area_path)) throw new Errors.NotFound(`webhook ${id}`)
    return toWebhook(row)
  }

  /** Webhooks of areas inside the actor's jurisdiction (all for administrators). */
  async list (actor: Actor): Promise<Webhook[]> {
    assertManager(actor)
    const r = await this.deps.db.query<WebhookRow>(`${SELECT_WEBHOOK} where w.deleted_at is null order by w.created_at, w.id`)
    return r.rows.filter((w) => inScope(actor, w.area_path)).map(toWebhook)
  }

  /**
   * Changes what a webhook receives (and its alert threshold). Deliveries already queued stay queued; from
   * the commit on, only the chosen kinds are queued. Audited.
   */
  async update (actor: Actor, id: string, patch: { subscriptions?: WebhookSubscription[]; minSeverity?: Severity }): Promise<Webhook> {
    const before = await this.get(actor, id)
    if (patch.subscriptions === undefined && patch.minSeverity === undefined) throw new Errors.BadRequest('nothing to change')
    if (patch.minSeverity !== undefined && !SEVERITIES.includes(patch.minSeverity)) throw new Errors.BadRequest('unknown minSeverity')
    const subscriptions = patch.subscriptions === undefined ? before.subscriptions : orderedSubscriptions(patch.subscriptions)
    const minSeverity = patch.minSeverity ?? before.minSeverity
    await this.deps.db.transaction(async (tx) => {
      await tx.query('update webhooks set subscriptions = $2, min_severity = $3 where id = $1 and deleted_at is null', [id, subscriptions, minSeverity])
      await writeAudit(tx, actor, 'webhook.updated', { type: 'webhook', id }, {
        subscriptions: { from: before.subscriptions, to: subscriptions }, minSeverity: { from: before.minSeverity, to: minSeverity },
      })
    })
    return this.get(actor, id)
  }

  /** Stops deliveries to it; its delivery history stays readable in the database. */
  async remove (actor: Actor, id: string): Promise<void> {
    const webhook = await this.get(actor, id)
    await this.deps.db.transaction(async (tx) => {
      await tx.query('update webhooks set enabled = false, deleted_at = now(), deleted_by = $2 where id = $1', [id, actor.id])
      await writeAudit(tx, actor, 'webhook.deleted', { type: 'webhook', id }, { host: hostOf(webhook.url) })
    })
  }

  /** The outbox of one webhook, newest first; `pending` only undelivered ones. */
  async deliveries (actor: Actor, id: string, opts: { pending?: boolean; limit?: number; beforeSeq?: number } = {}): Promise<Delivery[]> {
    await this.get(actor, id)
    const params: unknown[] = [id, Math.min(Math.max(opts.limit ?? 100, 1), 1000)]
    let where = 'webhook_id = $1'
    if (opts.pending === true) where += ' and delivered_at is null'
    if (opts.beforeSeq !== undefined) {
      params.push(opts.beforeSeq)
      where += ` and seq < $${params.length}`
    }
    const r = await this.deps.db.query<DeliveryRow>(
      `select seq, alert_id, ledger_seq, event, created_at, attempts, next_attempt_at, delivered_at, last_status, last_error
       from webhook_outbox where ${where} order by seq desc limit $2`, params)
    return r.rows.map(toDelivery)
  }
}

/** Seals the secrets an older version stored in clear; returns how many. Run at start, before deliveries. */
export async function sealLegacyWebhookSecrets (db: Database, secrets: Sealer): Promise<number> {
  const r = await db.query<{ id: string; secret: string }>('select id, secret from webhooks where secret is not null')
  for (const row of r.rows) {
    await db.query('update webhooks set secret_sealed = $2, secret = null where id = $1 and secret = $3', [row.id, secrets.seal(row.secret), row.secret])
  }
  return r.rows.length
}
