// Reading the event log after a position: the `events` table in log order.
// The indexer (event-indexer.ts) commits copies in log order, one batch after
// the other, so a reader that has seen position N never later meets an event
// below N (set-aside events and deleted old ones are gaps, not late arrivals).

import type { AcceptedMessage } from '../broker/ports.ts'
import type { Queryable } from '../store/database.ts'

/** A logged message and its position in the log. */
export type LogEntry = AcceptedMessage & { logSeq: number }

/** Anything with a log position (the pipeline's messages have a nullable one). */
export interface LogPosition { logSeq: number | null }

export interface LogSource<E extends LogPosition = LogEntry> {
  /** Entries logged after `afterSeq`, in log order, at most `limit`. */
  readLog (afterSeq: number, limit: number): Promise<E[]>
}

interface EventRow { log_seq: string | number; device_id: string; building_id: string; channel: string; payload: unknown; received_at: Date }

/** The event log as the database holds it. */
export class SqlLogSource implements LogSource {
  constructor (private readonly db: Queryable) {}

  async readLog (afterSeq: number, limit: number): Promise<LogEntry[]> {
    const r = await this.db.query<EventRow>(
      `select log_seq, device_id, building_id, channel, payload, received_at from events
        where log_seq > $1 order by log_seq limit $2`, [afterSeq, limit])
    return r.rows.map((row) => ({
      logSeq: Number(row.log_seq),
      deviceId: row.device_id,
      buildingId: row.building_id,
      channel: row.channel,
      payload: typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload,
      receivedAt: new Date(row.received_at).getTime(),
    }) as LogEntry)
  }
}

/**
 * The log after `afterSeq` in batches of at most `limit`, each read after the last position of the one
 * before; ends after a batch shorter than `limit` (the end of the log as it was then).
 */
export async function * batchesAfter<E extends LogPosition> (source: LogSource<E>, afterSeq: number, limit: number): AsyncGenerator<E[]> {
  let after = afterSeq
  for (;;) {
    const batch = await source.readLog(after, limit)
    if (batch.length > 0) yield batch
    if (batch.length < limit) return
    after = batch[batch.length - 1]!.logSeq ?? after
  }
}
