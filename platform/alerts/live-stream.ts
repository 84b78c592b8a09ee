// Fan-out of committed alert changes to live consoles. Each subscriber has an
// actor and receives only alerts in that actor's scope, through a bounded
// buffer: counter bumps of an alert already waiting in the buffer replace it
// (the console gets the latest state), transitions are always kept, and a
// consumer that still falls more than `maxBuffer` changes behind is closed
// with a reason instead of growing memory. It reconnects and resyncs.
//
// Subscribers are limited per account, per client address and in total: one
// account cannot take every place, and the server's memory and sockets stay
// bounded. A subscriber beyond a limit is refused (RH_TOO_MANY_STREAMS) and
// counted.

import type { Observable, Subscription } from 'rxjs'
import { Errors } from '../errors.ts'
import type { Actor } from '../registry/access.ts'
import { canSeeAlert, type AlertChange } from './model.ts'

export interface LiveStreamOptions {
  changes$: Observable<AlertChange>
  /**
   * Changes a subscriber may have pending before it is dropped. Default 2000:
   * twice the pipeline's largest batch, since one commit announces its changes at once.
   */
  maxBuffer?: number
  /** Open subscribers allowed; defaults DEFAULT_STREAM_LIMITS. */
  limits?: Partial<StreamLimits>
}

export interface StreamLimits {
  perAccount: number
  /** Per client address (`actor.ip`); subscribers without one count only per account and in total. */
  perAddress: number
  total: number
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = { perAccount: 10, perAddress: 100, total: 1000 }

/** What `stats()` reports (GET /broker/stats, `liveStreams`). */
export interface LiveStreamStats {
  open: number
  /** Subscribers closed for falling too far behind. */
  dropped: number
  refused: { account: number; address: number; total: number }
  limits: StreamLimits
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
  private readonly limits: StreamLimits
  private readonly perAccount = new Map<string, number>()
  private readonly perAddress = new Map<string, number>()
  private readonly refused = { account: 0, address: 0, total: 0 }

  constructor (private readonly o: LiveStreamOptions) {
    this.maxBuffer = o.maxBuffer ?? 2000
    this.limits = { ...DEFAULT_STREAM_LIMITS, ...o.limits }
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

  /** A new subscriber for `actor` (from `actor.ip`); throws RH_TOO_MANY_STREAMS beyond a limit. */
  subscribe (actor: Actor): LiveSubscriber {
    this.admit(actor)
    const address = actor.ip
    const s = new LiveSubscriber(actor, this.maxBuffer, (x) => {
      this.subscribers.delete(x)
      decrement(this.perAccount, actor.id)
      if (address !== undefined) decrement(this.perAddress, address)
      if (x.closeReason === CLOSE_REASONS.slow) this.counters.dropped++
    })
    this.subscribers.add(s)
    increment(this.perAccount, actor.id)
    if (address !== undefined) increment(this.perAddress, address)
    if (this.stopped) s.close(CLOSE_REASONS.shutdown)
    return s
  }

  get size (): number { return this.subscribers.size }

  stats (): LiveStreamStats {
    return { open: this.subscribers.size, dropped: this.counters.dropped, refused: { ...this.refused }, limits: { ...this.limits } }
  }

  private admit (actor: Actor): void {
    const { perAccount, perAddress, total } = this.limits
    if ((this.perAccount.get(actor.id) ?? 0) >= perAccount) {
      this.refused.account++
      throw new Errors.TooManyStreams(`this account already has ${perAccount} open streams (STREAM_MAX_PER_ACCOUNT); close one first`)
    }
    if (actor.ip !== undefined && (this.perAddress.get(actor.ip) ?? 0) >= perAddress) {
      this.refused.address++
      throw new Errors.TooManyStreams(`this address already has ${perAddress} open streams (STREAM_MAX_PER_ADDRESS)`)
    }
    if (this.subscribers.size >= total) {
      this.refused.total++
      throw new Errors.TooManyStreams(`the platform already serves ${total} streams (STREAM_MAX_TOTAL); try again later`)
    }
  }

  private closeAll (reason: string): void {
    for (const s of [...this.subscribers]) s.close(reason)
  }
}

function increment (m: Map<string, number>, key: string): void {
  m.set(key, (m.get(key) ?? 0) + 1)
}

function decrement (m: Map<string, number>, key: string): void {
  const n = (m.get(key) ?? 0) - 1
  if (n > 0) m.set(key, n)
  else m.delete(key)
}
