// The HTTP side of readers that push their swipes (transport `http-push`):
// one listener for every reader of a model, each request tied to a reader
// session by the serial number in its body. A swipe is answered with the
// model's "kept" reply only once it is in the journal; a question with the
// decision on the allow-list held. Anything unreadable gets the model's
// "refused" reply with what was wrong, changes nothing and is counted.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { JournalFullError } from '../journal/journal.ts'
import { answerWords, listenOn } from './listening.ts'
import { fillReply } from './read-message.ts'
import type { ReaderModel } from './reader-model.ts'
import type { LegacyReaderSession } from './reader-session.ts'
import { atPointer, FieldError } from './values.ts'

const MAX_BODY = 16 * 1024

export interface HttpPushCounters {
  requests: number
  /** Refused before a reader session saw them: not JSON, too large, unknown serial, wrong path or method. */
  refused: number
}

export class HttpPushListener {
  readonly counters: HttpPushCounters = { requests: 0, refused: 0 }
  private readonly server: Server
  private readonly http: NonNullable<ReaderModel['http']>

  constructor (private readonly model: ReaderModel, private readonly readers: ReadonlyMap<string, LegacyReaderSession>, private readonly now: () => number = Date.now) {
    if (model.http === undefined) throw new Error(`model ${model.name} has no http section`)
    this.http = model.http
    this.server = createServer((req, res) => { this.handle(req, res).catch(() => this.reply(res, this.http.refused, { error: 'internal error' })) })
    this.server.headersTimeout = 10_000
    this.server.requestTimeout = 15_000
  }

  async listen (port: number, host = '0.0.0.0'): Promise<number> {
    return await listenOn(this.server, port, host)
  }

  async close (): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private async handle (req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.counters.requests++
    const path = (req.url ?? '').split('?')[0] ?? ''
    const kind = path === this.http.eventPath ? 'swipe' : path === this.http.verifyPath ? 'ask' : undefined
    if (kind === undefined || req.method !== 'POST') return this.refuse(res, `${req.method ?? '?'} ${path.slice(0, 100)} is not a path of ${this.model.name}`, 404)
    const text = await readBody(req)
    if (text === undefined) return this.refuse(res, `the body is over ${MAX_BODY} bytes`, 413)
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      return this.refuse(res, 'the body is not JSON')
    }
    const serial = atPointer(body, this.http.serialAt)
    const reader = typeof serial === 'string' || typeof serial === 'number' ? this.readers.get(String(serial)) : undefined
    if (reader === undefined) return this.refuse(res, 'no reader with this serial number is configured at this site')
    const get = (at: string): unknown => atPointer(body, at)
    try {
      if (kind === 'swipe') {
        await reader.swipe(get, this.now())
        return this.reply(res, this.http.kept, {})
      }
      return this.reply(res, this.http.verifyAnswer ?? this.http.kept, answerWords(this.model, await reader.ask(get, this.now())))
    } catch (err) {
      if (err instanceof FieldError) return this.reply(res, this.http.refused, { error: err.message })
      // The journal is full of alarms: the reader should keep the swipe and send it again later.
      if (err instanceof JournalFullError) return this.reply(res, { ...this.http.refused, status: 503 }, { error: err.message })
      throw err
    }
  }

  private refuse (res: ServerResponse, error: string, status?: number): void {
    this.counters.refused++
    this.reply(res, status === undefined ? this.http.refused : { ...this.http.refused, status }, { error })
  }

  private reply (res: ServerResponse, r: { status: number; body?: unknown }, words: { error?: string; open?: boolean; openText?: string }): void {
    if (res.headersSent) return
    res.writeHead(r.status, { 'content-type': 'application/json; charset=utf-8' })
    res.end(JSON.stringify(fillReply(r.body ?? {}, words)))
  }
}

/** The body as text; undefined when it is larger than MAX_BODY (the rest is not read). */
function readBody (req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    // Past the limit the rest is read and thrown away, so the refusal can still be sent (the request timeout bounds it).
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size <= MAX_BODY) chunks.push(c)
    })
    req.on('end', () => resolve(size > MAX_BODY ? undefined : Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}
