// The on-device event buffer (protocol §10.3): every event waits here, with
// its eventId, seq and original ts already fixed, until the broker has
// acknowledged it. Sent in order; entries [0, cursor) are in flight. A lost
// connection puts them all back to be sent again, unchanged, in order. When
// full, the oldest event is dropped (and counted) so the door keeps working.

export interface OutboxEntry {
  readonly topic: string
  readonly payload: string
}

/**
 * Where a client's events wait for their acknowledgement: the in-memory `Outbox` by default, or a durable one
 * (the site gateway's journal). `push` may return a promise: it settles once the event is safely kept.
 */
export interface EventBuffer {
  readonly size: number
  readonly inFlight: number
  /** Events dropped so far (full, too old, or discarded on purpose). */
  readonly dropped: number
  push (entry: OutboxEntry): void | Promise<unknown>
  /** The oldest entry not yet in flight, now in flight. */
  takeNext (): OutboxEntry | undefined
  /** Acknowledged: forget it (the very object takeNext gave). */
  acknowledge (entry: OutboxEntry): boolean
  /** The connection is gone: everything in flight is to be sent again, from the oldest. */
  requeue (): void
  /** Throws everything away, counted as dropped; returns how many. */
  discard (): number
}

export class Outbox implements EventBuffer {
  private readonly entries: OutboxEntry[] = []
  private cursor = 0
  /** Events dropped because the buffer was full, or discarded on purpose. */
  dropped = 0

  constructor (readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`outbox limit must be a positive integer, not ${limit}`)
  }

  get size (): number {
    return this.entries.length
  }

  get inFlight (): number {
    return this.cursor
  }

  push (entry: OutboxEntry): void {
    if (this.entries.length >= this.limit) {
      this.entries.shift()
      if (this.cursor > 0) this.cursor--
      this.dropped++
    }
    this.entries.push(entry)
  }

  /** The oldest event not yet in flight, now marked in flight; undefined when all are. */
  takeNext (): OutboxEntry | undefined {
    const e = this.entries[this.cursor]
    if (e !== undefined) this.cursor++
    return e
  }

  /** The broker acknowledged `entry`: forget it. Unknown entries (dropped meanwhile) are ignored. */
  acknowledge (entry: OutboxEntry): boolean {
    const i = this.entries.indexOf(entry)
    if (i < 0) return false
    this.entries.splice(i, 1)
    if (i < this.cursor) this.cursor--
    return true
  }

  /** The connection is gone: everything in flight is to be sent again, from the oldest. */
  requeue (): void {
    this.cursor = 0
  }

  /** Throws every buffered event away (counted as dropped); returns how many. */
  discard (): number {
    const n = this.entries.length
    this.entries.length = 0
    this.cursor = 0
    this.dropped += n
    return n
  }
}
