// The TCP side of readers behind a line bridge (transport `tcp-line`): each
// connection carries text lines, one message a line, answered in order, one
// answer line each. A swipe line is answered with the model's "kept" line only
// once it is in the journal; a question line with the decision; any other line
// with the "refused" line saying what was wrong, changing nothing, counted.

import { createServer, type Server, type Socket } from 'node:net'
import { JournalFullError } from '../journal/journal.ts'
import { answerWords, listenOn } from './listening.ts'
import { fillReply } from './read-message.ts'
import type { ReaderModel } from './reader-model.ts'
import type { LegacyReaderSession } from './reader-session.ts'
import { FieldError } from './values.ts'

/** A line longer than this is refused and the rest of it thrown away. */
const MAX_LINE = 1024

export interface TcpLineCounters {
  lines: number
  /** Refused before a reader session saw them: too long, matching no pattern, unknown serial. */
  refused: number
}

export class TcpLineListener {
  readonly counters: TcpLineCounters = { lines: 0, refused: 0 }
  private readonly server: Server
  private readonly sockets = new Set<Socket>()
  private readonly line: NonNullable<ReaderModel['line']>
  private readonly eventPattern: RegExp
  private readonly verifyPattern: RegExp | undefined

  constructor (private readonly model: ReaderModel, private readonly readers: ReadonlyMap<string, LegacyReaderSession>, private readonly now: () => number = Date.now) {
    if (model.line === undefined) throw new Error(`model ${model.name} has no line section`)
    this.line = model.line
    this.eventPattern = new RegExp(model.line.eventPattern)
    this.verifyPattern = model.line.verifyPattern === undefined ? undefined : new RegExp(model.line.verifyPattern)
    this.server = createServer((socket) => this.serve(socket))
  }

  async listen (port: number, host = '0.0.0.0'): Promise<number> {
    return await listenOn(this.server, port, host)
  }

  async close (): Promise<void> {
    for (const s of this.sockets) s.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private serve (socket: Socket): void {
    this.sockets.add(socket)
    socket.setEncoding('utf8')
    socket.setTimeout(10 * 60_000, () => socket.destroy())
    socket.on('error', () => {})
    socket.on('close', () => this.sockets.delete(socket))
    let pending = ''
    // Past MAX_LINE characters without a line end: the line is refused once and the rest of it, up to its end,
    // thrown away; the lines after it are read as usual.
    let overlong = false
    // One line at a time, in order: the answers must come back in the order the bridge sent the lines.
    let queue = Promise.resolve()
    const enqueue = (work: () => void | Promise<void>): void => {
      queue = queue.then(work).catch(() => this.write(socket, this.line.refused, { error: 'internal error' }))
    }
    socket.on('data', (chunk: string) => {
      const parts = (pending + chunk).split('\n')
      pending = parts.pop() ?? ''
      for (const raw of parts) {
        if (overlong) {
          overlong = false
          continue
        }
        const text = raw.replace(/\r$/, '')
        if (text.length > MAX_LINE) enqueue(() => this.refuse(socket, `a line is longer than ${MAX_LINE} characters`))
        else if (text.length > 0) enqueue(() => this.handle(socket, text))
      }
      if (!overlong && pending.length > MAX_LINE) {
        overlong = true
        enqueue(() => this.refuse(socket, `a line is longer than ${MAX_LINE} characters`))
      }
      if (overlong) pending = ''
    })
  }

  private async handle (socket: Socket, text: string): Promise<void> {
    this.counters.lines++
    const swipe = this.eventPattern.exec(text)
    const ask = swipe === null ? this.verifyPattern?.exec(text) ?? null : null
    const m = swipe ?? ask
    if (m === null) return this.refuse(socket, 'the line is not a message of this model')
    const serial = m.groups?.[this.line.serialAt]
    const reader = serial === undefined ? undefined : this.readers.get(serial)
    if (reader === undefined) return this.refuse(socket, 'no reader with this serial number is configured at this site')
    const get = (at: string): unknown => m.groups?.[at]
    try {
      if (swipe !== null) {
        await reader.swipe(get, this.now())
        return this.write(socket, this.line.kept, {})
      }
      return this.write(socket, this.line.verifyAnswer ?? this.line.kept, answerWords(this.model, await reader.ask(get, this.now())))
    } catch (err) {
      if (err instanceof FieldError || err instanceof JournalFullError) return this.write(socket, this.line.refused, { error: err.message })
      throw err
    }
  }

  private refuse (socket: Socket, error: string): void {
    this.counters.refused++
    this.write(socket, this.line.refused, { error })
  }

  private write (socket: Socket, template: string, words: { error?: string; open?: boolean; openText?: string }): void {
    // An answer is one line: whatever the error says, it has no line breaks.
    const text = String(fillReply(template, { ...words, ...(words.error === undefined ? {} : { error: words.error.replace(/[\r\n]+/g, ' ') }) }))
    if (!socket.destroyed) socket.write(`${text}\r\n`)
  }
}
