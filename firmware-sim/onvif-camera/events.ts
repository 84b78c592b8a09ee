// The camera's event service: PullPoint subscriptions with termination times in the camera's clock, a bounded
// queue each, long-polling pulls, renewals, synchronisation points, and the ways pulls end early in the field.
// Timers are real (this is the simulator's edge), the clock is the camera's (injected).

import { esc } from './xml.ts'
import { faults, isoSeconds } from './soap.ts'

export type PropertyOperation = 'Initialized' | 'Changed' | 'Deleted'
export interface CameraEvent {
  topic: string
  utcMs: number
  property?: PropertyOperation
  source: Array<[string, string]>
  data: Array<[string, string]>
}

export type PullEnd = 'close-socket' | 'empty'
export type PullResult = { kind: 'messages', events: CameraEvent[] } | { kind: PullEnd }

interface Waiter { limit: number, timer: NodeJS.Timeout, settle: (r: PullResult | Error) => void }
interface Subscription {
  id: string
  terminationMs: number
  queue: CameraEvent[]
  waiter?: Waiter
  flushScheduled: boolean
}

export interface EventHubOptions {
  now: () => number
  /** The property states a new subscription and a synchronisation point re-send (as Initialized). */
  propertyStates: () => CameraEvent[]
  maxSubscriptions: number
  maxQueue: number
  maxTerminationMs: number
  defaultTerminationMs: number
}

export interface EventCounters {
  subscriptionsCreated: number
  subscriptionsRenewed: number
  subscriptionsExpired: number
  subscriptionsUnsubscribed: number
  pulls: number
  pullsEndedEarly: number
  messagesDelivered: number
  messagesDropped: number
}

export class EventHub {
  private readonly subs = new Map<string, Subscription>()
  private nextId = 1
  private pendingEnds: PullEnd[] = []
  readonly counters: EventCounters = {
    subscriptionsCreated: 0, subscriptionsRenewed: 0, subscriptionsExpired: 0, subscriptionsUnsubscribed: 0,
    pulls: 0, pullsEndedEarly: 0, messagesDelivered: 0, messagesDropped: 0,
  }

  constructor (private readonly opts: EventHubOptions) {}

  get active (): number { this.sweep(); return this.subs.size }

  /** Creates a subscription ending at `terminationMs` (camera clock; clamped), queued with the current states. */
  create (terminationMs: number | undefined): { id: string, terminationMs: number } {
    this.sweep()
    if (this.subs.size >= this.opts.maxSubscriptions) throw faults.tooManySubscriptions(this.opts.maxSubscriptions)
    const id = `sub-${this.nextId++}`
    const sub: Subscription = { id, terminationMs: this.clampTermination(terminationMs), queue: [], flushScheduled: false }
    this.subs.set(id, sub)
    this.counters.subscriptionsCreated++
    for (const e of this.opts.propertyStates()) this.enqueue(sub, e)
    return { id, terminationMs: sub.terminationMs }
  }

  renew (id: string, terminationMs: number | undefined): number {
    const sub = this.live(id)
    sub.terminationMs = this.clampTermination(terminationMs)
    this.counters.subscriptionsRenewed++
    return sub.terminationMs
  }

  unsubscribe (id: string): void {
    const sub = this.live(id)
    this.drop(sub, faults.unknownSubscription())
    this.counters.subscriptionsUnsubscribed++
  }

  synchronize (id: string): void {
    const sub = this.live(id)
    for (const e of this.opts.propertyStates()) this.enqueue(sub, e)
  }

  terminationOf (id: string): number { return this.live(id).terminationMs }

  publish (event: CameraEvent): void {
    this.sweep()
    for (const sub of this.subs.values()) this.enqueue(sub, event)
  }

  /**
   * Waits up to `timeoutMs` for messages (at most `limit`): answers at once when some are queued, as soon as one
   * arrives otherwise, with none at the timeout, and with a fault when the subscription ends meanwhile.
   */
  pull (id: string, timeoutMs: number, limit: number, signal?: AbortSignal): Promise<PullResult> {
    const sub = this.live(id)
    this.counters.pulls++
    // One pull at a time per subscription: a newer pull answers the older one with no messages.
    sub.waiter?.settle({ kind: 'messages', events: [] })
    const end = this.pendingEnds.shift()
    if (end !== undefined) {
      this.counters.pullsEndedEarly++
      return Promise.resolve({ kind: end })
    }
    if (sub.queue.length > 0) return Promise.resolve({ kind: 'messages', events: this.take(sub, limit) })
    return new Promise((resolve, reject) => {
      const waitMs = Math.max(0, Math.min(timeoutMs, sub.terminationMs - this.opts.now()))
      const waiter: Waiter = {
        limit,
        timer: setTimeout(() => {
          if (this.opts.now() >= sub.terminationMs) this.sweep()
          waiter.settle({ kind: 'messages', events: [] })
        }, waitMs),
        settle: (r) => {
          clearTimeout(waiter.timer)
          if (sub.waiter === waiter) sub.waiter = undefined
          if (r instanceof Error) reject(r)
          else resolve(r)
        },
      }
      sub.waiter = waiter
      // The client gave up (its own timeout, a reset): the messages stay queued for its next pull.
      signal?.addEventListener('abort', () => waiter.settle({ kind: 'messages', events: [] }), { once: true })
    })
  }

  /** The pull waiting now (or, if none waits, the next pull) ends early, the way `end` says. */
  endNextPull (end: PullEnd): void {
    const waiting = [...this.subs.values()].find((s) => s.waiter !== undefined)
    if (waiting?.waiter) {
      this.counters.pullsEndedEarly++
      waiting.waiter.settle({ kind: end })
    } else {
      this.pendingEnds.push(end)
    }
  }

  /** Every subscription ends now (its pending pull gets the fault a terminated subscription gets). */
  expireAll (): void {
    for (const sub of [...this.subs.values()]) {
      this.drop(sub, faults.unknownSubscription())
      this.counters.subscriptionsExpired++
    }
  }

  /** A reboot: everything forgotten, pending pulls dropped with the connections. */
  clear (): void {
    for (const sub of this.subs.values()) {
      if (sub.waiter) sub.waiter.settle({ kind: 'close-socket' })
    }
    this.subs.clear()
    this.pendingEnds = []
  }

  sweep (): void {
    const now = this.opts.now()
    for (const sub of [...this.subs.values()]) {
      if (now >= sub.terminationMs) {
        this.drop(sub, faults.unknownSubscription())
        this.counters.subscriptionsExpired++
      }
    }
  }

  private live (id: string): Subscription {
    this.sweep()
    const sub = this.subs.get(id)
    if (!sub) throw faults.unknownSubscription()
    return sub
  }

  private drop (sub: Subscription, fault: Error): void {
    this.subs.delete(sub.id)
    sub.waiter?.settle(fault)
  }

  private clampTermination (terminationMs: number | undefined): number {
    const now = this.opts.now()
    const at = terminationMs ?? now + this.opts.defaultTerminationMs
    return Math.min(Math.max(at, now + 1000), now + this.opts.maxTerminationMs)
  }

  private enqueue (sub: Subscription, event: CameraEvent): void {
    sub.queue.push(event)
    if (sub.queue.length > this.opts.maxQueue) {
      sub.queue.shift()
      this.counters.messagesDropped++
    }
    // Events raised together (a group crossing) leave together: the waiting pull answers on the next turn.
    if (sub.waiter && !sub.flushScheduled) {
      sub.flushScheduled = true
      setImmediate(() => {
        sub.flushScheduled = false
        if (sub.waiter && sub.queue.length > 0) {
          sub.waiter.settle({ kind: 'messages', events: this.take(sub, sub.waiter.limit) })
        }
      })
    }
  }

  private take (sub: Subscription, limit: number): CameraEvent[] {
    const events = sub.queue.splice(0, Math.max(1, limit))
    this.counters.messagesDelivered += events.length
    return events
  }
}

function items (list: Array<[string, string]>): string {
  return list.map(([name, value]) => `<tt:SimpleItem Name="${esc(name)}" Value="${esc(value)}"/>`).join('')
}

export function notificationXml (e: CameraEvent, subscriptionAddress: string): string {
  return '<wsnt:NotificationMessage>' +
    `<wsnt:SubscriptionReference><wsa:Address>${esc(subscriptionAddress)}</wsa:Address></wsnt:SubscriptionReference>` +
    `<wsnt:Topic Dialect="http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet">${esc(e.topic)}</wsnt:Topic>` +
    '<wsnt:Message>' +
    `<tt:Message UtcTime="${isoSeconds(e.utcMs)}"${e.property ? ` PropertyOperation="${e.property}"` : ''}>` +
    `<tt:Source>${items(e.source)}</tt:Source><tt:Data>${items(e.data)}</tt:Data>` +
    '</tt:Message></wsnt:Message></wsnt:NotificationMessage>'
}
