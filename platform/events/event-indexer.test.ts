import { appendFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DATABASE_KINDS } from '../../test/support/databases.ts'
import { access, FailingInserts, logTestBed, recording, silent } from './event-log.test-kit.ts'
import { EventLog } from './event-log.ts'

describe.each(DATABASE_KINDS)('EventLog copy into the database on %s', (kind) => {
  const bed = logTestBed(kind)

  it('acknowledges from the journal while the database is down, and fills the database from it after a crash', async () => {
    const crashDir = join(bed.dir, 'crash')
    const flaky = new FailingInserts(bed.t.db)
    const { logger, lines: errors } = recording()
    const a = await EventLog.open(flaky, { logger, dir: crashDir, olderSeqWaitMs: 300 })
    flaky.failing = true
    const answered = await Promise.all([1, 2, 3].map((i) => a.append(access(`crash-${i}`, i, 'dev-crash'))))
    expect(answered.every((r) => r.fresh)).toBe(true)
    expect(await a.caughtUp(300)).toBe(false)
    expect(errors.length).toBeGreaterThan(0)
    expect(errors[0]).toMatchObject({ level: 50, retryInMs: 200, err: { message: 'database unavailable' }, msg: expect.stringMatching(/refused the events; the journal keeps them/) })
    expect(await bed.count(`device_id = 'dev-crash'`)).toBe(0)
    // A copy is only told from a new event once the database has the original: until then it gets no
    // answer (no PUBACK; its device sends it again).
    await expect(a.append(access('crash-2', 2, 'dev-crash'))).rejects.toThrow(/database is behind/)
    // The process dies: nothing more reaches the database. A torn write is left at the journal's end.
    await a.close(0)
    const segment = readdirSync(crashDir).find((f) => f.endsWith('.jsonl'))!
    appendFileSync(join(crashDir, segment), '{"n":999999,"d":"dev-crash","e":"torn')

    const opened = recording()
    const b = await EventLog.open(bed.t.db, { logger: opened.logger, dir: crashDir })
    try {
      expect(opened.lines.map((l) => [l.level, l.replayed ?? l.truncatedBytes])).toEqual([[30, 3], [40, '{"n":999999,"d":"dev-crash","e":"torn'.length]])
      const r = await bed.t.db.query<{ event_id: string; log_seq: string | number }>(`select event_id, log_seq from events where device_id = 'dev-crash' order by log_seq`)
      expect(r.rows.map((x) => [x.event_id, Number(x.log_seq)])).toEqual(answered.map((x, i) => [`crash-${i + 1}`, x.logSeq]))
      expect(await b.append(access('crash-3', 3, 'dev-crash'))).toEqual({ fresh: false, logSeq: null })
      const next = await b.append(access('crash-4', 4, 'dev-crash'))
      expect(next.logSeq).toBeGreaterThan(answered[2]!.logSeq!)
    } finally {
      await b.close()
    }
  })

  it('deletes journal segments once the database holds them', async () => {
    const segDir = join(bed.dir, 'segments')
    const small = await EventLog.open(bed.t.db, { logger: silent, dir: segDir, segmentBytes: 2_000, maxBatch: 5 })
    try {
      for (let i = 0; i < 6; i++) await Promise.all(Array.from({ length: 5 }, (_, j) => small.append(access(`seg-${i}-${j}`, i * 5 + j, 'dev-seg'))))
      await small.caughtUp()
      await new Promise((resolve) => setTimeout(resolve, 200))
      const left = readdirSync(segDir).filter((f) => f.endsWith('.jsonl'))
      expect(left.length).toBeLessThanOrEqual(2)
      expect(await bed.count(`device_id = 'dev-seg'`)).toBe(30)
    } finally {
      await small.close()
    }
  })
})
