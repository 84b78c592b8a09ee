// Admission decides, before anything is written, whether an event is new, a
// copy, or a reuse of a seq (protocol/README.md, section 10.2). A seq above
// the device's highest (kept in memory) is new without asking anyone. An older
// seq (a redelivery, a replay after an outage) is looked up in the database
// once every event admitted before it is there, one lookup per device and seq
// (or eventId) at a time, so no copy slips past its original.

import type { Database } from '../store/database.ts'
import type { EventIndexer } from './event-indexer.ts'
import type { JournalGroupCommit } from './journal-group-commit.ts'
import { COPY, SEQ_REUSED, type AppendResult, type LogFigures, type LogLifecycle, type LogRow } from './log-row.ts'
import type { SetAside } from './set-aside.ts'

export interface AdmissionDeps {
  db: Database
  groupCommit: JournalGroupCommit
  indexer: EventIndexer
  setAside: SetAside
  counters: LogFigures
  lifecycle: LogLifecycle
  /** Resolves once every event appended before the call is in the database, or false after `timeoutMs`. */
  caughtUp: (timeoutMs: number) => Promise<boolean>
  /** How long an event with an older seq waits for the database to hold everything before it. */
  olderSeqWaitMs: number
}

export class EventAdmission {
  /** Lookups of older seqs under way, by device+seq and device+eventId. */
  private readonly checking = new Map<string, Promise<unknown>>()
  private readonly maxSeq = new Map<string, number>()
  private readonly maxSeqLoading = new Map<string, Promise<number>>()

  constructor (private readonly deps: AdmissionDeps) {}

  /** Admits an event with a seq: new ones go to the journal, copies and reused seqs are answered here. */
  admit (row: LogRow, seq: number): Promise<AppendResult> {
    const max = this.maxSeq.get(row.d)
    if (max === undefined) return this.loadMaxSeq(row.d).then(() => this.admit(row, seq))
    if (seq > max) {
      this.maxSeq.set(row.d, seq)
      return this.deps.groupCommit.enqueue(row)
    }
    // An older seq: a copy, a replay after an outage, or a counter that went back.
    const seqKey = `${row.d}\u0000${seq}`
    const eventKey = `${row.d}\u0000e\u0000${row.e}`
    const prior = this.checking.get(seqKey) ?? this.checking.get(eventKey)
    if (prior !== undefined) return prior.then(() => this.admit(row, seq), () => this.admit(row, seq))
    const decided = this.decideOlder(row, seq)
    const done = decided.then(() => undefined, () => undefined)
    this.checking.set(seqKey, done)
    this.checking.set(eventKey, done)
    void done.then(() => {
      if (this.checking.get(seqKey) === done) this.checking.delete(seqKey)
      if (this.checking.get(eventKey) === done) this.checking.delete(eventKey)
    })
    return decided
  }

  /** Decides an older seq against the database, once everything admitted before it is there. */
  private async decideOlder (row: LogRow, seq: number): Promise<AppendResult> {
    const { groupCommit, indexer, lifecycle } = this.deps
    const mark = groupCommit.enqueued
    const deadline = Date.now() + this.deps.olderSeqWaitMs
    while (groupCommit.written < mark && Date.now() < deadline && !lifecycle.closed) await indexer.nextCommit(20)
    if (groupCommit.written < mark || !(await this.deps.caughtUp(deadline - Date.now()))) {
      // The database is down or far behind: no answer now. Unacknowledged, the device sends it again.
      throw new Error('the database is behind the event log; an event with an older seq cannot be checked now')
    }
    if (lifecycle.closed) throw new Error('event log is closed')
    let found = await this.lookup(row, seq)
    const aside = found === 'new' ? this.deps.setAside.eventIdOf(row.d, seq) : undefined
    if (aside !== undefined) found = aside === row.e ? 'copy' : 'seq_reused'
    if (found === 'new') return await groupCommit.enqueue(row)
    return this.count(found === 'copy' ? COPY : SEQ_REUSED)
  }

  private async lookup (row: LogRow, seq: number): Promise<'new' | 'copy' | 'seq_reused'> {
    this.deps.counters.lookups++
    const r = await this.deps.db.query<{ event_id: string }>(
      'select event_id from events where device_id = $1 and (seq = $2 or event_id = $3) limit 2', [row.d, seq, row.e])
    if (r.rows.length === 0) return 'new'
    return r.rows.some((x) => x.event_id === row.e) ? 'copy' : 'seq_reused'
  }

  private loadMaxSeq (deviceId: string): Promise<number> {
    let loading = this.maxSeqLoading.get(deviceId)
    if (loading === undefined) {
      loading = this.deps.db.query<{ s: string | number | null }>('select max(seq) as s from events where device_id = $1', [deviceId])
        .then((r) => {
          const s = Math.max(Number(r.rows[0]?.s ?? -1), this.deps.setAside.maxSeqOf(deviceId))
          // Events admitted while the query ran (none can be: admission waits for this) would be above it anyway.
          this.maxSeq.set(deviceId, Math.max(s, this.maxSeq.get(deviceId) ?? -1))
          return s
        })
        .finally(() => this.maxSeqLoading.delete(deviceId))
      this.maxSeqLoading.set(deviceId, loading)
    }
    return loading
  }

  private count (r: AppendResult): AppendResult {
    if (r.conflict === 'seq_reused') this.deps.counters.seqReused++
    else if (!r.fresh) this.deps.counters.duplicates++
    return r
  }
}
