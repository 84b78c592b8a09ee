import pino from 'pino'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { RateLimitedLog } from './rate-limited-log.ts'

interface Line { level: number; msg: string; suppressed?: number; deviceId?: string; kind?: string }

function capture (): { lines: Line[]; log: RateLimitedLog } {
  const lines: Line[] = []
  const logger = pino({ level: 'info' }, { write: (l: string) => { lines.push(JSON.parse(l) as Line) } })
  return { lines, log: new RateLimitedLog(logger, { intervalMs: 10_000 }) }
}

describe('RateLimitedLog', () => {
  beforeEach(() => { vi.useFakeTimers() })
  afterEach(() => { vi.useRealTimers() })

  it('logs the first occurrence and then one count per interval', () => {
    const { lines, log } = capture()
    for (let i = 0; i < 44_000; i++) log.log('error', 'refused', { deviceId: `d${i}` }, 'publish refused', { kind: 'journal' })
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({ msg: 'publish refused', deviceId: 'd0' })
    vi.advanceTimersByTime(10_000)
    expect(lines).toHaveLength(2)
    expect(lines[1]).toMatchObject({ msg: 'publish refused (43999 more in the last 10 s)', suppressed: 43_999, kind: 'journal' })
    expect(lines[1]!.deviceId).toBeUndefined()
    // Still going: counted in the next window too.
    for (let i = 0; i < 5; i++) log.log('error', 'refused', {}, 'publish refused')
    vi.advanceTimersByTime(10_000)
    expect(lines.map((l) => l.suppressed)).toEqual([undefined, 43_999, 5])
    // A quiet interval closes the window; the next occurrence is logged at once, in full.
    vi.advanceTimersByTime(10_000)
    log.log('error', 'refused', { deviceId: 'late' }, 'publish refused')
    expect(lines.at(-1)).toMatchObject({ deviceId: 'late', msg: 'publish refused' })
    expect(lines).toHaveLength(4)
  })

  it('keeps kinds apart and reports what is still counted when closed', () => {
    const { lines, log } = capture()
    log.log('warn', 'a', {}, 'a failed')
    log.log('warn', 'b', {}, 'b failed')
    log.log('warn', 'a', {}, 'a failed')
    expect(lines.map((l) => l.msg)).toEqual(['a failed', 'b failed'])
    log.close()
    expect(lines.map((l) => l.msg)).toEqual(['a failed', 'b failed', 'a failed (1 more in the last 10 s)'])
    vi.advanceTimersByTime(60_000)
    expect(lines).toHaveLength(3)
  })
})
