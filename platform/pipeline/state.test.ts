import { describe, expect, it } from 'vitest'
import { MAX_DENIAL_RUNS, PipelineState } from './state.ts'
import { inWindows, isKnownTimeZone, minuteOfWeek } from '../../protocol/index.ts'

describe('pipeline state', () => {
  it('survives a checkpoint round trip, rebuilding who is in which room', () => {
    const s = new PipelineState()
    const p = { roomId: 'r1', buildingId: 'b1', credentialId: 'c1', visitor: false, inside: false, passedAt: 5, enteredAt: 5, lastSeenAt: 5, entryRef: 'd/e1' }
    s.persons.set('res-1', p)
    s.setInside('res-1', p, true)
    s.roomLastSeen.set('r1', 5)
    s.devices.set('d', { buildingId: 'b1', lastMessageAt: 7 })
    s.door('b1', 'main').grants.push({ at: 1, ref: 'd/e0', used: false })
    s.touchDenialRun('door:b1:main', { buildingId: 'b1', count: 2, lastAt: 3, refs: ['a', 'b'] })
    s.latched.set('device_offline:d', { at: 9, buildingId: 'b1' })
    const back = PipelineState.restore(s.serialize())
    expect(back.presentIn('r1')).toBe(1)
    expect(back.serialize()).toBe(s.serialize())
    expect(back.sizes()).toEqual(s.sizes())
  })

  it('refuses a checkpoint of an unknown version', () => {
    expect(() => PipelineState.restore('{"v":99}')).toThrow(/version 99/)
  })

  it('keeps denial runs bounded, dropping the least recently touched', () => {
    const s = new PipelineState()
    for (let i = 0; i < MAX_DENIAL_RUNS + 10; i++) s.touchDenialRun(`k${i}`, { buildingId: 'b', count: 1, lastAt: i, refs: [] })
    expect(s.denialRuns.size).toBe(MAX_DENIAL_RUNS)
    expect(s.denialRuns.has('k0')).toBe(false)
    expect(s.denialRuns.has(`k${MAX_DENIAL_RUNS + 9}`)).toBe(true)
  })
})

describe('time windows', () => {
  it('computes the local minute of the week for fixed-offset and DST zones alike', () => {
    const mondayNoonShanghai = Date.parse('2026-03-02T04:00:00Z')
    expect(minuteOfWeek(mondayNoonShanghai, 'Asia/Shanghai')).toBe(12 * 60)
    // Berlin is UTC+2 in summer: Sunday 2026-07-05 23:30 local.
    expect(minuteOfWeek(Date.parse('2026-07-05T21:30:00Z'), 'Europe/Berlin')).toBe(6 * 1440 + 23 * 60 + 30)
  })

  it('runs a window past midnight, Sunday into Monday', () => {
    const w = [{ days: [7], from: '22:00', to: '02:00' }]
    expect(inWindows(Date.parse('2026-03-01T15:00:00Z'), w, 'Asia/Shanghai')).toBe(true) // Sun 23:00
    expect(inWindows(Date.parse('2026-03-01T17:30:00Z'), w, 'Asia/Shanghai')).toBe(true) // Mon 01:30
    expect(inWindows(Date.parse('2026-03-01T18:00:00Z'), w, 'Asia/Shanghai')).toBe(false) // Mon 02:00, end exclusive
    expect(inWindows(Date.parse('2026-03-01T13:59:00Z'), w, 'Asia/Shanghai')).toBe(false) // Sun 21:59
  })

  it('takes a window whose end equals its start for a whole day, and knows real zones from made-up ones', () => {
    const w = [{ days: [1], from: '08:00', to: '08:00' }]
    expect(inWindows(Date.parse('2026-03-02T23:59:00Z'), w, 'Asia/Shanghai')).toBe(true) // Tue 07:59
    expect(inWindows(Date.parse('2026-03-03T00:00:00Z'), w, 'Asia/Shanghai')).toBe(false) // Tue 08:00
    expect(isKnownTimeZone('Europe/Berlin')).toBe(true)
    expect(isKnownTimeZone('Mars/Olympus')).toBe(false)
  })
})
