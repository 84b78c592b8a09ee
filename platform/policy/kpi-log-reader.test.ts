// What one batch of the event log adds to the KPIs' tables: entries counted
// by cameras and granted by credentials per door and local day, and per
// credential the latest presentation at its building, granted or not.

import { describe, expect, it } from 'vitest'
import type { LogEntry } from '../events/log-source.ts'
import { foldBatch } from './kpi-log-reader.ts'

const access = (ts: string, result: 'granted' | 'denied', credentialId?: string, direction: 'in' | 'out' = 'in'): LogEntry => ({
  buildingId: 'b1', deviceId: 'r1', channel: 'event/access',
  payload: { eventId: `e-${ts}-${result}`, seq: 1, ts, door: 'gate', direction, result, ...(result === 'denied' ? { reason: 'expired' } : {}),
    credential: { kind: 'card', value: 'AB12CD34', ...(credentialId === undefined ? {} : { credentialId }) } },
}) as unknown as LogEntry
const line = (ts: string, n: number): LogEntry => ({
  buildingId: 'b1', deviceId: 'c1', channel: 'event/line', payload: { eventId: `l-${ts}`, seq: 1, ts, door: 'gate', in: n, out: 0, periodS: 60 },
}) as unknown as LogEntry
const zones = new Map([['b1', 'Asia/Shanghai']])

describe('the KPI reader\'s fold of a batch', () => {
  it('counts entries per local day: the camera\'s in, and the granted ones only', () => {
    const f = foldBatch([line('2026-12-03T16:30:00Z', 3), access('2026-12-03T16:31:00Z', 'granted', 'c-1'), access('2026-12-03T16:32:00Z', 'denied', 'c-1'), access('2026-12-03T16:33:00Z', 'granted', 'c-1', 'out')], zones)
    // 16:30 UTC is 00:30 the next day in Shanghai.
    expect(f.doorDays).toEqual([{ buildingId: 'b1', day: '2026-12-04', door: 'gate', countedIn: 3, grantedIn: 1 }])
  })

  it('keeps the latest presentation of each credential, a denied one too (a card whose permit ran out), none without a match', () => {
    const f = foldBatch([access('2026-12-03T08:00:00Z', 'granted', 'c-1'), access('2026-12-03T09:00:00Z', 'denied', 'c-1'), access('2026-12-03T10:00:00Z', 'denied')], zones)
    expect(f.passages).toEqual([{ credentialId: 'c-1', buildingId: 'b1', at: Date.parse('2026-12-03T09:00:00Z') }])
    expect(foldBatch([access('2026-12-03T08:00:00Z', 'granted', 'c-1')], new Map()).passages).toEqual([])
  })
})
