// The durable event log with group commit. `append` resolves once the event
// is committed (or found to be a duplicate); concurrent appends share one
// multi-row INSERT, so a burst of events costs a few transactions, not one
// each. The broker awaits `append` before it acknowledges the device.

import { isEventChannel } from '../../protocol/index.ts'
import type { AcceptedMessage } from '../broker/ports.ts'
import type { Database } from '../store/database.ts'

export interface AppendResult {
  /** False when this event (same device and eventId, or same device and seq) was already logged. */
  fresh: boolean
  /** Position in the log (fresh events only). */
  logSeq: number | null
  /**
   * Not fresh because another event (a different eventId) already has this seq: the device's counter went
   * back. Not a redelivery: the device must hear about it.
   */
  conflict?: 'seq_reused'
}

interface Pending {
  row: LogRow
  resolve: (r: AppendResult) => void
  reject: (err: unknown) => void
}

/** One row as the insert reads it from JSON (short keys: the batch is one JSON document). */
interface LogRow {
  /** device id */ d: string
  /** event id */ e: string
  /** seq */ s: number | null
  /** building id */ b: string
  /** channel */ c: string
  /** door */ o: string | null
  /** credential id */ r: string | null
  /** device time */ a: string
  /** broker time */ t: string
  /** payload */ p: unknown
}

export interface EventLogOptions {
  /** Largest batch written by one INSERT. */
  maxBatch?: number
}

export class EventLog {
  private queue: Pending[] = []
  private flushing = false
  private readonly maxBatch: number
  private closed = false
  /** Batches and rows written, for the benchmark and /broker/stats. */
  readonly counters = { batches: 0, rows: 0, duplicates: 0, seqReused: 0 }

  constructor (private readonly db: Database, options: EventLogOptions = {}) {
    this.maxBatch = options.maxBatch ?? 1000
  }

  /** Logs an accepted message. Events are keyed by eventId; status messages by device and receive time. */
  append (m: AcceptedMessage): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new Error('event log is closed'))
    const row = toRow(m)
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ row, resolve, reject })
      if (!this.flushing) void this.flush()
    })
  }

  /** Waits for what is queued, then refuses new appends. */
  async close (): Promise<void> {
    this.closed = true
    while (this.flushing || this.queue.length > 0) {
      if (!this.flushing) await this.flush()
      else await new Promise((r) => setTimeout(r, 1))
    }
  }

  private async flush (): Promise<void> {
    this.flushing = true
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch)
        try {
          const inserted = await this.insert(batch.map((p) => p.row))
          this.counters.batches++
          const answers: Array<{ p: Pending; logSeq: number | undefined }> = []
          for (const p of batch) {
            const key = `${p.row.d}\u0000${p.row.e}`
            // Two copies in one batch: the first is the fresh one.
            const logSeq = inserted.get(key)
            inserted.delete(key)
            answers.push({ p, logSeq })
          }
          const refused = answers.filter((a) => a.logSeq === undefined)
          const reused = refused.length === 0 ? new Set<string>() : await this.seqReused(refused.map((a) => a.p.row))
          for (const { p, logSeq } of answers) {
            if (logSeq !== undefined) {
              this.counters.rows++
              p.resolve({ fresh: true, logSeq })
            } else if (reused.has(`${p.row.d}\u0000${p.row.e}`)) {
              this.counters.seqReused++
              p.resolve({ fresh: false, logSeq: null, conflict: 'seq_reused' })
            } else {
              this.counters.duplicates++
              p.resolve({ fresh: false, logSeq: null })
            }
          }
        } catch (err) {
          for (const p of batch) p.reject(err)
        }
      }
    } finally {
      this.flushing = false
    }
  }

  /** Of rows the insert skipped, those whose eventId is not logged: their seq belongs to another event. */
  private async seqReused (rows: LogRow[]): Promise<Set<string>> {
    const r = await this.db.query<{ d: string; e: string }>(
      `select x.d, x.e from json_to_recordset($1::json) as x (d text, e text)
        where not exists (select 1 from events v where v.device_id = x.d and v.event_id = x.e)`,
      [JSON.stringify(rows.map((row) => ({ d: row.d, e: row.e })))])
    return new Set(r.rows.map((row) => `${row.d}\u0000${row.e}`))
  }

  private async insert (rows: LogRow[]): Promise<Map<string, number>> {
    // One JSON parameter for the whole batch: serialised natively, parsed once by the database.
    const result = await this.db.query<{ device_id: string; event_id: string; log_seq: number }>(
      `insert into events (device_id, event_id, seq, building_id, channel, door, credential_id, at, received_at, payload)
       select x.d, x.e, x.s, x.b, x.c, x.o, x.r, x.a, x.t, x.p
         from rows from (json_to_recordset($1::json) as (d text, e text, s bigint, b text, c text, o text, r text,
                                                          a timestamptz, t timestamptz, p jsonb))
              with ordinality as x (d, e, s, b, c, o, r, a, t, p, n)
        order by x.n
       on conflict do nothing
       returning device_id, event_id, log_seq`,
      [JSON.stringify(rows)],
    )
    const out = new Map<string, number>()
    for (const r of result.rows) out.set(`${r.device_id}\u0000${r.event_id}`, Number(r.log_seq))
    return out
  }
}

function toRow (m: AcceptedMessage): LogRow {
  const t = new Date(m.receivedAt).toISOString()
  if (isEventChannel(m.channel)) {
    const p = m.payload as { eventId: string; seq: number; ts: string; door?: string; credential?: { credentialId?: string } }
    return { d: m.deviceId, e: p.eventId, s: p.seq, b: m.buildingId, c: m.channel, o: p.door ?? null, r: p.credential?.credentialId ?? null, a: p.ts, t, p: m.payload }
  }
  // Status, heartbeat, reply: no device event id; one row per receipt.
  const ts = (m.payload as { ts?: string }).ts
  return { d: m.deviceId, e: `${m.channel}@${t}`, s: null, b: m.buildingId, c: m.channel, o: null, r: null, a: ts ?? t, t, p: m.payload }
}
