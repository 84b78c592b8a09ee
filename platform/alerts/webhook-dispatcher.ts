// Drains webhook_outbox: for each webhook, its undelivered rows in seq order,
// one at a time. 2xx = delivered; anything else (status, timeout, refused
// connection) = the head row is retried with exponential backoff and the rows
// behind it wait, so a dispatch centre that is down for an hour gets every
// alert afterwards, in order. At-least-once on the wire; X-RH-Delivery (the
// outbox seq) lets the receiver make it exactly-once.
// One dispatcher at a time drains a webhook (a lease row in `webhooks`), so
// several platform nodes may run one each.
// Every attempt resolves the target again and connects only to addresses the
// target policy allows (webhook-target.ts), follows no redirect, and records
// for the owner only a generic outcome (`HTTP <status>`, `timeout`,
// `unreachable`, `refused: target not allowed`): the details, which would
// describe the network behind the platform, go to the platform log.
// When the database fails (it cannot record an outcome, or read the outbox),
// the webhook waits with the same back-off as a failed delivery; a delivery
// the receiver took but the database could not mark done is remembered and
// only marked on the next try, not sent again (while this process lives).

import { randomBytes } from 'node:crypto'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { Logger } from 'pino'
import { RateLimitedLog } from '../rate-limited-log.ts'
import type { Sealer } from '../privacy/data-key.ts'
import type { Database } from '../store/database.ts'
import type { AlertServiceEvents } from './alert-service.ts'
import { signBody } from './signature.ts'
import {
  parseWebhookTarget, pinnedLookup, PUBLIC_TARGETS_ONLY, resolveWebhookTarget, TargetRefused, type WebhookTargetPolicy,
} from './webhook-target.ts'

export interface WebhookDispatcherOptions {
  db: Database
  /** Opens the webhooks' sealed signing secrets (webhookSecretSealer). */
  secrets: Sealer
  logger?: Pick<Logger, 'warn' | 'error'>
  now?: () => Date
  /** Which targets deliveries may reach; default https to public addresses only. */
  targets?: WebhookTargetPolicy
  /** Certificates trusted for https receivers besides the system's (PEM); default none. */
  ca?: string | string[]
  /** Per request. Default 10 s. */
  timeoutMs?: number
  /** Fallback scan for rows written by other nodes or missed wakes. Default 2 s. */
  pollMs?: number
  /** First retry delay, doubling per attempt up to maxMs; each delay is jittered to 50..100 %. Defaults 1 s, 5 min. */
  backoff?: { baseMs?: number; maxMs?: number }
  random?: () => number
  /** Rows read per query. Default 50. */
  batch?: number
  /** How long a node owns a webhook before another may take over. Default 60 s. */
  leaseMs?: number
  /** Delivered rows are deleted after this many days. Default 30. */
  retainDeliveredDays?: number
}

interface Head { seq: number; event: string; payload: Record<string, unknown>; attempts: number; next_attempt_at: Date | null }
interface Target { id: string; url: string; secret: string }

const PRUNE_EVERY_MS = 3_600_000

export class WebhookDispatcher implements AlertServiceEvents {
  readonly counters = { delivered: 0, failures: 0 }
  private readonly owner = `dispatcher-${randomBytes(6).toString('hex')}`
  private readonly now: () => Date
  private readonly active = new Map<string, Promise<void>>()
  private readonly inFlight = new Set<AbortController>()
  private running = false
  private scanning: Promise<void> | undefined
  private generation = 0
  private poll: NodeJS.Timeout | undefined
  private retryTimer: { at: number; timer: NodeJS.Timeout } | undefined
  private lastPrune = 0
  /** Deliveries the receiver accepted (2xx) whose outcome the database has not recorded yet: seq -> status. */
  private readonly unrecorded = new Map<number, number>()
  /** Webhooks waiting after a database failure: id -> failures in a row and when to try again. */
  private readonly stalled = new Map<string, { failures: number; until: number }>()
  private readonly limitedLog: RateLimitedLog | undefined

  constructor (private readonly o: WebhookDispatcherOptions) {
    this.now = o.now ?? (() => new Date())
    this.limitedLog = o.logger === undefined ? undefined : new RateLimitedLog(o.logger)
  }

  start (): void {
    if (this.running) return
    this.running = true
    this.poll = setInterval(() => this.wake(), this.o.pollMs ?? 2000)
    this.wake()
  }

  /** Stops polling, aborts requests in flight (those rows stay due) and releases this node's leases. */
  async stop (): Promise<void> {
    if (!this.running) return
    this.running = false
    clearInterval(this.poll)
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer.timer)
    this.retryTimer = undefined
    for (const c of this.inFlight) c.abort()
    await this.scanning
    await Promise.allSettled([...this.active.values()])
    await this.o.db.query('update webhooks set lease_owner = null, lease_until = null where lease_owner = $1', [this.owner])
      .catch((err: unknown) => this.o.logger?.error({ err }, 'could not release webhook leases'))
    this.limitedLog?.close()
  }

  /** New rows may be due: scan now. Cheap; called by the AlertService after every commit that queued deliveries. */
  wake (): void {
    this.generation++
    if (!this.running || this.scanning !== undefined) return
    this.scanning = this.scan().finally(() => { this.scanning = undefined })
  }

  outboxAdded (): void {
    this.wake()
  }

  private async scan (): Promise<void> {
    let seen = -1
    while (this.running && seen !== this.generation) {
      seen = this.generation
      try {
        const now = this.now()
        const r = await this.o.db.query<{ id: string }>(
          `select w.id from webhooks w
           where w.enabled and (w.lease_owner is null or w.lease_owner = $1 or w.lease_until < $2::timestamptz)
             and exists (select 1 from webhook_outbox o where o.webhook_id = w.id and o.delivered_at is null)`,
          [this.owner, now])
        for (const { id } of r.rows) {
          if (this.active.has(id) || this.waiting(id, now.getTime())) continue
          const p = this.work(id).finally(() => this.active.delete(id))
          this.active.set(id, p)
        }
        await this.prune(now)
      } catch (err) {
        this.limitedLog?.log('error', 'scan', { err }, 'webhook outbox scan failed; the next poll tries again')
        return
      }
    }
  }

  /** Delivers one webhook's due rows in order until it is empty, waiting on a retry, or stopped. */
  private async work (webhookId: string): Promise<void> {
    try {
      let leaseUntil = 0
      let target: Target | undefined
      for (;;) {
        if (!this.running) return
        const seen = this.generation
        const now = this.now()
        if (target === undefined || now.getTime() > leaseUntil - (this.o.leaseMs ?? 60_000) / 2) {
          target = await this.claim(webhookId, now)
          if (target === undefined) return
          leaseUntil = now.getTime() + (this.o.leaseMs ?? 60_000)
        }
        const r = await this.o.db.query<Head>(
          `select seq, event, payload, attempts, next_attempt_at from webhook_outbox
           where webhook_id = $1 and delivered_at is null order by seq limit $2`, [webhookId, this.o.batch ?? 50])
        if (r.rows.length === 0) {
          if (seen !== this.generation) continue
          await this.o.db.query('update webhooks set lease_owner = null, lease_until = null where id = $1 and lease_owner = $2', [webhookId, this.owner])
          return
        }
        for (const head of r.rows) {
          const due = head.next_attempt_at?.getTime() ?? 0
          if (due > this.now().getTime()) {
            this.wakeAt(due)
            return
          }
          if (!await this.deliver(target, head)) return
          this.stalled.delete(webhookId)
        }
      }
    } catch (err) {
      // The database failed us (reading the outbox, recording an outcome): wait before this webhook is tried
      // again, longer each time, as for a receiver that is down.
      const failures = (this.stalled.get(webhookId)?.failures ?? 0) + 1
      const until = this.now().getTime() + this.backoff(failures)
      this.stalled.set(webhookId, { failures, until })
      this.wakeAt(until)
      this.limitedLog?.log('error', `db:${webhookId}`, { err, webhookId, failures, retryInMs: until - this.now().getTime() },
        'webhook delivery stopped by a database error; retrying with back-off', { webhookId })
    }
  }

  /** The webhook waits after a database failure. */
  private waiting (webhookId: string, now: number): boolean {
    const s = this.stalled.get(webhookId)
    return s !== undefined && s.until > now
  }

  private async claim (webhookId: string, now: Date): Promise<Target | undefined> {
    const r = await this.o.db.query<{ id: string; url: string; secret_sealed: string }>(
      `update webhooks set lease_owner = $2, lease_until = $3::timestamptz
       where id = $1 and enabled and (lease_owner is null or lease_owner = $2 or lease_until < $4::timestamptz)
       returning id, url, secret_sealed`,
      [webhookId, this.owner, new Date(now.getTime() + (this.o.leaseMs ?? 60_000)), now])
    const row = r.rows[0]
    return row === undefined ? undefined : { id: row.id, url: row.url, secret: this.o.secrets.open(row.secret_sealed) }
  }

  /** POSTs one row; records the outcome. False: not delivered (stop draining this webhook for now). */
  private async deliver (target: Target, head: Head): Promise<boolean> {
    const accepted = this.unrecorded.get(head.seq)
    if (accepted !== undefined) {
      // The receiver has it; only the record is missing.
      await this.markDelivered(head, accepted)
      return true
    }
    const body = JSON.stringify({ delivery: head.seq, webhookId: target.id, ...head.payload })
    const ac = new AbortController()
    const timer = setTimeout(() => ac.abort(new Error('timeout')), this.o.timeoutMs ?? 10_000)
    this.inFlight.add(ac)
    let status: number | null = null
    let error: string | null = null
    let cause: unknown
    try {
      status = await this.post(target.url, body, {
        'content-type': 'application/json',
        'user-agent': 'rental-block-alerts/1',
        'x-rh-signature': signBody(target.secret, body),
        'x-rh-delivery': String(head.seq),
        'x-rh-timestamp': String(Math.floor(this.now().getTime() / 1000)),
        'x-rh-event': head.event,
      }, ac.signal)
      if (status < 200 || status > 299) error = `HTTP ${status}`
    } catch (err) {
      cause = err
      error = ownerError(err, ac.signal)
    } finally {
      clearTimeout(timer)
      this.inFlight.delete(ac)
    }
    // Stopped mid-request: the row stays due as it was; it is sent again after a restart.
    if (!this.running && error !== null) return false
    const now = this.now()
    if (error === null) {
      this.unrecorded.set(head.seq, status ?? 200)
      await this.markDelivered(head, status ?? 200)
      return true
    }
    const attempts = head.attempts + 1
    const next = now.getTime() + this.backoff(attempts)
    await this.o.db.query(
      `update webhook_outbox set attempts = $2, next_attempt_at = $3::timestamptz, last_status = $4, last_error = $5 where seq = $1`,
      [head.seq, attempts, new Date(next), status, error])
    this.counters.failures++
    if (attempts === 1 || attempts % 10 === 0) {
      this.o.logger?.warn({ webhookId: target.id, delivery: head.seq, attempts, error, cause: describe(cause) }, 'webhook delivery failed; will retry')
    }
    this.wakeAt(next)
    return false
  }

  /**
   * One POST to a checked address: the target is parsed and resolved now, every address checked, and the
   * connection pinned to them (no second lookup a DNS answer could change). Redirects are not followed.
   * Resolves with the status; the response body is not read.
   */
  private async post (rawUrl: string, body: string, headers: Record<string, string>, signal: AbortSignal): Promise<number> {
    const policy = this.o.targets ?? PUBLIC_TARGETS_ONLY
    const target = parseWebhookTarget(rawUrl, policy)
    const addresses = await resolveWebhookTarget(target, policy)
    signal.throwIfAborted()
    const request = target.url.protocol === 'https:' ? httpsRequest : httpRequest
    return new Promise<number>((resolve, reject) => {
      const req = request(target.url, {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        agent: false,
        lookup: pinnedLookup(addresses),
        signal,
        ...(this.o.ca === undefined ? {} : { ca: this.o.ca }),
      }, (res: IncomingMessage) => {
        resolve(res.statusCode ?? 0)
        res.destroy()
      })
      req.on('error', reject)
      req.end(body)
    })
  }

  /** Records an accepted delivery; until it is recorded it stays in `unrecorded` (a failure here throws). */
  private async markDelivered (head: Head, status: number): Promise<void> {
    await this.o.db.query(
      `update webhook_outbox set delivered_at = $2::timestamptz, attempts = attempts + 1, last_status = $3, last_error = null
       where seq = $1`, [head.seq, this.now(), status])
    this.unrecorded.delete(head.seq)
    this.counters.delivered++
  }

  /** Delay before attempt n + 1: base * 2^(n - 1), capped, jittered to 50..100 %. */
  backoff (attempts: number): number {
    const base = this.o.backoff?.baseMs ?? 1000
    const max = this.o.backoff?.maxMs ?? 300_000
    const d = Math.min(max, base * 2 ** Math.min(attempts - 1, 30))
    return Math.round(d * (0.5 + 0.5 * (this.o.random ?? Math.random)()))
  }

  private wakeAt (at: number): void {
    if (!this.running) return
    if (this.retryTimer !== undefined && this.retryTimer.at <= at) return
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer.timer)
    const timer = setTimeout(() => { this.retryTimer = undefined; this.wake() }, Math.max(0, at - this.now().getTime()))
    this.retryTimer = { at, timer }
  }

  private async prune (now: Date): Promise<void> {
    if (now.getTime() - this.lastPrune < PRUNE_EVERY_MS) return
    this.lastPrune = now.getTime()
    const cutoff = new Date(now.getTime() - (this.o.retainDeliveredDays ?? 30) * 86_400_000)
    await this.o.db.query('delete from webhook_outbox where delivered_at < $1::timestamptz', [cutoff])
  }
}

/** What the webhook's owner is shown of a failed attempt: generic, so that it describes nothing of the network. */
function ownerError (err: unknown, signal: AbortSignal): string {
  if (err instanceof TargetRefused) return 'refused: target not allowed'
  if (signal.aborted && signal.reason instanceof Error && signal.reason.message === 'timeout') return 'timeout'
  return 'unreachable'
}

/** The detail of a failed attempt, for the platform log only. */
function describe (err: unknown): string | undefined {
  if (err === undefined) return undefined
  const e = err as { message?: string; code?: string; cause?: { code?: string; message?: string } }
  const inner = e.cause?.code ?? e.cause?.message
  return [e.code, e.message ?? String(err), inner].filter((x) => x !== undefined).join(': ')
}
