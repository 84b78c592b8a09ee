// Event retention on both databases: events received before the cut-off go,
// oldest first in batches, the rest stay; it runs on its job's ticks.

import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DATABASE_KINDS } from '../../test/support/databases.ts'
import { VirtualTimers } from '../jobs/virtual-timers.test-kit.ts'
import { EventLog } from './event-log.ts'
import { access, logTestBed, silent } from './event-log.test-kit.ts'
import { EventRetention } from './retention.ts'

const DAY = 86_400_000

describe.each(DATABASE_KINDS)('EventRetention on %s', (kind) => {
  const bed = logTestBed(kind)

  it('deletes the events received before the cut-off, in batches, on its ticks', async () => {
    const log = await EventLog.open(bed.t.db, { logger: silent, dir: join(bed.dir, 'journal') })
    const now = Date.parse('2026-06-01T00:00:00Z')
    try {
      const received = [200, 190, 181, 179, 10].map((days) => now - days * DAY)
      for (const [i, at] of received.entries()) await log.append({ ...access(`ret-${i}`, i + 1, 'dev-ret'), receivedAt: at })
      await log.caughtUp()
    } finally {
      await log.close()
    }
    const timers = new VirtualTimers()
    const retention = new EventRetention({ db: bed.t.db, logger: silent, retentionDays: 180, now: () => now, batch: 2, intervalMs: 1_000, timers })
    retention.start()
    await timers.advance(999)
    expect(await bed.count(`device_id = 'dev-ret'`)).toBe(5)
    await timers.advance(1)
    await expect.poll(() => bed.count(`device_id = 'dev-ret'`)).toBe(2)
    await retention.stop()
    const left = await bed.t.db.query<{ event_id: string }>(`select event_id from events where device_id = 'dev-ret' order by log_seq`)
    expect(left.rows.map((r) => r.event_id)).toEqual(['ret-3', 'ret-4'])
    expect(await retention.runOnce()).toBe(0)
  })
})
