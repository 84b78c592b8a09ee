// The shared formatting of days and zones (format.ts): the day an instant
// falls on is the building's day, and an area's zone is its buildings' zone.

import { describe, expect, it } from 'vitest'
import { DEFAULT_TIME_ZONE, dayIn, todayIn, zoneOfBuildings } from './format.ts'

describe('dayIn', () => {
  it('gives the day in the zone asked for, not the machine\'s', () => {
    // 17:30 UTC is 01:30 the next day in Shanghai; 03:00 UTC is still the evening before in New York.
    const at = '2026-12-02T15:30:00Z'
    expect(dayIn(at, 'Asia/Shanghai')).toBe('2026-12-02')
    expect(dayIn(at, 'America/New_York')).toBe('2026-12-02')
    expect(dayIn('2026-12-02T17:30:00Z', 'Asia/Shanghai')).toBe('2026-12-03')
    expect(dayIn('2026-12-02T03:00:00Z', 'America/New_York')).toBe('2026-12-01')
  })

  it('is what todayIn gives for now', () => {
    expect(todayIn('Asia/Kathmandu')).toBe(dayIn(new Date(), 'Asia/Kathmandu'))
  })
})

describe('zoneOfBuildings', () => {
  it('is the zone most of the buildings keep, the default for none', () => {
    expect(zoneOfBuildings([])).toBe(DEFAULT_TIME_ZONE)
    expect(zoneOfBuildings([{ timeZone: 'Asia/Urumqi' }, { timeZone: 'Asia/Shanghai' }, { timeZone: 'Asia/Urumqi' }])).toBe('Asia/Urumqi')
  })
})
