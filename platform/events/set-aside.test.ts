import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DATABASE_KINDS } from '../../test/support/databases.ts'
import { access, logTestBed, recording, silent } from './event-log.test-kit.ts'
import { EventLog } from './event-log.ts'

describe.each(DATABASE_KINDS)('EventLog set-aside on %s', (kind) => {
  const bed = logTestBed(kind)

  it('sets aside an event whose values the database refuses, and goes on with the others', async () => {
    const asideDir = join(bed.dir, 'aside')
    const { logger, lines } = recording()
    const l = await EventLog.open(bed.t.db, { logger, dir: asideDir })
    try {
      // Past validation (which refuses it) a year 0000 would stop the database's copy of the log.
      const bad = access('aside-bad', 2, 'dev-aside')
      ;(bad.payload as { ts: string }).ts = '0000-01-01T00:00:00Z'
      const answers = await Promise.all([access('aside-1', 1, 'dev-aside'), bad, access('aside-3', 3, 'dev-aside')].map((m) => l.append(m)))
      expect(answers.every((r) => r.fresh)).toBe(true)
      expect(await l.caughtUp(5_000)).toBe(true)
      expect(lines.map((x) => [x.level, x.logSeq])).toEqual([[50, answers[1]!.logSeq]])
      expect(lines[0]!.msg).toMatch(/set aside in DATA_DIR\/journal\/unindexable.jsonl/)
      expect(l.counters.unindexable).toBe(1)
      const r = await bed.t.db.query<{ event_id: string }>(`select event_id from events where device_id = 'dev-aside' order by log_seq`)
      expect(r.rows.map((x) => x.event_id)).toEqual(['aside-1', 'aside-3'])
      const aside = readFileSync(join(asideDir, 'unindexable.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { code: string; record: { e: string; n: number } })
      expect(aside).toEqual([expect.objectContaining({ code: expect.stringMatching(/^22/), record: expect.objectContaining({ e: 'aside-bad', n: answers[1]!.logSeq }) })])
      expect((await l.append(access('aside-4', 4, 'dev-aside'))).fresh).toBe(true)
    } finally {
      await l.close()
    }
  })

  it('recognises copies of an event it set aside, also after a restart', async () => {
    // This database is the one the journal in `aside` serves (other tests here took the progress row over).
    await bed.t.db.query('update event_index_progress set journal_id = $1', [readFileSync(join(bed.dir, 'aside', 'journal-id'), 'utf8').trim()])
    const l = await EventLog.open(bed.t.db, { logger: silent, dir: join(bed.dir, 'aside') })
    try {
      const bad = access('aside-bad', 2, 'dev-aside')
      ;(bad.payload as { ts: string }).ts = '0000-01-01T00:00:00Z'
      expect(await l.append(bad)).toEqual({ fresh: false, logSeq: null })
      expect(await l.append(access('aside-other', 2, 'dev-aside'))).toEqual({ fresh: false, logSeq: null, conflict: 'seq_reused' })
      expect(l.counters.unindexable).toBe(0)
    } finally {
      await l.close()
    }
  })

  it('counts a set-aside event in its device’s highest seq after a restart', async () => {
    const topDir = join(bed.dir, 'aside-top')
    const bad = access('top-bad', 5, 'dev-aside-top')
    ;(bad.payload as { ts: string }).ts = '0000-01-01T00:00:00Z'
    const first = await EventLog.open(bed.t.db, { logger: silent, dir: topDir })
    expect((await first.append(bad)).fresh).toBe(true)
    await first.caughtUp()
    await first.close()
    const second = await EventLog.open(bed.t.db, { logger: silent, dir: topDir })
    try {
      expect(await second.append(bad)).toEqual({ fresh: false, logSeq: null })
      expect(second.counters.unindexable).toBe(0)
    } finally {
      await second.close()
    }
  })
})
