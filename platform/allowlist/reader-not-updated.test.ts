// What a reader_not_updated alert says: one major alert per reader, accepted
// by the alert planner, each cause with what to do about it.

import { describe, expect, it } from 'vitest'
import { plan } from '../alerts/plan.ts'
import { readerNotUpdated, type NotUpdatedWhy } from './reader-not-updated.ts'

const reader = { deviceId: 'b1-r7', buildingId: 'b1', door: 'back-door' }

describe('reader_not_updated', () => {
  it('is one major alert per reader that the planner accepts, whatever the cause', () => {
    const causes: NotUpdatedWhy[] = ['awaiting_approval', 'needs_key', 'wrong_key']
    const candidates = causes.map((why, i) => readerNotUpdated(reader, why, 1000 + i))
    for (const c of candidates) expect(c).toMatchObject({ type: 'reader_not_updated', severity: 'major', dedupKey: 'reader_not_updated:b1-r7', deviceId: 'b1-r7', door: 'back-door' })
    const p = plan(candidates, 0)
    expect(p.rejected).toEqual([])
    expect(p.rounds.flatMap((r) => r.raises).map((m) => [m.dedupKey, m.count])).toEqual([['reader_not_updated:b1-r7', 3]])
  })

  it('says why the list does not reach the reader, what it means at the door, and what to do', () => {
    const says = (why: NotUpdatedWhy) => readerNotUpdated(reader, why, 0).explanation
    expect(says('awaiting_approval')).toContain('POST /devices/b1-r7/approve')
    // Withdrawn by a vendor's new key or by another organisation's rotation: the text holds for both.
    expect(says('awaiting_approval')).toMatch(/approval was withdrawn when a vendor rotated its secret \(with a new allow-list key, or as a vendor of another organisation/)
    expect(says('needs_key')).toMatch(/revision 2.*rotate its secret/s)
    expect(says('needs_key')).toContain('POST /devices/b1-r7/rotate-secret')
    expect(says('wrong_key')).toContain('wrong_key')
    for (const why of ['awaiting_approval', 'needs_key', 'wrong_key'] as const) {
      expect(says(why)).toContain('Reader b1-r7 at door back-door')
      expect(says(why)).toContain('cards revoked since still open the door')
    }
  })
})
