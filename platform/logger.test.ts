// The two log formats: JSON lines for programs, one readable line per entry
// for a person at a terminal; credentials redacted in both.

import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createLogger } from './logger.ts'

function capture (): { lines: string[]; sink: Writable } {
  const lines: string[] = []
  const sink = new Writable({ write (chunk: Buffer, _enc, done) { lines.push(chunk.toString()); done() } })
  return { lines, sink }
}

describe('log formats', () => {
  it('writes JSON to a destination unless told otherwise', () => {
    const { lines, sink } = capture()
    createLogger('info', sink).child({ part: 'api' }).info({ password: 'p-secret', n: 1 }, 'hello')
    expect(JSON.parse(lines.join(''))).toMatchObject({ level: 30, part: 'api', password: '[redacted]', n: 1, msg: 'hello' })
  })

  it('pretty: time, level, the part and the message, the other fields on the same line', () => {
    const { lines, sink } = capture()
    createLogger('info', sink, 'pretty').child({ part: 'api' }).info({ password: 'p-secret', n: 1 }, 'hello')
    const text = lines.join('')
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: api: hello \{"password":"\[redacted\]","n":1\}\n$/)
    expect(text).not.toContain('p-secret')
  })
})
