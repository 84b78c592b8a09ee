// The store-and-forward journal on a real disk: what was acknowledged locally
// survives a restart and a kill -9, leaves only after the platform's PUBACK,
// in order, within its bounds, with alarms dropped last.

import { spawn } from 'node:child_process'
import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { frame, readFrames } from './frames.ts'
import { Journal, JournalFullError, type JournalEvent } from './journal.ts'
import { SourceSequences } from './sequences.ts'

const dirs: string[] = []
function scratch (): string {
  const d = mkdtempSync(join(tmpdir(), 'rh-journal-'))
  dirs.push(d)
  return d
}
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }) })

const ev = (n: number, alarm = false): { topic: string; payload: string; alarm: boolean } =>
  // All of one size (up to 999), so byte bounds count in events.
  ({ topic: 'rh/v1/b1/d1/event/access', payload: JSON.stringify({ n, pad: '.'.repeat(3 - String(n).length) }), alarm })
const ns = (events: readonly JournalEvent[]): number[] => events.map((e) => JSON.parse(e.payload).n)

function drain (j: Journal): JournalEvent[] {
  const out: JournalEvent[] = []
  for (let e = j.takeNext(); e !== undefined; e = j.takeNext()) out.push(e)
  return out
}

describe('journal', () => {
  it('keeps every appended event across a restart, in order, until acknowledged', async () => {
    const dir = scratch()
    const a = await Journal.open({ dir })
    for (let n = 1; n <= 5; n++) await a.append(ev(n))
    const sent = drain(a)
    expect(ns(sent)).toEqual([1, 2, 3, 4, 5])
    a.acknowledge(sent[0]!)
    a.acknowledge(sent[2]!)
    await a.close()

    const b = await Journal.open({ dir })
    expect(b.recovery).toMatchObject({ waiting: 3, tornBytes: 0, damagedSegments: 0 })
    expect(ns(drain(b))).toEqual([2, 4, 5])
    const next = await b.append(ev(6))
    expect(next.id).toBeGreaterThan(sent.at(-1)!.id)
    await b.close()
  })

  it('sends nothing before it is on disk; an event whose write is refused never leaves', async () => {
    const j = await Journal.open({ dir: scratch() })
    const pending = j.append(ev(1))
    expect(j.depth).toBe(1)
    expect(j.takeNext()).toBeUndefined()
    await pending
    expect(ns([j.takeNext()!])).toEqual([1])
    await j.close()
  })

  it('puts what was in flight back when the uplink drops, and ignores a late acknowledgement of a dropped event', async () => {
    const j = await Journal.open({ dir: scratch() })
    for (let n = 1; n <= 3; n++) await j.append(ev(n))
    const first = j.takeNext()!
    j.takeNext()
    expect(j.inFlight).toBe(2)
    j.requeue()
    expect(j.inFlight).toBe(0)
    expect(ns(drain(j))).toEqual([1, 2, 3])
    expect(j.acknowledge(first)).toBe(true)
    expect(j.acknowledge(first)).toBe(false)
    expect(j.depth).toBe(2)
    await j.close()
  })

  it('over its byte bound drops the oldest ordinary events first, alarms last, counted, and the drop survives a restart', async () => {
    const dir = scratch()
    const one = Buffer.byteLength(ev(1).topic) + Buffer.byteLength(ev(1).payload)
    const j = await Journal.open({ dir, maxBytes: one * 4 })
    await j.append(ev(1, true))
    for (let n = 2; n <= 6; n++) await j.append(ev(n))
    // 1 is an alarm: 2 and 3 went to make room for 5 and 6.
    expect(j.drops).toEqual({ bytes: 2, age: 0, alarms: 0, discarded: 0 })
    expect(j.bytes).toBeLessThanOrEqual(one * 4)
    await j.append(ev(7, true))
    await j.append(ev(8, true))
    await j.append(ev(9, true))
    // Alarms push ordinary events out first (4, 5, 6), then the oldest alarm goes.
    expect(j.drops).toEqual({ bytes: 5, age: 0, alarms: 0, discarded: 0 })
    await j.append(ev(10, true))
    expect(j.drops.alarms).toBe(1)
    // Only alarms wait: an ordinary event is refused, not let in at an alarm's cost.
    await expect(j.append(ev(11))).rejects.toBeInstanceOf(JournalFullError)
    expect(j.drops.bytes).toBe(6)
    await j.close()
    const again = await Journal.open({ dir, maxBytes: one * 4 })
    expect(ns(drain(again))).toEqual([7, 8, 9, 10])
    await again.close()
  })

  it('drops events past their age, alarms only past their own longer age', async () => {
    let now = 1_000_000
    const j = await Journal.open({ dir: scratch(), maxAgeMs: 60_000, alarmMaxAgeMs: 600_000, now: () => now })
    await j.append(ev(1))
    await j.append(ev(2, true))
    now += 30_000
    await j.append(ev(3))
    expect(j.oldestAt).toBe(1_000_000)
    now += 40_000
    expect(j.sweep()).toBe(1)
    expect(j.drops).toEqual({ bytes: 0, age: 1, alarms: 0, discarded: 0 })
    now += 600_000
    expect(j.sweep()).toBe(2)
    expect(j.drops).toEqual({ bytes: 0, age: 2, alarms: 1, discarded: 0 })
    expect(j.depth).toBe(0)
    await j.close()
  })

  it('cuts a torn last frame off and goes on; refuses bad settings', async () => {
    const dir = scratch()
    const j = await Journal.open({ dir })
    for (let n = 1; n <= 3; n++) await j.append(ev(n))
    await j.close()
    const last = readdirSync(dir).sort().at(-1)!
    const torn = frame({ k: 'e', id: 99, at: 0, topic: 't', payload: 'never acknowledged locally', alarm: false })
    appendFileSync(join(dir, last), torn.subarray(0, torn.length - 5))
    const again = await Journal.open({ dir })
    expect(again.recovery).toMatchObject({ waiting: 3, tornBytes: torn.length - 5 })
    expect(ns(drain(again))).toEqual([1, 2, 3])
    expect(readFrames(Buffer.alloc(0)).records).toEqual([])
    await again.close()
    await expect(Journal.open({ dir, maxBytes: 0 })).rejects.toThrow(/maxBytes/)
  })

  it('rotates segments and compacts the oldest, so acknowledged events leave the disk', async () => {
    const dir = scratch()
    const j = await Journal.open({ dir, segmentBytes: 2048 })
    const keep: number[] = []
    for (let n = 1; n <= 400; n++) {
      await j.append(ev(n, n % 97 === 0))
      const e = j.takeNext()!
      // An alarm from long ago stays unacknowledged: compaction must carry it forward.
      if (n % 97 === 0) keep.push(n)
      else j.acknowledge(e)
    }
    await j.append(ev(401))
    await j.close()
    const files = readdirSync(dir)
    expect(files.length).toBeLessThanOrEqual(3)
    const onDisk = files.reduce((s, f) => s + statSync(join(dir, f)).size, 0)
    expect(onDisk).toBeLessThan(3 * 2048 + 1024)
    const again = await Journal.open({ dir, segmentBytes: 2048 })
    expect(ns(drain(again))).toEqual([...keep, 401])
    await again.close()
  })

  it('loses no locally acknowledged event when the process is killed -9 in the middle of writing', async () => {
    const dir = scratch()
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'crash-writer.test-kit.ts'), dir], { stdio: ['ignore', 'pipe', 'inherit'] })
    const confirmed = new Map<number, number>()
    let text = ''
    await new Promise<void>((resolve, reject) => {
      child.on('error', reject)
      child.on('exit', () => resolve())
      child.stdout.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8')
        const lines = text.split('\n')
        text = lines.pop()!
        for (const line of lines) {
          const [id, n] = line.split(' ').map(Number)
          confirmed.set(id!, n!)
        }
        if (confirmed.size >= 3000 && child.exitCode === null) child.kill('SIGKILL')
      })
    })
    expect(confirmed.size).toBeGreaterThanOrEqual(3000)
    const j = await Journal.open({ dir, segmentBytes: 16 * 1024 })
    const waiting = new Map(drain(j).map((e) => [e.id, JSON.parse(e.payload).n as number]))
    // Every id confirmed and not acknowledged by the writer (every third sent was) is there, with its payload.
    const missing = [...confirmed].filter(([id]) => id % 3 !== 0 && waiting.get(id) === undefined)
    expect(missing).toEqual([])
    for (const [id, n] of waiting) if (confirmed.has(id)) expect(n).toBe(confirmed.get(id))
    const ids = [...waiting.keys()]
    expect(ids).toEqual([...ids].sort((a, b) => a - b))
    await j.close()
  }, 60_000)
})

describe('source sequences', () => {
  it('hands out increasing seqs and fresh event ids, and never reuses a seq after a restart', () => {
    const file = join(scratch(), 'seq.json')
    const a = new SourceSequences(file, () => 5_000)
    const first = a.stamp('reader-1')
    expect(first.seq).toBe(5_000)
    const seen = [first.seq]
    for (let i = 0; i < 1500; i++) seen.push(a.stamp('reader-1').seq)
    expect(a.stamp('camera-2').seq).toBe(5_000)
    // The process dies without a word: the next one goes on above every seq handed out.
    const b = new SourceSequences(file, () => 5_000)
    const after = b.stamp('reader-1')
    expect(after.seq).toBeGreaterThan(Math.max(...seen))
    expect(after.eventId).not.toBe(first.eventId)
    expect(b.stamp('camera-2').seq).toBeGreaterThan(5_000)
  })
})
