// The pipeline component: freshly logged device messages and clock ticks go
// into one ordered input, through the rules (rules/index.ts), and the alert
// candidates they propose are committed in small batches together with the
// pipeline's progress: the log position they cover and, every few seconds,
// a checkpoint of the rules' state taken at exactly that position.
//
// After a restart the state is restored from the checkpoint and the events
// logged after it are replayed from the event log; candidates of events whose
// alerts were already committed are dropped, the rest are raised. So every
// logged event has its effect on the alerts once, crash or not.
//
// A commit the database cannot take right now (it is down, a deadlock) is
// retried with back-off. A commit it refuses for the values in it is split
// (alert-commit.ts): the refused candidates are set aside, recorded in
// the same transaction as the rest and the progress, and alerting goes on.

import type { Logger } from 'pino'
import { asyncScheduler, interval, Subject, type Observable, type SchedulerLike, type Subscription } from 'rxjs'
import type { AcceptedMessage } from '../broker/ports.ts'
import { batchesAfter, type LogSource } from '../events/log-source.ts'
import { RateLimitedLog } from '../rate-limited-log.ts'
import { enrich } from './enrich.ts'
import {
  DEFAULT_RULE_PARAMS, LEVEL_ALERT_TYPES, type AlertCandidate, type PipelineInput, type PresentedKeyOf, type RegistryView, type RuleParams,
} from './model.ts'
import { commitBatch, type SetAsideCandidate } from './alert-commit.ts'
import { detectAll, type RuleContext } from './rules/index.ts'
import { PipelineState } from './state.ts'

export type { SetAsideCandidate } from './alert-commit.ts'

/** An accepted message and its position in the event log (null: not logged, e.g. heartbeats). */
export type LoggedMessage = AcceptedMessage & { logSeq: number | null }

export interface PipelineProgress {
  /** Alerts of every event up to this log position are committed. */
  through: number
  /** Log position of the checkpoint (its state is the state right after that event). */
  checkpointSeq: number | null
  checkpoint: string | null
}

export interface LiveLevelAlert { dedupKey: string; buildingId: string; lastAt: number; level?: number | null }

/** The pipeline's storage: progress, the event log to replay (`readLog`), the alert commit (pipeline-store.ts). */
export interface PipelineStore extends LogSource<LoggedMessage> {
  loadProgress (): Promise<PipelineProgress | undefined>
  lastLogSeq (): Promise<number>
  /** Live alerts of the level types (raised once per episode), to know which conditions are raised. */
  liveLevelAlerts (): Promise<LiveLevelAlert[]>
  /** Candidates, progress and the candidates set aside (refused by the database), in one transaction. */
  commit (candidates: AlertCandidate[], progress: Progress, setAside?: SetAsideCandidate[]): Promise<void>
  /** The commit of `candidates`, rolled back: throws what the database throws for them. */
  probe (candidates: AlertCandidate[]): Promise<void>
  /** Candidates set aside so far (by every run of this pipeline). */
  setAsideCount (): Promise<number>
}

/** What a commit records of the pipeline's progress. */
export interface Progress { through: number; checkpoint?: { seq: number; state: string } }

/** Presented keys remembered (kind and value to keyed digest); a few MB at most. */
const PRESENTED_KEYS_KEPT = 50_000

export interface PipelineOptions {
  view: RegistryView
  store: PipelineStore
  /** Names presented card and code values in alert keys and the rules' state (CredentialSecrets.presentedKey). */
  presentedKey: PresentedKeyOf
  logger: Pick<Logger, 'info' | 'warn' | 'error'>
  params?: Partial<RuleParams>
  detect?: (input$: Observable<PipelineInput>, ctx: RuleContext) => Observable<AlertCandidate>
  /** Drives the ticks; tests pass a virtual-time scheduler. */
  scheduler?: SchedulerLike
  /** Platform clock for ticks; default scheduler.now(). */
  now?: () => number
  /** Tick interval (tailgating, offline, overstay); default 1 s. */
  tickMs?: number
  /** Whole-registry sweeps (not seen, vacant, overcrowding by register); default 10 s. */
  sweepMs?: number
  /** Longest a candidate waits to be committed with others; default 5 ms. */
  batchMs?: number
  /** Most candidates per commit (unless a checkpoint is due); default 2000. */
  maxBatch?: number
  /** Checkpoint interval; default 5 s. */
  checkpointMs?: number
  /** Events read per replay query; default 5000. */
  replayPage?: number
  /** Failures that repeat (a rule throwing on every event) are logged once per this interval; default 10 s. */
  logIntervalMs?: number
}

/** The pipeline's figures, for GET /broker/stats and /health. */
export interface PipelineStats {
  /** Events judged since the start (a replay included). */
  events: number
  /** Alert candidates committed since the start. */
  committed: number
  /** Failed commits (retried, or split when the database refused values). */
  commitFailures: number
  /** Failures per rule (`state`: the state tracker) since the start; each failure cost that rule one input. */
  ruleFailures: Record<string, number>
  /** Events that could not be read into the rules' form (enrich.ts threw): no rule judged them. */
  enrichFailures: number
  /** Candidates the database refused, kept in pipeline_set_aside (every run). */
  setAside: number
  /** Candidates proposed and not committed yet. */
  uncommitted: number
  /** How long the oldest of them has waited (wall clock, ms); 0 when none waits. */
  oldestUncommittedMs: number
  /** How long commits have been failing without a success in between (ms; a checkpoint's too); 0 when the last one went through. */
  commitFailingMs: number
  /** The rules' stream ended with an error: nothing is judged any more (a restart is needed). */
  rulesStopped: boolean
}

/** A proposed candidate, the log position it belongs to, and when it was proposed (wall clock). */
interface Pending { c: AlertCandidate; tag: number; at: number }

export class Pipeline {
  readonly counters = { events: 0, ticks: 0, candidates: 0, committed: 0, suppressed: 0, replayed: 0, commitFailures: 0, enrichFailures: 0, checkpoints: 0 }
  /** Candidates once committed, per batch (benchmark, tests). */
  readonly committed$ = new Subject<AlertCandidate[]>()
  private state = new PipelineState()
  private readonly input$ = new Subject<PipelineInput>()
  private readonly params: RuleParams
  private readonly now: () => number
  private subscriptions: Subscription[] = []
  private pending: Pending[] = []
  /** Log position of the latest event processed. */
  private position = 0
  /** Set while replaying an event whose alerts are already committed. */
  private suppress = false
  /** Log position of the event being judged; undefined for ticks and unlogged messages. */
  private judging: number | undefined
  private lastSweep = -Infinity
  private lastCheckpoint = -Infinity
  private timer: NodeJS.Timeout | undefined
  private writing: Promise<void> | undefined
  private started = false
  private stopping = false
  private readonly ruleFailures = new Map<string, number>()
  private readonly limitedLog: RateLimitedLog
  /** The batch being committed (its candidates are no longer in `pending`). */
  private inFlight: Pending[] = []
  private setAsideTotal = 0
  private rulesStopped = false
  /** Wall clock of the first failed commit since the last one that went through. */
  private failingSince: number | undefined

  /** Presented keys by kind and value: one HMAC per card, not per swipe; a spray of unknown values evicts the oldest. */
  private readonly presentedKeys = new Map<string, string>()
  private readonly keyOf: PresentedKeyOf = (kind, value) => {
    const id = `${kind}\u0000${value}`
    let key = this.presentedKeys.get(id)
    if (key === undefined) {
      key = this.o.presentedKey(kind, value)
      if (this.presentedKeys.size >= PRESENTED_KEYS_KEPT) this.presentedKeys.delete(this.presentedKeys.keys().next().value!)
      this.presentedKeys.set(id, key)
    }
    return key
  }

  constructor (private readonly o: PipelineOptions) {
    this.params = { ...DEFAULT_RULE_PARAMS, ...o.params }
    const scheduler = o.scheduler ?? asyncScheduler
    this.now = o.now ?? (() => scheduler.now())
    this.limitedLog = new RateLimitedLog(o.logger, { intervalMs: o.logIntervalMs ?? 10_000 })
  }

  stats (): PipelineStats {
    const c = this.counters
    const oldest = this.inFlight[0] ?? this.pending[0]
    return {
      events: c.events, committed: c.committed, commitFailures: c.commitFailures,
      ruleFailures: Object.fromEntries(this.ruleFailures),
      enrichFailures: c.enrichFailures,
      setAside: this.setAsideTotal,
      uncommitted: this.inFlight.length + this.pending.length,
      oldestUncommittedMs: oldest === undefined ? 0 : Math.max(0, Date.now() - oldest.at),
      commitFailingMs: this.failingSince === undefined ? 0 : Date.now() - this.failingSince,
      rulesStopped: this.rulesStopped,
    }
  }

  /** Read-only presence for the API (registry/presence-port.ts): counts per room, a resident's latest passage. */
  presence (): { running (): boolean; observedInside (roomId: string): number; lastSeenAt (residentId: string): number | null; notSeenDays: number } {
    return {
      running: () => this.started && !this.stopping && !this.rulesStopped,
      observedInside: (roomId) => this.state.presentIn(roomId),
      lastSeenAt: (residentId) => this.state.persons.get(residentId)?.lastSeenAt ?? null,
      notSeenDays: this.params.notSeenDays,
    }
  }

  /** Restores the state, replays what the log holds beyond it, then starts the clock. Call before devices connect. */
  async start (): Promise<void> {
    const progress = await this.o.store.loadProgress()
    this.setAsideTotal = await this.o.store.setAsideCount()
    let committedThrough: number
    if (progress === undefined) {
      // First start: history before it is not judged again.
      committedThrough = await this.o.store.lastLogSeq()
      this.position = committedThrough
    } else {
      if (progress.checkpoint !== null) this.state = PipelineState.restore(progress.checkpoint)
      committedThrough = progress.through
      this.position = progress.checkpointSeq ?? progress.through
    }
    await this.adoptLiveAlerts()
    this.subscribeRules()
    const from = this.position
    await this.replay(committedThrough)
    if (this.counters.replayed > 0) this.o.logger.info({ from, to: this.position, events: this.counters.replayed }, 'pipeline replayed the event log')
    // Devices had no way to reach us while we were down.
    const now = this.now()
    for (const d of this.state.devices.values()) d.lastMessageAt = Math.max(d.lastMessageAt, now)
    this.lastCheckpoint = progress?.checkpoint == null ? -Infinity : now
    this.started = true
    this.subscriptions.push(interval(this.o.tickMs ?? 1000, this.o.scheduler ?? asyncScheduler).subscribe(() => this.tick()))
    this.tick()
    await this.flush()
  }

  /** Feeds one accepted message, freshly logged at `logSeq` (null: not logged, e.g. a heartbeat). Never throws. */
  push (m: AcceptedMessage, logSeq: number | null): void {
    if (!this.started || this.stopping) return
    this.feedMessage(m, logSeq)
  }

  /** Runs the clock once now (tests; otherwise the interval does it). */
  tick (): void {
    if (this.stopping) return
    const at = this.now()
    const sweep = at - this.lastSweep >= (this.o.sweepMs ?? 10_000)
    if (sweep) this.lastSweep = at
    this.counters.ticks++
    this.input$.next({ kind: 'tick', at, sweep })
    if (at - this.lastCheckpoint >= (this.o.checkpointMs ?? 5000)) this.schedule(0)
  }

  /** Commits what is pending with a final checkpoint and stops. */
  async stop (): Promise<void> {
    if (this.stopping) return
    this.stopping = true
    for (const s of this.subscriptions) s.unsubscribe()
    this.subscriptions = []
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    await this.writing
    if (this.started) {
      this.lastCheckpoint = -Infinity
      await this.flush(true)
    }
    this.input$.complete()
    this.committed$.complete()
    this.limitedLog.close()
  }

  /** Waits until everything proposed so far is committed (tests). */
  async settle (): Promise<void> {
    while (this.pending.length > 0 || this.writing !== undefined || this.timer !== undefined) {
      if (this.timer !== undefined) {
        clearTimeout(this.timer)
        this.timer = undefined
        void this.flush()
      }
      await (this.writing ?? new Promise((r) => setTimeout(r, 1)))
    }
  }

  private subscribeRules (): void {
    const ctx: RuleContext = { view: this.o.view, params: this.params, state: this.state, failed: (rule, err, input) => this.ruleFailed(rule, err, input) }
    const detect = this.o.detect ?? detectAll
    this.subscriptions.push(detect(this.input$, ctx).subscribe({
      next: (c) => this.propose(c),
      error: (err: unknown) => {
        this.rulesStopped = true
        this.o.logger.error({ err }, 'pipeline rules failed; alerts stopped')
      },
    }))
  }

  /** One rule lost one input: counted and logged (once per interval and rule); the other rules judged it. */
  private ruleFailed (rule: string, err: unknown, input: PipelineInput): void {
    this.ruleFailures.set(rule, (this.ruleFailures.get(rule) ?? 0) + 1)
    // Which input, but nothing of what it carries (a card number, a resident).
    const where = input.kind === 'tick' ? { input: 'tick' } : { input: input.kind, deviceId: input.deviceId, ref: input.ref }
    this.limitedLog.log('error', `rule:${rule}`, { err, rule, ...where },
      `rule ${rule} failed on an input; the other rules judged it`, { rule })
  }

  private feedMessage (m: AcceptedMessage, logSeq: number | null): void {
    let e
    try {
      e = enrich(m, this.o.view, this.keyOf)
    } catch (err) {
      this.counters.enrichFailures++
      this.limitedLog.log('error', 'enrich', { err, deviceId: m.deviceId, channel: m.channel }, 'could not enrich an event; skipped')
    }
    if (logSeq !== null && logSeq > this.position) this.position = logSeq
    if (e === undefined) return
    this.counters.events++
    this.judging = logSeq ?? undefined
    try {
      this.input$.next(e)
    } finally {
      this.judging = undefined
    }
  }

  private propose (c: AlertCandidate): void {
    this.counters.candidates++
    if (this.suppress) {
      this.counters.suppressed++
      return
    }
    // A logged event's candidates carry its log position; those of ticks and heartbeats
    // come after the event at `position` and before the next one.
    this.pending.push({ c, tag: this.judging ?? this.position + 0.5, at: Date.now() })
    this.schedule(this.o.batchMs ?? 5)
  }

  /**
   * Reads the log after the checkpoint's position (events/log-source.ts, as every log reader does). Its
   * position is not a row of log_reader_progress: it is the pipeline's progress, which moves in the
   * transaction that commits the alerts of the events it covers, with the rules' state at the checkpoint.
   */
  private async replay (committedThrough: number): Promise<void> {
    for await (const batch of batchesAfter(this.o.store, this.position, this.o.replayPage ?? 5000)) {
      for (const m of batch) {
        this.suppress = m.logSeq !== null && m.logSeq <= committedThrough
        this.feedMessage(m, m.logSeq)
        this.suppress = false
        this.counters.replayed++
      }
    }
  }

  /** Level alerts raised before the restart are known raised (and those resolved meanwhile, not). */
  private async adoptLiveAlerts (): Promise<void> {
    const live = await this.o.store.liveLevelAlerts()
    for (const key of [...this.state.latched.keys()]) {
      if (LEVEL_ALERT_TYPES.has(key.slice(0, key.indexOf(':')))) this.state.latched.delete(key)
    }
    for (const a of live) {
      // What the alert says is known only in part (its level): the next look at the condition brings it up to date.
      this.state.latched.set(a.dedupKey, a.level == null ? { at: a.lastAt, buildingId: a.buildingId } : { at: a.lastAt, buildingId: a.buildingId, level: a.level })
    }
  }

  private schedule (delayMs: number): void {
    if (this.writing !== undefined) return
    if (this.timer !== undefined) {
      if (delayMs > 0) return
      clearTimeout(this.timer)
    }
    this.timer = setTimeout(() => {
      this.timer = undefined
      void this.flush()
    }, delayMs)
  }

  /** Commits batches until nothing is pending. One at a time, in order. */
  private async flush (final = false): Promise<void> {
    if (this.writing !== undefined) return
    let done!: () => void
    this.writing = new Promise((r) => { done = r })
    try {
      let checkpointed = false
      for (;;) {
        const checkpointDue = !checkpointed && (final || this.now() - this.lastCheckpoint >= (this.o.checkpointMs ?? 5000))
        if (this.pending.length === 0 && !checkpointDue) break
        // A checkpoint must be the state at `through`: only when the batch takes everything pending.
        let take = checkpointDue ? this.pending.length : Math.min(this.pending.length, this.o.maxBatch ?? 2000)
        // All of one event's candidates in one commit: `through` stops before the event whose candidates come next,
        // so a crash between two commits splitting it would raise its first candidates a second time on replay.
        while (take < this.pending.length && this.pending[take]?.tag === this.pending[take - 1]?.tag) take++
        const batch = this.pending.splice(0, take)
        const next = this.pending[0]
        const through = next === undefined ? this.position : Math.ceil(next.tag) - 1
        const progress: Progress = { through }
        if (next === undefined && checkpointDue) progress.checkpoint = { seq: this.position, state: this.state.serialize() }
        this.inFlight = batch
        try {
          await this.commit(batch, progress)
        } finally {
          this.inFlight = []
        }
        if (progress.checkpoint !== undefined) {
          checkpointed = true
          this.lastCheckpoint = this.now()
          this.counters.checkpoints++
        }
      }
    } finally {
      this.writing = undefined
      done()
    }
    if (this.pending.length > 0 && !this.stopping) this.schedule(0)
  }

  /** Commits one batch (alert-commit.ts: retried while the database cannot take it, split when it refuses values). */
  private async commit (batch: Pending[], progress: Progress): Promise<void> {
    await commitBatch(batch, progress, {
      store: this.o.store,
      logger: this.o.logger,
      limitedLog: this.limitedLog,
      stopping: () => this.stopping,
      failed: () => {
        this.counters.commitFailures++
        this.failingSince ??= Date.now()
      },
      committed: (candidates, setAside) => {
        this.failingSince = undefined
        this.counters.committed += candidates.length
        this.setAsideTotal += setAside
        if (candidates.length > 0) this.committed$.next(candidates)
      },
    })
  }
}
