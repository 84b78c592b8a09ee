// A Server-Sent Events client for integration tests: opens a stream over a
// real HTTP connection, parses `event:`/`data:` blocks and counts comments.

import { request as httpRequest, type IncomingMessage } from 'node:http'

export interface SseEvent { event: string; data: unknown }

/** Reads an SSE response: parsed events, heartbeat comments, the status. */
export class SseClient {
  readonly events: SseEvent[] = []
  comments = 0
  status = 0
  ended = false
  res: IncomingMessage | undefined
  private pending = ''

  /**
   * Opens `path` with the token as `Authorization: Bearer`, or, `viaTicket`, the
   * way a browser's EventSource does: a stream ticket first (POST
   * /alerts/stream/ticket with the token), then `?ticket=` on the stream.
   */
  static async open (base: string, path: string, token?: string, viaTicket = false): Promise<SseClient> {
    const c = new SseClient()
    const url = new URL(path, base)
    if (token !== undefined && viaTicket) url.searchParams.set('ticket', await streamTicket(base, token))
    const headers: Record<string, string> = token !== undefined && !viaTicket ? { authorization: `Bearer ${token}` } : {}
    return new Promise((resolve, reject) => {
      const req = httpRequest(url, { headers }, (res) => {
        c.res = res
        c.status = res.statusCode ?? 0
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => c.feed(chunk))
        res.on('end', () => { c.ended = true })
        res.on('error', () => { c.ended = true })
        resolve(c)
      })
      req.on('error', reject)
      req.end()
    })
  }

  private feed (chunk: string): void {
    this.pending += chunk
    let i: number
    while ((i = this.pending.indexOf('\n\n')) >= 0) {
      const block = this.pending.slice(0, i)
      this.pending = this.pending.slice(i + 2)
      let event = 'message'
      let data: string | undefined
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) this.comments++
        else if (line.startsWith('event: ')) event = line.slice(7)
        else if (line.startsWith('data: ')) data = line.slice(6)
      }
      if (data !== undefined) this.events.push({ event, data: JSON.parse(data) })
    }
  }

  alertIds (): string[] {
    return this.events.filter((e) => e.event === 'alert').map((e) => (e.data as { alert: { id: string } }).alert.id)
  }

  close (): void { this.res?.destroy() }
}

/** A stream ticket for `token` (POST /alerts/stream/ticket). */
export async function streamTicket (base: string, token: string): Promise<string> {
  const r = await fetch(new URL('/alerts/stream/ticket', base), { method: 'POST', headers: { authorization: `Bearer ${token}` } })
  const body = await r.json() as { ticket?: string }
  if (r.status !== 201 || body.ticket === undefined) throw new Error(`no stream ticket: ${r.status} ${JSON.stringify(body)}`)
  return body.ticket
}
