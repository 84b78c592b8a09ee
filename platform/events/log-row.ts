// What the event log's parts pass each other: an accepted message as one row
// (the journal line and the insert's JSON have the same short keys), the
// answer to an append, and the figures every part counts into.

import { isEventChannel } from '../../protocol/index.ts'
import type { AcceptedMessage } from '../broker/ports.ts'

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

export const COPY: AppendResult = Object.freeze({ fresh: false, logSeq: null })
export const SEQ_REUSED: AppendResult = Object.freeze({ fresh: false, logSeq: null, conflict: 'seq_reused' })

/** One row as the journal line and the insert's JSON have it (short keys). */
export interface LogRow {
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

/** A row written to the journal, waiting for its copy into the database. */
export interface Journaled {
  n: number
  line: string
  /** When it was made durable in the journal (wall clock), for the copy's lag. */
  at: number
}

/** Figures for the benchmark and /broker/stats, counted by every part. */
export interface LogFigures {
  batches: number
  rows: number
  duplicates: number
  seqReused: number
  indexBatches: number
  indexed: number
  indexErrors: number
  unindexable: number
  lookups: number
}

export function newFigures (): LogFigures {
  return { batches: 0, rows: 0, duplicates: 0, seqReused: 0, indexBatches: 0, indexed: 0, indexErrors: 0, unindexable: 0, lookups: 0 }
}

/** Shared by the parts: appends are refused once `closed`; nothing more is written once `stopped`. */
export interface LogLifecycle {
  closed: boolean
  stopped: boolean
}

export function toRow (m: AcceptedMessage): LogRow {
  const t = new Date(m.receivedAt).toISOString()
  if (isEventChannel(m.channel)) {
    const p = m.payload as { eventId: string; seq: number; ts: string; door?: string; credential?: { credentialId?: string } }
    return { d: m.deviceId, e: p.eventId, s: p.seq, b: m.buildingId, c: m.channel, o: p.door ?? null, r: p.credential?.credentialId ?? null, a: p.ts, t, p: m.payload }
  }
  // Status, heartbeat, reply: no device event id; one row per receipt.
  const ts = (m.payload as { ts?: string }).ts
  return { d: m.deviceId, e: `${m.channel}@${t}`, s: null, b: m.buildingId, c: m.channel, o: null, r: null, a: ts ?? t, t, p: m.payload }
}
