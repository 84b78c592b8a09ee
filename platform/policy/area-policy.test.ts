// The pure parts of the per-area grade settings: the patrol interval of a
// grade, the check that thresholds increase, who may read and set them.

import { describe, expect, it } from 'vitest'
import type { Actor } from '../registry/access.ts'
import { DEFAULT_AREA_POLICY, mayChange, mayRead, patrolIntervalDays, settingsProblem, withSettings } from './area-policy.ts'
import { DEFAULT_SCORE_PARAMS } from './house-score.ts'

const actor = (role: Actor['role'], areaPath?: string): Actor => ({ id: 'u', username: 'u', role, ...(areaPath === undefined ? {} : { areaPath }) })

describe('patrolIntervalDays', () => {
  it('gives each grade its interval by default: 21, 14, 7, 7 days; 3 while a finding is open', () => {
    expect(['trusted', 'normal', 'focus', 'strict'].map((g) => patrolIntervalDays(DEFAULT_AREA_POLICY, g as 'trusted', false))).toEqual([21, 14, 7, 7])
    expect(patrolIntervalDays(DEFAULT_AREA_POLICY, 'trusted', true)).toBe(3)
  })

  it('takes an area\'s intervals, and the shorter one while a finding is open', () => {
    const s = { patrolDays: { trusted: 30, normal: 20, focus: 10, strict: 2, findingOpen: 5 } }
    expect(patrolIntervalDays(s, 'normal', false)).toBe(20)
    expect(patrolIntervalDays(s, 'normal', true)).toBe(5)
    expect(patrolIntervalDays(s, 'strict', true)).toBe(2)
  })
})

describe('settingsProblem', () => {
  it('accepts increasing thresholds and names the field of ones that do not increase', () => {
    expect(settingsProblem(DEFAULT_AREA_POLICY)).toBeNull()
    expect(settingsProblem({ ...DEFAULT_AREA_POLICY, thresholds: { normal: 10, focus: 10, strict: 50 } })).toMatch(/^thresholds\.focus/)
    expect(settingsProblem({ ...DEFAULT_AREA_POLICY, thresholds: { normal: 10, focus: 30, strict: 20 } })).toMatch(/^thresholds\.strict/)
  })
})

describe('withSettings', () => {
  it('replaces the thresholds, colours and intervals and keeps the weights', () => {
    const s = { thresholds: { normal: 1, focus: 2, strict: 3 }, gradeColours: { ...DEFAULT_AREA_POLICY.gradeColours, strict: '#000000' }, patrolDays: { ...DEFAULT_AREA_POLICY.patrolDays, strict: 1 } }
    const p = withSettings(DEFAULT_SCORE_PARAMS, s)
    expect(p).toMatchObject(s)
    expect(p.weights).toBe(DEFAULT_SCORE_PARAMS.weights)
    expect(DEFAULT_SCORE_PARAMS.thresholds).toEqual({ normal: 10, focus: 25, strict: 50 })
  })
})

describe('who reads and sets the settings of an area', () => {
  const community = '/d/s/c/'
  it('administrators everywhere; police of a district or street inside their subtree set them', () => {
    expect(mayChange(actor('admin'), community)).toBe(true)
    expect(mayChange(actor('police', '/d/'), community)).toBe(true)
    expect(mayChange(actor('police', '/d/s/'), community)).toBe(true)
    expect(mayChange(actor('police', '/d/s/'), '/d/')).toBe(false)
    expect(mayChange(actor('police', '/d/other/'), community)).toBe(false)
    expect(mayChange(actor('police', '/d/s/c/'), community)).toBe(false)
    expect(mayChange(actor('grid_worker', '/d/'), community)).toBe(false)
    expect(mayChange(actor('landlord'), community)).toBe(false)
  })

  it('police and grid workers read those of their subtree; landlords and vendors none', () => {
    expect(mayRead(actor('grid_worker', '/d/s/c/'), community)).toBe(true)
    expect(mayRead(actor('police', '/d/s/c/g/'), community)).toBe(false)
    expect(mayRead(actor('landlord'), community)).toBe(false)
    expect(mayRead(actor('vendor'), community)).toBe(false)
  })
})
