// Publishes every committed alert change on its MQTT alert topic
// (`rh-alerts/v1/{district}/{street}/{community}/{grid}/{buildingId}`, QoS 1,
// not retained), for the dispatch centres subscribed to that area.
//
// Counter updates (`updated`) of a busy alert can come thousands a second;
// they are coalesced per alert: the first goes out at once and opens a window
// of `coalesceMs`; updates inside the window wait, each replacing the one
// before, and the latest goes out when the window ends (opening the next).
// Transitions (`opened`, `acknowledged`, `resolved`) and updates that raise
// the severity are never held: they go out at once, and an update still
// waiting is dropped, since the transition carries a newer state. So nothing
// older is ever published after something newer of the same alert, and the
// publishes of one alert are chained so that the broker routes them in order.
//
// This is a live feed, like the console stream: a dispatch centre that is not
// connected misses what happened meanwhile (it resyncs with GET /alerts); the
// durable path is the webhooks. Nothing thrown here escapes into changes$.

import type { Logger } from 'pino'
import { asyncScheduler, type Observable, type SchedulerLike, type Subscription } from 'rxjs'
import { alertTopic, type AlertTopicMessage } from '../../protocol/index.ts'
import type { Severity } from '../../contract/vocabulary.ts'
import { severityRank, type Alert, type AlertChange } from './model.ts'

/** The broker method the publisher needs (MqttBroker.publishAlert). */
export interface AlertTopicSink {
  publishAlert (topic: string, payload: Buffer): Promise<void>
}

export interface MqttAlertPublisherDeps {
  changes$: Observable<AlertChange>
  broker: AlertTopicSink
  logger?: Pick<Logger, 'warn' | 'error'>
  /** Least time between two counter updates of one alert on the wire, ms; default 1000. */
  coalesceMs?: number
  scheduler?: SchedulerLike
}

interface Window {
  /** The latest update held back, if any. */
  pending: AlertChange | undefined
  /** Severity last published. */
  severity: Severity
  timer?: Subscription
}

export class MqttAlertPublisher {
  /** Changes handed to the broker, changes it failed to route (or that had no valid topic), updates folded away. */
  readonly counters = { published: 0, failed: 0, coalesced: 0 }
  private readonly coalesceMs: number
  private readonly scheduler: SchedulerLike
  private readonly windows = new Map<string, Window>()
  private readonly tails = new Map<string, Promise<void>>()
  private subscription: Subscription | undefined

  constructor (private readonly deps: MqttAlertPublisherDeps) {
    this.coalesceMs = deps.coalesceMs ?? 1000
    if (!(this.coalesceMs >= 0)) throw new RangeError('coalesceMs must be >= 0')
    this.scheduler = deps.scheduler ?? asyncScheduler
  }

  start (): void {
    this.subscription ??= this.deps.changes$.subscribe({
      next: (change) => this.safely(() => this.offer(change)),
      error: (err: unknown) => this.safely(() => this.deps.logger?.error({ err }, 'alert changes failed; MQTT alert feed stopped')),
      complete: () => this.safely(() => this.flush()),
    })
  }

  /** Stops listening, publishes the updates still held back, and waits until everything handed over is routed. */
  async stop (): Promise<void> {
    this.subscription?.unsubscribe()
    this.subscription = undefined
    this.safely(() => this.flush())
    while (this.tails.size > 0) await Promise.allSettled([...this.tails.values()])
  }

  /** Alerts with a window open (recently updated). */
  get openWindows (): number { return this.windows.size }

  private offer (change: AlertChange): void {
    const id = change.alert.id
    const w = this.windows.get(id)
    const escalates = w !== undefined && severityRank(change.alert.severity) > severityRank(w.severity)
    if (change.kind !== 'updated' || escalates) {
      if (w?.pending !== undefined) {
        w.pending = undefined
        this.counters.coalesced++
      }
      if (w !== undefined) w.severity = change.alert.severity
      this.send(change)
      return
    }
    if (w === undefined) {
      this.send(change)
      this.open(change.alert)
      return
    }
    if (w.pending !== undefined) this.counters.coalesced++
    w.pending = change
  }

  private open (alert: Alert): void {
    const id = alert.id
    const w: Window = { pending: undefined, severity: alert.severity }
    this.windows.set(id, w)
    w.timer = this.scheduler.schedule(() => this.safely(() => this.close(id, w)), this.coalesceMs)
  }

  /** End of a window: publish what waits and open the next window, or forget the alert. */
  private close (id: string, w: Window): void {
    if (this.windows.get(id) !== w) return
    this.windows.delete(id)
    const pending = w.pending
    if (pending === undefined) return
    this.send(pending)
    this.open(pending.alert)
  }

  private flush (): void {
    for (const [id, w] of [...this.windows]) {
      w.timer?.unsubscribe()
      this.windows.delete(id)
      if (w.pending !== undefined) this.send(w.pending)
    }
  }

  private send (change: AlertChange): void {
    const { alert } = change
    let topic: string
    let payload: Buffer
    try {
      topic = alertTopic(alert.areaPath, alert.buildingId)
      const message: AlertTopicMessage<Alert> = { kind: change.kind, alert }
      payload = Buffer.from(JSON.stringify(message))
    } catch (err) {
      this.counters.failed++
      this.log('error', { err, alertId: alert.id, areaPath: alert.areaPath }, 'alert has no valid MQTT topic; not published')
      return
    }
    const previous = this.tails.get(alert.id) ?? Promise.resolve()
    const next = previous
      .then(() => this.deps.broker.publishAlert(topic, payload))
      .then(
        () => { this.counters.published++ },
        (err: unknown) => {
          this.counters.failed++
          this.log('warn', { err, alertId: alert.id, kind: change.kind }, 'alert change not published on MQTT')
        },
      )
    this.tails.set(alert.id, next)
    void next.then(() => { if (this.tails.get(alert.id) === next) this.tails.delete(alert.id) })
  }

  private log (level: 'warn' | 'error', obj: Record<string, unknown>, msg: string): void {
    try { this.deps.logger?.[level](obj, msg) } catch { /* logging must not break publishing */ }
  }

  private safely (fn: () => void): void {
    try {
      fn()
    } catch (err) {
      this.counters.failed++
      this.log('error', { err }, 'MQTT alert publisher failed on a change')
    }
  }
}
