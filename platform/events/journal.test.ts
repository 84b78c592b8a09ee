import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { mountTinyDisk, tinyDisksWork } from '../../test/support/tiny-disk.ts'
import { EventJournal } from './journal.ts'

const lines = (from: number, to: number): string => {
  let s = ''
  for (let n = from; n <= to; n++) s += JSON.stringify({ n, d: 'dev', e: `e-${n}` }) + '\n'
  return s
}

describe('EventJournal', () => {
  const dirs: string[] = []
  const fresh = (): string => { const d = mkdtempSync(join(tmpdir(), 'rh-journal-')); dirs.push(d); return d }
  afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }) })

  it('reads back every synced record, in order, across segments', async () => {
    const dir = fresh()
    const { journal } = EventJournal.open(dir, { segmentBytes: 50 })
    await journal.append(lines(1, 3), 1, 3)
    await journal.append(lines(4, 6), 4, 6)
    await journal.append(lines(7, 7), 7, 7)
    await journal.close()
    expect(journal.segmentCount).toBe(3)
    const again = EventJournal.open(dir)
    expect(again.records.map((r) => r.n)).toEqual([1, 2, 3, 4, 5, 6, 7])
    expect(JSON.parse(again.records[4]!.line)).toEqual({ n: 5, d: 'dev', e: 'e-5' })
    expect(again.truncatedBytes).toBe(0)
    expect(again.journal.lastN).toBe(7)
  })

  it('cuts a torn tail off the newest segment and goes on after it', async () => {
    const dir = fresh()
    const { journal } = EventJournal.open(dir)
    await journal.append(lines(1, 2), 1, 2)
    await journal.close()
    const file = join(dir, readdirSync(dir)[0]!)
    appendFileSync(file, '{"n":3,"d":"dev"')
    const again = EventJournal.open(dir)
    expect(again.records.map((r) => r.n)).toEqual([1, 2])
    expect(again.truncatedBytes).toBe(16)
    await again.journal.append(lines(3, 3), 3, 3)
    await again.journal.close()
    expect(readFileSync(file, 'utf8')).toBe(lines(1, 3))
  })

  it('cuts zeros a crash left where the file system had not written yet', async () => {
    const dir = fresh()
    const { journal } = EventJournal.open(dir)
    await journal.append(lines(1, 1), 1, 1)
    await journal.close()
    appendFileSync(join(dir, readdirSync(dir)[0]!), Buffer.alloc(4096))
    expect(EventJournal.open(dir).records.map((r) => r.n)).toEqual([1])
  })

  it('refuses to open when an older segment is damaged', async () => {
    const dir = fresh()
    const { journal } = EventJournal.open(dir, { segmentBytes: 10 })
    await journal.append(lines(1, 1), 1, 1)
    await journal.append(lines(2, 2), 2, 2)
    await journal.close()
    appendFileSync(join(dir, readdirSync(dir).sort()[0]!), 'garbage\n')
    expect(() => EventJournal.open(dir)).toThrow(/damaged at byte/)
  })

  it('releases whole segments at or below a position, never the one being written', async () => {
    const dir = fresh()
    const { journal } = EventJournal.open(dir, { segmentBytes: 10 })
    for (let n = 1; n <= 4; n++) await journal.append(lines(n, n), n, n)
    expect(journal.releasable(2)).toBe(2)
    expect(journal.releasable(9)).toBe(3)
    await journal.release(journal.releasable(2))
    await journal.close()
    expect(EventJournal.open(dir).records.map((r) => r.n)).toEqual([3, 4])
  })

  // Needs root to mount a tmpfs (skipped otherwise): a real disk that fills up mid-write.
  it.skipIf(!tinyDisksWork)('reports a full disk as the system does (ENOSPC), not as a short write', async () => {
    const disk = mountTinyDisk(64 * 1024)
    try {
      const { journal } = EventJournal.open(disk.dir)
      await journal.append(lines(1, 10), 1, 10)
      // Far more than fits: the kernel writes what fits, then refuses the rest.
      const big = lines(11, 3000)
      const err = await journal.append(big, 11, 3000).then(() => undefined, (e: unknown) => e as NodeJS.ErrnoException)
      expect(err?.code).toBe('ENOSPC')
      expect(err?.message).not.toMatch(/short write/)
      await journal.close()
      // What was synced before is intact; the cut-off tail is cut at the next open.
      const again = EventJournal.open(disk.dir)
      expect(again.records.slice(0, 10).map((r) => r.n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
      await again.journal.close()
    } finally {
      disk.remove()
    }
  })
})
