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
}

interface Pending {
  row: LogRow
  resolve: (r: AppendResult) => void
  reject: (err: unknown) => void
}

interface LogRow {
  deviceId: string
  eventId: string
  seq: number | null
  buildingId: string
  channel: string
  door: string | null
  credentialId: string | null
  at: string
  receivedAt: string
  payload: string
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
  readonly counters = { batches: 0, rows: 0, duplicates: 0 }

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
          for (const p of batch) {
            const key = `${p.row.deviceId}\u0000${p.row.eventId}`
            // Two copies in one batch: the first is the fresh one.
            const logSeq = inserted.get(key)
            inserted.delete(key)
            if (logSeq === undefined) this.counters.duplicates++
            else this.counters.rows++
            p.resolve({ fresh: logSeq !== undefined, logSeq: logSeq ?? null })
          }
        } catch (err) {
          for (const p of batch) p.reject(err)
        }
      }
    } finally {
      this.flushing = false
    }
  }

  private async insert (rows: LogRow[]): Promise<Map<string, number>> {
    const cols: unknown[][] = [[], [], [], [], [], [], [], [], [], []]
    for (const r of rows) {
      cols[0]!.push(r.deviceId); cols[1]!.push(r.eventId); cols[2]!.push(r.seq); cols[3]!.push(r.buildingId)
      cols[4]!.push(r.channel); cols[5]!.push(r.door); cols[6]!.push(r.credentialId); cols[7]!.push(r.at)
      cols[8]!.push(r.receivedAt); cols[9]!.push(r.payload)
    }
    const result = await this.db.query<{ device_id: string; event_id: string; log_seq: number }>(
      `insert into events (device_id, event_id, seq, building_id, channel, door, credential_id, at, received_at, payload)
       select * from unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[],
                            $8::timestamptz[], $9::timestamptz[], $10::jsonb[])
       on conflict do nothing
       returning device_id, event_id, log_seq`,
      cols,
    )
    const out = new Map<string, number>()
    for (const r of result.rows) out.set(`${r.device_id}\u0000${r.event_id}`, Number(r.log_seq))
    return out
  }
}

function toRow (m: AcceptedMessage): LogRow {
  const receivedAt = new Date(m.receivedAt).toISOString()
  const base = { deviceId: m.deviceId, buildingId: m.buildingId, channel: m.channel, receivedAt, payload: JSON.stringify(m.payload) }
  if (isEventChannel(m.channel)) {
    const p = m.payload as { eventId: string; seq: number; ts: string; door?: string; credential?: { credentialId?: string } }
    return { ...base, eventId: p.eventId, seq: p.seq, at: p.ts, door: p.door ?? null, credentialId: p.credential?.credentialId ?? null }
  }
  // Status, heartbeat, reply: no device event id; one row per receipt.
  const ts = (m.payload as { ts?: string }).ts
  return { ...base, eventId: `${m.channel}@${receivedAt}`, seq: null, at: ts ?? receivedAt, door: null, credentialId: null }
}
