// Fan-out of committed alert changes to live consoles. Each subscriber has an
// actor and receives only alerts in that actor's scope, through a bounded
// buffer: counter bumps of an alert already waiting in the buffer replace it
// (the console gets the latest state), transitions are always kept, and a
// consumer that still falls more than `maxBuffer` changes behind is closed
// with a reason instead of growing memory. It reconnects and resyncs.

import type { Observable, Subscription } from 'rxjs'
import type { Actor } from '../registry/access.ts'
import { canSeeAlert, type AlertChange } from './model.ts'

export interface LiveStreamOptions {
  changes$: Observable<AlertChange>
  /**
   * Changes a subscriber may have pending before it is dropped. Default 2000:
   * twice the pipeline's largest batch, since one commit announces its changes at once.
   */
  maxBuffer?: number
}

export const CLOSE_REASONS = {
  slow: 'slow_consumer',
  shutdown: 'server_shutdown',
  client: 'client_disconnected',
  session: 'session_ended',
} as const

export class LiveSubscriber implements AsyncIterable<AlertChange> {
  private readonly buffer: AlertChange[] = []
  /** The pending entry of each alert in the buffer (the latest one), to fold updates into. */
  private readonly pending = new Map<string, AlertChange>()
  private waiter: ((c: AlertChange | undefined) => void) | undefined
  private reason: string | undefined
  private readonly closedWith: Promise<string>
  private resolveClosed!: (reason: string) => void
  /** Changes folded into a pending one, and changes delivered. */
  readonly counters = { delivered: 0, folded: 0 }

  constructor (readonly actor: Actor, private readonly maxBuffer: number, private readonly onClose: (s: LiveSubscriber) => void) {
    this.closedWith = new Promise((resolve) => { this.resolveClosed = resolve })
  }

  /** Why it was closed (one of CLOSE_REASONS or a caller's reason); undefined while open. */
  get closeReason (): string | undefined { return this.reason }
  /** Resolves with the close reason. */
  get closed (): Promise<string> { return this.closedWith }
  get buffered (): number { return this.buffer.length }

  /** Called by the LiveStream for changes in scope. */
  offer (change: AlertChange): void {
    if (this.reason !== undefined) return
    if (this.waiter !== undefined) {
      const w = this.waiter
      this.waiter = undefined
      this.counters.delivered++
      w(change)
      return
    }
    const waiting = this.pending.get(change.alert.id)
    if (change.kind === 'updated' && waiting !== undefined) {
      waiting.alert = change.alert
      this.counters.folded++
      return
    }
    if (this.buffer.length >= this.maxBuffer) {
      this.close(CLOSE_REASONS.slow)
      return
    }
    const entry = { ...change }
    this.buffer.push(entry)
    this.pending.set(change.alert.id, entry)
  }

  /** The next change; undefined once closed. */
  next (): Promise<AlertChange | undefined> {
    const c = this.buffer.shift()
    if (c !== undefined) {
      if (this.pending.get(c.alert.id) === c) this.pending.delete(c.alert.id)
      this.counters.delivered++
      return Promise.resolve(c)
    }
    if (this.reason !== undefined) return Promise.resolve(undefined)
    return new Promise((resolve) => { this.waiter = resolve })
  }

  /** Ends the subscription; what was still buffered is dropped. Idempotent. */
  close (reason: string = CLOSE_REASONS.client): void {
    if (this.reason !== undefined) return
    this.reason = reason
    this.buffer.length = 0
    this.pending.clear()
    const w = this.waiter
    this.waiter = undefined
    w?.(undefined)
    this.resolveClosed(reason)
    this.onClose(this)
  }

  async * [Symbol.asyncIterator] (): AsyncIterator<AlertChange> {
    for (;;) {
      const c = await this.next()
      if (c === undefined) return
      yield c
    }
  }
}

export class LiveStream {
  private readonly subscribers = new Set<LiveSubscriber>()
  private subscription: Subscription | undefined
  private readonly maxBuffer: number
  private stopped = false
  readonly counters = { dropped: 0 }

  constructor (private readonly o: LiveStreamOptions) {
    this.maxBuffer = o.maxBuffer ?? 2000
  }

  start (): void {
    this.stopped = false
    this.subscription ??= this.o.changes$.subscribe({
      next: (c) => {
        for (const s of this.subscribers) if (canSeeAlert(s.actor, c.scope)) s.offer(c)
      },
      complete: () => this.closeAll(CLOSE_REASONS.shutdown),
    })
  }

  /** Closes every subscriber (server_shutdown) and stops listening. */
  stop (): void {
    this.subscription?.unsubscribe()
    this.subscription = undefined
    this.stopped = true
    this.closeAll(CLOSE_REASONS.shutdown)
  }

  subscribe (actor: Actor): LiveSubscriber {
    const s = new LiveSubscriber(actor, this.maxBuffer, (x) => {
      this.subscribers.delete(x)
      if (x.closeReason === CLOSE_REASONS.slow) this.counters.dropped++
    })
    this.subscribers.add(s)
    if (this.stopped) s.close(CLOSE_REASONS.shutdown)
    return s
  }

  get size (): number { return this.subscribers.size }

  private closeAll (reason: string): void {
    for (const s of [...this.subscribers]) s.close(reason)
  }
}
