// The live alert stream (GET /alerts/stream, Server-Sent Events) read over
// fetch, in a browser or in Node 20. It authenticates with a single-use
// stream ticket (the way a browser's EventSource must) or the bearer header.
// The stream carries no event ids to resume from: after a reconnect the
// consumer resyncs with GET /alerts?status=live (onReconnect says when).

import { ApiError } from './errors.ts'
import type { AlertStreamClose, AlertStreamEvent, StreamTicket } from './schemas/alerts.ts'

/** One `event:`/`data:` block; `data` parsed as JSON. */
export type StreamMessage =
  | { event: 'alert'; data: AlertStreamEvent }
  | { event: 'close'; data: AlertStreamClose }
  | { event: string; data: unknown }

export interface LiveStreamOptions {
  base: string
  /** Session token; none for a stream opened with `ticket` alone. */
  token?: string
  /** `ticket` (default): take a ticket with the token, then ?ticket=; `header`: send the token as Authorization: Bearer. */
  auth?: 'ticket' | 'header'
  /** A ticket taken before; the token is then not used for the first connection. */
  ticket?: string
  /** More query parameters, sent as given (tests of what the stream refuses). */
  query?: Record<string, string>
  /** Called for each message as it arrives. */
  onMessage?: (m: StreamMessage) => void
  /** Keep every message in `messages` (tests); default false. */
  keep?: boolean
  /**
   * Reconnect when the stream ends or the connection fails, after the delay the stream's `retry:` asked for
   * (3 s), unless the platform ended the session (`session_ended`) or refused the stream (4xx). Default false.
   */
  reconnect?: boolean
  /** After each reconnect: resync here (GET /alerts?status=live), changes meanwhile were not sent. */
  onReconnect?: () => void
}

export class LiveStreamReader {
  /** Messages received, when `keep`. */
  readonly messages: StreamMessage[] = []
  /** Comment lines (`: connected`, heartbeats). */
  comments = 0
  /** HTTP status of the latest connection. */
  status = 0
  contentType = ''
  /** The reason of the platform's `event: close`, if it sent one. */
  closeReason: string | undefined
  /** Connections made after the first. */
  reconnects = 0
  private lastEventId = ''
  private retryMs = 3000
  private abort = new AbortController()
  /** Aborted by close(): wakes the retry delay and cancels a ticket being taken. */
  private readonly closing = new AbortController()
  private closedByUs = false
  private paused: { promise: Promise<void>; resume: () => void } | undefined
  private endedWith: Promise<void>
  private markEnded!: () => void
  private isEnded = false

  private constructor (private readonly o: LiveStreamOptions) {
    this.endedWith = new Promise((resolve) => { this.markEnded = resolve })
  }

  /** Opens the stream; rejects with ApiError when the platform refuses it (401, 403, 429, ...). */
  static async open (o: LiveStreamOptions): Promise<LiveStreamReader> {
    const r = new LiveStreamReader(o)
    const body = await r.connect(o.ticket)
    void r.pump(body)
    return r
  }

  /** true once the stream ended and will not reconnect. */
  get ended (): boolean { return this.isEnded }
  /** Resolves when the stream ended and will not reconnect. */
  get done (): Promise<void> { return this.endedWith }

  /** The ids of the alerts in the `alert` messages kept, in order. */
  alertIds (): string[] {
    return this.messages.filter((m) => m.event === 'alert').map((m) => (m.data as AlertStreamEvent).alert.id)
  }

  /** Stops reading (the platform sees a consumer that does not keep up) until resume(). */
  pause (): void {
    if (this.paused !== undefined) return
    let resume!: () => void
    const promise = new Promise<void>((resolve) => { resume = resolve })
    this.paused = { promise, resume }
  }

  resume (): void {
    this.paused?.resume()
    this.paused = undefined
  }

  close (): void {
    this.closedByUs = true
    this.resume()
    this.abort.abort()
    this.closing.abort()
  }

  private async connect (ticket?: string): Promise<ReadableStream<Uint8Array>> {
    const url = new URL('/alerts/stream', this.o.base)
    for (const [k, v] of Object.entries(this.o.query ?? {})) url.searchParams.set(k, v)
    const headers: Record<string, string> = { accept: 'text/event-stream' }
    if (this.lastEventId !== '') headers['last-event-id'] = this.lastEventId
    const token = this.o.token ?? ''
    if (ticket !== undefined) url.searchParams.set('ticket', ticket)
    else if ((this.o.auth ?? 'ticket') === 'ticket' && token !== '') url.searchParams.set('ticket', (await this.takeTicket(token)).ticket)
    else if (token !== '') headers.authorization = `Bearer ${token}`
    // close() while the ticket was being taken aborted the previous controller, not the one made below.
    if (this.closedByUs) throw new ClosedError()
    this.abort = new AbortController()
    const res = await fetch(url, { headers, signal: this.abort.signal })
    if (this.closedByUs) {
      await res.body?.cancel().catch(() => {})
      throw new ClosedError()
    }
    this.status = res.status
    this.contentType = res.headers.get('content-type') ?? ''
    if (!res.ok || res.body === null) throw ApiError.from(res.status, await res.text(), `GET ${url.pathname}`)
    return res.body
  }

  private async takeTicket (token: string): Promise<StreamTicket> {
    const res = await fetch(new URL('/alerts/stream/ticket', this.o.base), { method: 'POST', headers: { authorization: `Bearer ${token}` }, signal: this.closing.signal })
    const text = await res.text()
    if (res.status !== 201) throw ApiError.from(res.status, text, 'POST /alerts/stream/ticket')
    return JSON.parse(text) as StreamTicket
  }

  /** Reads connection after connection until the stream ends for good. */
  private async pump (first: ReadableStream<Uint8Array>): Promise<void> {
    let body: ReadableStream<Uint8Array> | undefined = first
    while (body !== undefined) {
      await this.read(body).catch(() => {})
      body = undefined
      while (body === undefined && this.shouldReconnect()) {
        await this.sleep(this.retryMs)
        if (this.closedByUs) break
        try {
          body = await this.connect()
          this.reconnects++
          this.o.onReconnect?.()
        } catch (err) {
          // Refused (4xx but 429): the session or the account is gone; stop.
          if (err instanceof ApiError && err.status >= 400 && err.status < 500 && err.status !== 429) break
        }
      }
    }
    this.isEnded = true
    this.markEnded()
  }

  /** The retry delay; close() ends it at once. */
  private async sleep (ms: number): Promise<void> {
    if (this.closedByUs) return
    await new Promise<void>((resolve) => {
      const wake = (): void => { clearTimeout(timer); resolve() }
      const timer = setTimeout(() => { this.closing.signal.removeEventListener('abort', wake); resolve() }, ms)
      this.closing.signal.addEventListener('abort', wake, { once: true })
    })
  }

  private shouldReconnect (): boolean {
    return this.o.reconnect === true && !this.closedByUs && this.closeReason !== 'session_ended'
  }

  private async read (body: ReadableStream<Uint8Array>): Promise<void> {
    const reader = body.getReader()
    const decoder = new TextDecoder()
    let pending = ''
    try {
      for (;;) {
        if (this.paused !== undefined) await this.paused.promise
        const { done, value } = await reader.read()
        if (done) break
        pending += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n')
        let i: number
        while ((i = pending.indexOf('\n\n')) >= 0) {
          this.block(pending.slice(0, i))
          pending = pending.slice(i + 2)
        }
      }
    } finally {
      reader.releaseLock()
    }
  }

  /** One block of lines (text/event-stream, WHATWG HTML 9.2.6). */
  private block (block: string): void {
    let event = 'message'
    const data: string[] = []
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) { this.comments++; continue }
      const colon = line.indexOf(':')
      const field = colon < 0 ? line : line.slice(0, colon)
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
      if (field === 'event') event = value
      else if (field === 'data') data.push(value)
      else if (field === 'id') this.lastEventId = value
      else if (field === 'retry' && /^[0-9]+$/.test(value)) this.retryMs = Number(value)
    }
    if (data.length === 0) return
    const m = { event, data: JSON.parse(data.join('\n')) as unknown } as StreamMessage
    if (m.event === 'close') this.closeReason = (m.data as AlertStreamClose).reason
    if (this.o.keep === true) this.messages.push(m)
    this.o.onMessage?.(m)
  }
}

/** A connection given up because close() came while it was being made. */
class ClosedError extends Error {
  constructor () { super('the stream was closed') }
}
