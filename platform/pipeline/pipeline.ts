// The one RxJS graph, wired here: accepted and logged device messages ->
// enrich from the registry view -> rules -> alert candidates, persisted in
// small batches. Validation happened at the broker edge and de-duplication in
// the event log, so only fresh, well-formed messages enter.

import type { Logger } from 'pino'
import { bufferTime, concatMap, filter, Subject, type Observable, type SchedulerLike, type Subscription } from 'rxjs'
import type { AcceptedMessage } from '../broker/ports.ts'
import { enrich } from './enrich.ts'
import { DEFAULT_RULE_PARAMS, type AlertCandidate, type PipelineEvent, type RegistryView, type RuleParams } from './model.ts'

export interface RuleContextLike {
  view: RegistryView
  params: RuleParams
  scheduler?: SchedulerLike
}

export type Detector = (events$: Observable<PipelineEvent>, ctx: RuleContextLike) => Observable<AlertCandidate>

/** Where alert candidates go (the alert service). Must be idempotent per candidate batch as far as it can. */
export interface AlertSink {
  raiseMany (candidates: AlertCandidate[]): Promise<void>
}

export interface PipelineDeps {
  view: RegistryView
  detect: Detector
  alerts: AlertSink
  logger: Logger
  params?: Partial<RuleParams>
  scheduler?: SchedulerLike
  /** Longest time candidates wait to be written together. */
  batchMs?: number
}

export class Pipeline {
  private readonly input$ = new Subject<PipelineEvent>()
  private subscription: Subscription | undefined
  private pendingWrites = Promise.resolve()
  readonly counters = { events: 0, candidates: 0, alertWriteFailures: 0, enrichFailures: 0 }
  /** Every candidate, after it was handed to the alert sink (for tests, the benchmark and live consoles). */
  readonly raised$ = new Subject<AlertCandidate[]>()

  constructor (private readonly deps: PipelineDeps) {}

  start (): void {
    const params = { ...DEFAULT_RULE_PARAMS, ...this.deps.params }
    const ctx: RuleContextLike = { view: this.deps.view, params }
    if (this.deps.scheduler !== undefined) ctx.scheduler = this.deps.scheduler
    this.subscription = this.deps.detect(this.input$, ctx).pipe(
      bufferTime(this.deps.batchMs ?? 5, null, 1000),
      filter((batch) => batch.length > 0),
      concatMap((batch) => this.write(batch)),
    ).subscribe({
      error: (err: unknown) => this.deps.logger.fatal({ err }, 'pipeline stopped on an error'),
    })
  }

  /** Feeds one accepted, freshly logged message. Never throws. */
  push (m: AcceptedMessage): void {
    let e: PipelineEvent | undefined
    try {
      e = enrich(m, this.deps.view)
    } catch (err) {
      this.counters.enrichFailures++
      this.deps.logger.error({ err, deviceId: m.deviceId, channel: m.channel }, 'could not enrich an event; skipped')
      return
    }
    if (e === undefined) return
    this.counters.events++
    this.input$.next(e)
  }

  /** Completes the input and waits for the last alerts to be written. */
  async stop (): Promise<void> {
    this.input$.complete()
    await new Promise((r) => setTimeout(r, (this.deps.batchMs ?? 5) * 2))
    this.subscription?.unsubscribe()
    await this.pendingWrites
  }

  /** Writes one batch; on failure retries with backoff so no alert is dropped. */
  private async write (batch: AlertCandidate[]): Promise<void> {
    const done = (async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          await this.deps.alerts.raiseMany(batch)
          this.counters.candidates += batch.length
          this.raised$.next(batch)
          return
        } catch (err) {
          this.counters.alertWriteFailures++
          this.deps.logger.error({ err, attempt, size: batch.length }, 'writing alerts failed; retrying')
          await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** attempt, 5000)))
        }
      }
    })()
    this.pendingWrites = done
    return done
  }
}

