// The pipeline component on virtual time with an in-memory store: batching,
// progress, checkpoints, and the replay after a crash that gives every logged
// event its effect exactly once. (test/crash-restart.test.ts does the same
// against the real database and a killed process.)

import pino from 'pino'
import { VirtualTimeScheduler } from 'rxjs'
import { describe, expect, it } from 'vitest'
import type { AlertCandidate } from './model.ts'
import { Pipeline, type LiveLevelAlert, type LoggedMessage, type PipelineProgress, type PipelineStore } from './pipeline.ts'
import { detectAll, DETECTORS } from './rules/index.ts'
import { T0, TestView } from './rules/rules.test-kit.ts'
import { detectUnknownCredential } from './rules/unknown-credential.ts'

class MemoryStore implements PipelineStore {
  readonly log: LoggedMessage[] = []
  readonly alerts: AlertCandidate[] = []
  progress: PipelineProgress | undefined
  failing = false
  commits = 0

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
  async commit (candidates: AlertCandidate[], p: { through: number; checkpoint?: { seq: number; state: string } }): Promise<void> {
    if (this.failing) throw new Error('database gone')
    this.commits++
    this.alerts.push(...candidates)
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

/** Hands a logged message to the pipeline as the platform's sink does. */
const pushLogged = (p: Pipeline, m: LoggedMessage): void => p.push(m, m.logSeq)

/** A pipeline with only the unknown-credential rule (one candidate per swipe), unless `allRules`. */
function pipeline (store: PipelineStore, o: { checkpointMs?: number; allRules?: boolean } = {}): { p: Pipeline; scheduler: VirtualTimeScheduler } {
  const scheduler = new VirtualTimeScheduler()
  const rules = o.allRules === true ? DETECTORS : [detectUnknownCredential]
  const p = new Pipeline({
    view: new TestView(), store, logger: silent, scheduler, now: () => T0 + scheduler.now(), checkpointMs: o.checkpointMs ?? 60_000, batchMs: 1,
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
    expect(store.alerts.map((c) => c.dedupKey)).toEqual(['unknown_credential:b1:card:NEW00001'])
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
    expect(store.alerts.map((c) => c.dedupKey.split(':').pop())).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((i) => `CARD000${i}`))
    await second.stop()
    void first.stop()
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
