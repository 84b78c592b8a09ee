// The pipeline component on virtual time with an in-memory store: batching,
// progress, checkpoints, and the replay after a crash that gives every logged
// event its effect exactly once. (test/crash-restart.test.ts does the same
// against the real database and a killed process.)

import pino from 'pino'
import { VirtualTimeScheduler } from 'rxjs'
import { describe, expect, it } from 'vitest'
import { says } from '../../contract/alert-wording.ts'
import { until } from '../../test/support/wait.ts'
import type { AlertCandidate } from './model.ts'
import { Pipeline, type LiveLevelAlert, type LoggedMessage, type PipelineProgress, type PipelineStore, type SetAsideCandidate } from './pipeline.ts'
import { detectAll, DETECTORS, type Detector } from './rules/index.ts'
import { NONE, ruleOf, type Step } from './rules/rule.ts'
import { presentedKeyOf, T0, TestView } from './rules/rules.test-kit.ts'
import { detectUnknownCredential } from './rules/unknown-credential.ts'

/** What the database says when a value cannot be stored (U+0000 in jsonb) and when it cannot be reached. */
const refusedValue = (): Error => Object.assign(new Error('unsupported Unicode escape sequence'), { code: '22P05' })
const unreachable = (): Error => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })

class MemoryStore implements PipelineStore {
  readonly log: LoggedMessage[] = []
  readonly alerts: AlertCandidate[] = []
  readonly setAside: SetAsideCandidate[] = []
  progress: PipelineProgress | undefined
  failing = false
  commits = 0
  probes = 0
  /** Candidates the "database" refuses: a commit holding one fails as a whole, as a transaction does. */
  refuses: (c: AlertCandidate) => boolean = () => false

  /** What one process sees of the store; `dead` makes its writes fail forever (the process crashed). */
  forProcess (): MemoryStore & { dead: boolean } {
    const self = Object.create(this) as MemoryStore & { dead: boolean }
    self.dead = false
    self.commit = async (c, p) => {
      if (self.dead) throw new Error('process is dead')
      return this.commit(c, p)
    }
    return self
  }

  async loadProgress (): Promise<PipelineProgress | undefined> { return this.progress === undefined ? undefined : { ...this.progress } }
  async readLog (afterSeq: number, limit: number): Promise<LoggedMessage[]> { return this.log.filter((m) => m.logSeq! > afterSeq).slice(0, limit) }
  async lastLogSeq (): Promise<number> { return this.log.length }
  async liveLevelAlerts (): Promise<LiveLevelAlert[]> { return [] }
  async setAsideCount (): Promise<number> { return this.setAside.length }
  async probe (candidates: AlertCandidate[]): Promise<void> {
    if (this.failing) throw unreachable()
    this.probes++
    if (candidates.some(this.refuses)) throw refusedValue()
  }

  async commit (candidates: AlertCandidate[], p: { through: number; checkpoint?: { seq: number; state: string } }, aside: SetAsideCandidate[] = []): Promise<void> {
    if (this.failing) throw unreachable()
    if (candidates.some(this.refuses)) throw refusedValue()
    this.commits++
    this.alerts.push(...candidates)
    this.setAside.push(...aside)
    this.progress = {
      through: p.through,
      checkpointSeq: p.checkpoint?.seq ?? this.progress?.checkpointSeq ?? null,
      checkpoint: p.checkpoint?.state ?? this.progress?.checkpoint ?? null,
    }
  }

  /** Logs a swipe of an unknown card (each one proposes an alert candidate). */
  swipe (card: string): LoggedMessage {
    const logSeq = this.log.length + 1
    const m: LoggedMessage = {
      logSeq, buildingId: 'b1', deviceId: 'reader-1', channel: 'event/access', receivedAt: T0 + logSeq,
      payload: {
        eventId: `e${logSeq}`, seq: logSeq, ts: new Date(T0 + logSeq).toISOString(), door: 'main', direction: 'in',
        credential: { kind: 'card', value: card }, result: 'denied', reason: 'unknown_credential',
      },
    }
    this.log.push(m)
    return m
  }
}

const silent = pino({ level: 'silent' })

/** The key of the unknown-card alert of a swipe: the card named by its keyed digest. */
const unknownKey = (card: string): string => `unknown_credential:b1:${presentedKeyOf('card', card)}`

/** Hands a logged message to the pipeline as the platform's sink does. */
const pushLogged = (p: Pipeline, m: LoggedMessage): void => p.push(m, m.logSeq)

/** A pipeline with only the unknown-credential rule (one candidate per swipe), unless `allRules` or `rules`. */
function pipeline (
  store: PipelineStore, o: { checkpointMs?: number; allRules?: boolean; rules?: readonly Detector[]; logger?: typeof silent } = {},
): { p: Pipeline; scheduler: VirtualTimeScheduler } {
  const scheduler = new VirtualTimeScheduler()
  const rules = o.rules ?? (o.allRules === true ? DETECTORS : [detectUnknownCredential])
  const p = new Pipeline({
    view: new TestView(), store, presentedKey: presentedKeyOf, logger: o.logger ?? silent, scheduler, now: () => T0 + scheduler.now(), checkpointMs: o.checkpointMs ?? 60_000, batchMs: 1,
    detect: (input$, ctx) => detectAll(input$, ctx, rules),
  })
  return { p, scheduler }
}

describe('pipeline', () => {
  it('commits candidates with the log position they cover and checkpoints its state', async () => {
    const store = new MemoryStore()
    const { p } = pipeline(store)
    await p.start()
    expect(store.progress).toMatchObject({ through: 0, checkpointSeq: 0 })
    for (let i = 0; i < 10; i++) pushLogged(p, store.swipe(`BAD${i % 3}0000`))
    await p.settle()
    expect(store.alerts).toHaveLength(10)
    expect(store.progress!.through).toBe(10)
    expect(store.alerts.every((c) => c.type === 'unknown_credential')).toBe(true)
    await p.stop()
    expect(store.progress).toMatchObject({ through: 10, checkpointSeq: 10 })
    expect(JSON.parse(store.progress!.checkpoint!)).toMatchObject({ v: 1 })
  })

  it('on first start over an existing log, judges only what comes after', async () => {
    const store = new MemoryStore()
    store.swipe('OLD00001')
    store.swipe('OLD00002')
    const { p } = pipeline(store)
    await p.start()
    expect(store.progress!.through).toBe(2)
    pushLogged(p, store.swipe('NEW00001'))
    await p.stop()
    expect(store.alerts.map((c) => c.dedupKey)).toEqual([unknownKey('NEW00001')])
  })

  it('after a crash, replays the log from the checkpoint: committed alerts are not raised again, lost ones are', async () => {
    const store = new MemoryStore()
    const firstStore = store.forProcess()
    const first = pipeline(firstStore).p
    await first.start()
    for (let i = 1; i <= 5; i++) pushLogged(first, store.swipe(`CARD000${i}`))
    await first.settle()
    expect(store.alerts).toHaveLength(5)
    // The process dies: events 6..8 were logged (and acknowledged) but their alerts never commit.
    firstStore.dead = true
    for (let i = 6; i <= 8; i++) pushLogged(first, store.swipe(`CARD000${i}`))
    await new Promise((r) => setTimeout(r, 20))
    expect(store.alerts).toHaveLength(5)
    // A new process starts on the same store.
    const second = pipeline(store).p
    await second.start()
    await second.settle()
    expect(second.counters.replayed).toBe(8)
    expect(second.counters.suppressed).toBe(5)
    expect(store.alerts.map((c) => c.dedupKey)).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((i) => unknownKey(`CARD000${i}`)))
    await second.stop()
    void first.stop()
  })

  it('never splits one event\'s candidates over two commits: a crash between them would raise the first ones twice', async () => {
    const store = new MemoryStore()
    // A second rule that also reacts to every swipe: each event proposes two candidates.
    const stepAlsoTamper: Step = (input) => input.kind === 'access'
      ? [{ type: 'tamper', severity: 'major', dedupKey: `tamper:b1:${input.ref}`, buildingId: 'b1', evidence: [input.ref], ...says('tamper.reported', { device: 'd', door: 'x' }), at: input.at }]
      : NONE
    const first = store.forProcess()
    const commit = first.commit
    // The process dies right after its first commit of alerts.
    first.commit = async (c, p, a) => {
      await commit(c, p, a)
      if (c.length > 0) first.dead = true
    }
    const scheduler = new VirtualTimeScheduler()
    const make = (s: PipelineStore): Pipeline => new Pipeline({
      view: new TestView(), store: s, presentedKey: presentedKeyOf, logger: silent, scheduler, now: () => T0 + scheduler.now(), checkpointMs: 60_000, batchMs: 1, maxBatch: 1,
      detect: (input$, ctx) => detectAll(input$, ctx, [detectUnknownCredential, ruleOf(stepAlsoTamper)]),
    })
    const a = make(first)
    await a.start()
    pushLogged(a, store.swipe('CARD0001'))
    await until('the first process committed its alerts and died', () => first.dead === true)
    const b = make(store)
    await b.start()
    await b.settle()
    const keys = store.alerts.map((c) => c.dedupKey)
    expect(keys.sort()).toEqual(['tamper:b1:reader-1/e1', unknownKey('CARD0001')].sort())
    await b.stop()
    void a.stop()
  })

  it('restores the rules state from the checkpoint: a run of denials goes on across a restart', async () => {
    const store = new MemoryStore()
    const first = pipeline(store, { checkpointMs: 0, allRules: true }).p
    await first.start()
    for (let i = 0; i < 3; i++) pushLogged(first, store.swipe('SAME0001'))
    await first.stop()
    const second = pipeline(store, { allRules: true }).p
    await second.start()
    expect(second.counters.replayed).toBe(0)
    pushLogged(second, store.swipe('SAME0001'))
    pushLogged(second, store.swipe('SAME0001'))
    await second.stop()
    const runs = store.alerts.filter((c) => c.type === 'repeated_denials')
    expect(runs).toHaveLength(1)
    expect(runs[0]!.evidence).toHaveLength(5)
  })

  it('a rule step that throws is caught and counted for that rule; the event still goes through the other rules', async () => {
    const store = new MemoryStore()
    const stepBrokenOnAccess: Step = (input) => {
      if (input.kind === 'access') throw new TypeError('a bug in one rule')
      return NONE
    }
    const lines: Array<{ level: string; msg: string; rule?: string; suppressed?: number }> = []
    const logger = pino({ level: 'warn' }, { write: (l: string) => { lines.push(JSON.parse(l)) } })
    const { p } = pipeline(store, { rules: [ruleOf(stepBrokenOnAccess), detectUnknownCredential], logger })
    await p.start()
    // Before, the throw escaped the RxJS subscriber and was re-thrown on the next turn: the process died.
    for (let i = 0; i < 5; i++) pushLogged(p, store.swipe(`BAD0000${i}`))
    await p.settle()
    expect(store.alerts.map((c) => c.dedupKey)).toEqual([0, 1, 2, 3, 4].map((i) => unknownKey(`BAD0000${i}`)))
    expect(store.progress!.through).toBe(5)
    expect(p.stats().ruleFailures).toEqual({ 'broken-on-access': 5 })
    // Logged once, then counted: the other four failures wait for the end of the interval.
    const failed = lines.filter((l) => l.rule === 'broken-on-access')
    expect(failed).toHaveLength(1)
    expect(failed[0]).toMatchObject({ msg: expect.stringContaining('rule broken-on-access failed') })
    await p.stop()
    expect(lines.filter((l) => l.rule === 'broken-on-access').at(-1)).toMatchObject({ suppressed: 4 })
  })

  it('a state step that throws is caught and counted; the rules still judge the input', async () => {
    const store = new MemoryStore()
    const { p } = pipeline(store)
    await p.start()
    // A checkpoint restored from a corrupt row, say: the tracker's map holds a value it cannot use.
    ;(p as unknown as { state: { persons: { get: () => never } } }).state.persons.get = () => { throw new RangeError('corrupt state') }
    const view = (p as unknown as { o: { view: TestView } }).o.view
    view.addResident('r1', 'room-1')
    const m = store.swipe('C-R1')
    ;(m.payload as { result: string; reason?: string }).result = 'granted'
    delete (m.payload as { reason?: string }).reason
    pushLogged(p, m)
    pushLogged(p, store.swipe('BAD00009'))
    await p.settle()
    expect(p.stats().ruleFailures).toEqual({ state: 1 })
    expect(store.alerts.map((c) => c.dedupKey)).toEqual([unknownKey('BAD00009')])
    await p.stop()
  })

  it('a batch the database refuses is split: the refused candidate is set aside with the progress, the rest commit', async () => {
    const store = new MemoryStore()
    // The card's last four characters, in the explanation, carry a NUL.
    store.refuses = (c) => c.explanation.includes('\u0000')
    const { p } = pipeline(store)
    await p.start()
    const cards = ['GOOD0001', 'BAD\u00001', 'GOOD0002', 'GOOD0003', 'BAD\u00002', 'GOOD0004']
    for (const card of cards) pushLogged(p, store.swipe(card))
    await p.settle()
    // Every good alert, in event order, in one commit after the split; nothing waits behind the refused ones.
    expect(store.alerts.map((c) => c.dedupKey)).toEqual(['GOOD0001', 'GOOD0002', 'GOOD0003', 'GOOD0004'].map(unknownKey))
    expect(store.setAside.map((a) => [a.logSeq, a.code, a.candidate.dedupKey])).toEqual([
      [2, '22P05', unknownKey('BAD\u00001')], [5, '22P05', unknownKey('BAD\u00002')],
    ])
    expect(store.setAside[0]!.reason).toBe('unsupported Unicode escape sequence')
    expect(store.progress!.through).toBe(6)
    expect(p.stats()).toMatchObject({ setAside: 2, committed: 4 })
    // Later events go on as usual.
    pushLogged(p, store.swipe('GOOD0005'))
    await p.settle()
    expect(store.alerts).toHaveLength(5)
    expect(store.progress!.through).toBe(7)
    await p.stop()
  })

  it('a database that is down is retried with back-off, and nothing is set aside', async () => {
    const store = new MemoryStore()
    const { p } = pipeline(store)
    await p.start()
    store.failing = true
    pushLogged(p, store.swipe('CARD0001'))
    pushLogged(p, store.swipe('CARD0002'))
    await new Promise((r) => setTimeout(r, 400))
    expect(p.stats().commitFailures).toBeGreaterThanOrEqual(2)
    // Back-off: a few attempts in 400 ms (100, 200 ms ...), not one per millisecond.
    expect(p.stats().commitFailures).toBeLessThan(6)
    expect(store.probes).toBe(0)
    expect(p.stats().uncommitted).toBe(2)
    store.failing = false
    await p.settle()
    expect(store.alerts.map((c) => c.dedupKey)).toEqual(['CARD0001', 'CARD0002'].map(unknownKey))
    expect(store.setAside).toEqual([])
    expect(p.stats()).toMatchObject({ setAside: 0, uncommitted: 0 })
    await p.stop()
  })

  it('ticks come from the injected scheduler', async () => {
    const store = new MemoryStore()
    const { p, scheduler } = pipeline(store)
    await p.start()
    const before = p.counters.ticks
    scheduler.maxFrames = 10_500
    scheduler.flush()
    expect(p.counters.ticks - before).toBe(10)
    await p.stop()
  })
})
