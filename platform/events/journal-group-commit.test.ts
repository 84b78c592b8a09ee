import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { sampleUplinks } from '../../protocol/index.ts'
import { DATABASE_KINDS } from '../../test/support/databases.ts'
import { mountTinyDisk, tinyDisksWork } from '../../test/support/tiny-disk.ts'
import type { AcceptedMessage } from '../broker/ports.ts'
import { access, FailingInserts, logTestBed, recording, settle, silent } from './event-log.test-kit.ts'
import { EventLog } from './event-log.ts'

describe.each(DATABASE_KINDS)('EventLog journal group commit on %s', (kind) => {
  const bed = logTestBed(kind)

  it('holds acknowledgements once the database is too far behind, and lets them go when it catches up', async () => {
    const flaky = new FailingInserts(bed.t.db)
    const slow = await EventLog.open(flaky, { logger: silent, dir: join(bed.dir, 'behind'), maxUnindexed: 5 })
    try {
      flaky.failing = true
      const first = await Promise.all([1, 2, 3, 4, 5].map((i) => slow.append(access(`behind-${i}`, i, 'dev-behind'))))
      expect(first.every((r) => r.fresh)).toBe(true)
      const sixth = slow.append(access('behind-6', 6, 'dev-behind'))
      expect(await settle(sixth, 400)).toBe('pending')
      flaky.failing = false
      expect((await sixth).fresh).toBe(true)
      await slow.caughtUp()
      expect(await bed.count(`device_id = 'dev-behind'`)).toBe(6)
    } finally {
      await slow.close()
    }
  })

  it('stops acknowledging after a failed journal write, with the reason', async () => {
    const brokenDir = join(bed.dir, 'broken')
    const { logger, lines: failures } = recording()
    const l = await EventLog.open(bed.t.db, { logger, dir: brokenDir, segmentBytes: 1 })
    try {
      const first = await l.append(access('broken-1', 1, 'dev-broken'))
      // The next segment's file name is taken by a directory: the write fails.
      mkdirSync(join(brokenDir, `events-${String(first.logSeq! + 1).padStart(20, '0')}.jsonl`))
      await expect(l.append(access('broken-2', 2, 'dev-broken'))).rejects.toThrow(/journal could not be written.*restarts/)
      await expect(l.append(access('broken-3', 3, 'dev-broken'))).rejects.toThrow(/journal could not be written/)
      expect(failures).toEqual([expect.objectContaining({ level: 60, err: expect.objectContaining({ code: 'EISDIR' }) })])
      expect(l.stats()).toMatchObject({ journalFailed: true, journalError: 'EISDIR' })
    } finally {
      await l.close()
    }
  })

  // Needs root to mount a tmpfs (skipped otherwise).
  it.skipIf(!tinyDisksWork)('says the disk is full when it is (ENOSPC), in the error, the log hook and the stats', async () => {
    const disk = mountTinyDisk(16 * 1024)
    const { logger, lines: failures } = recording()
    const l = await EventLog.open(bed.t.db, { logger, dir: disk.dir })
    try {
      let refused: Error | undefined
      for (let i = 1; i <= 1000 && refused === undefined; i++) {
        await l.append(access(`full-${i}`, i, 'dev-full')).catch((err: Error) => { refused = err })
      }
      expect(refused?.message).toMatch(/journal could not be written \(ENOSPC: no space left on device/)
      expect(failures.map((f) => f.err?.code)).toEqual(['ENOSPC'])
      expect(l.stats()).toMatchObject({ journalFailed: true, journalError: 'ENOSPC' })
    } finally {
      await l.close()
      disk.remove()
    }
  })

  it('keeps every status, even two of a device in the same millisecond', async () => {
    const status = (): AcceptedMessage => ({ buildingId: 'b-1', deviceId: 'dev-status', channel: 'status', receivedAt: 1_760_000_000_000, payload: sampleUplinks().status })
    const l = await EventLog.open(bed.t.db, { logger: silent, dir: join(bed.dir, 'status') })
    try {
      const [a, b] = await Promise.all([l.append(status()), l.append(status())])
      expect(a!.fresh && b!.fresh).toBe(true)
      await l.caughtUp()
      expect(await bed.count(`device_id = 'dev-status'`)).toBe(2)
    } finally {
      await l.close()
    }
  })

  it('closes within its time even while the database is down and appends wait for it', async () => {
    const flaky = new FailingInserts(bed.t.db)
    const l = await EventLog.open(flaky, { logger: silent, dir: join(bed.dir, 'close-down'), maxUnindexed: 2 })
    flaky.failing = true
    await Promise.all([1, 2].map((i) => l.append(access(`down-${i}`, i, 'dev-down'))))
    const waiting = l.append(access('down-3', 3, 'dev-down'))
    expect(await settle(waiting, 200)).toBe('pending')
    const started = Date.now()
    await l.close(300)
    expect(Date.now() - started).toBeLessThan(3_000)
    await expect(waiting).rejects.toThrow(/closed/)
  })
})
