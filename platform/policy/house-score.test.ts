import { describe, expect, it } from 'vitest'
import { DEFAULT_SCORE_PARAMS, gradeOf, scoreHouse, type HouseFacts } from './house-score.ts'

const DAY = 86_400_000
const NOW = Date.UTC(2026, 11, 1)

/** A well-kept house: devices online with a camera and a reader reading both ways, agreement signed, nothing else. */
function house (over: Partial<HouseFacts> = {}): HouseFacts {
  return {
    at: NOW,
    devices: [{ id: 'r1', kind: 'reader', door: 'gate', enabled: true, online: true, faces: 'both' }, { id: 'c1', kind: 'camera', door: 'gate', enabled: true, online: true, faces: null }],
    agreementSignedAt: NOW - 100 * DAY,
    registrations: [],
    notSeen: [],
    expiredPermits: [],
    alerts: [],
    openFindings: [],
    checklistProblems: [],
    ...over,
  }
}

describe('house score', () => {
  it('a well-kept house scores nothing and is 放心 (trusted)', () => {
    expect(scoreHouse(house())).toMatchObject({ score: 0, grade: 'trusted', points: [], byDimension: { hardware: 0, compliance: 0, hazards: 0, safety: 0 } })
  })

  it('each point names its cause, dimension and evidence; the total proposes the grade', () => {
    const s = scoreHouse(house({
      agreementSignedAt: null,
      // One reader on the street side only (tenants leave by an exit button), offline, and no camera.
      devices: [{ id: 'r1', kind: 'reader', door: 'gate', enabled: true, online: false, faces: 'in' }],
      alerts: [{ id: 'a-forced', type: 'door_forced', openedAt: NOW, resolvedAt: null, closureReason: null }],
    }))
    expect(s.points.map((p) => [p.cause, p.dimension, p.points, p.evidence])).toEqual([
      ['agreement_unsigned', 'compliance', 10, ['building']],
      ['door_forced', 'hazards', 6, ['a-forced']],
      ['no_door_camera', 'hardware', 5, ['building']],
      ['no_exit_reader', 'hardware', 5, ['building']],
      ['device_offline', 'hardware', 4, ['r1']],
    ])
    // 10 + 6 + 5 + 5 + 4: at or above 25 and below 50.
    expect(s.score).toBe(30)
    expect(s.byDimension).toEqual({ hardware: 14, compliance: 10, hazards: 6, safety: 0 })
    expect(s.grade).toBe('focus')
  })

  it('a disabled device counts as offline, and a house with no camera switched on, or no device at all, has no door camera', () => {
    const off = scoreHouse(house({ devices: [{ id: 'r1', kind: 'reader', door: 'gate', enabled: true, online: true, faces: 'both' }, { id: 'c1', kind: 'camera', door: 'gate', enabled: false, online: false, faces: null }] }))
    expect(off.points.map((p) => [p.cause, p.evidence[0]]).sort()).toEqual([['device_offline', 'c1'], ['no_door_camera', 'building']])
    expect(scoreHouse(house({ devices: [] })).points.map((p) => p.cause)).toEqual(['no_door_camera', 'no_exit_reader'])
  })

  it('no exit reader: no reader switched on at any door reads people going out, so departures go unseen', () => {
    const camera = { id: 'c1', kind: 'camera' as const, door: 'gate', enabled: true, online: true, faces: null }
    const reader = (id: string, door: string, faces: 'in' | 'out' | 'both', enabled = true, online = true) => ({ id, kind: 'reader' as const, door, enabled, online, faces })
    const causes = (devices: HouseFacts['devices']): string[] => scoreHouse(house({ devices })).points.map((p) => p.cause).sort()
    // Entry readers only, at two doors: nobody's departure is read.
    expect(causes([camera, reader('r1', 'gate', 'in'), reader('r2', 'back', 'in')])).toEqual(['no_exit_reader'])
    expect(scoreHouse(house({ devices: [camera, reader('r1', 'gate', 'in')] })).points[0]).toEqual({ dimension: 'hardware', cause: 'no_exit_reader', points: 5, evidence: ['building'], since: NOW, expiresAt: null })
    // An exit reader at any door of the house is enough, whichever door it is.
    expect(causes([camera, reader('r1', 'gate', 'in'), reader('r2', 'back', 'out')])).toEqual([])
    // A disabled exit reader reads nothing; an offline one is still there and counts as offline only.
    expect(causes([camera, reader('r1', 'gate', 'in'), reader('r2', 'gate', 'out', false, false)])).toEqual(['device_offline', 'no_exit_reader'])
    expect(causes([camera, reader('r1', 'gate', 'both', true, false)])).toEqual(['device_offline'])
  })

  it('an occurrence decays linearly over its lifetime and says when it is gone', () => {
    const forced = (age: number): HouseFacts => house({ alerts: [{ id: 'a', type: 'door_forced', openedAt: NOW - age * DAY, resolvedAt: NOW - age * DAY, closureReason: 'real' }] })
    expect(scoreHouse(forced(0)).score).toBe(6)
    expect(scoreHouse(forced(45)).score).toBe(3)
    expect(scoreHouse(forced(45)).points[0]!.expiresAt).toBe(NOW + 45 * DAY)
    expect(scoreHouse(forced(90)).score).toBe(0)
    expect(scoreHouse(forced(200)).points).toEqual([])
  })

  it('a condition that still holds keeps its full points; once it ended it decays from its end', () => {
    const crowded = (resolvedAt: number | null): HouseFacts => house({ alerts: [{ id: 'o', type: 'overcrowding_observed', openedAt: NOW - 80 * DAY, resolvedAt, closureReason: null }] })
    expect(scoreHouse(crowded(null)).points[0]).toMatchObject({ points: 10, expiresAt: null })
    expect(scoreHouse(crowded(NOW - 45 * DAY)).points[0]).toMatchObject({ points: 5, expiresAt: NOW + 45 * DAY })
  })

  it('alerts closed as a false alarm, a technical fault or a duplicate score nothing; types without a cause neither', () => {
    const s = scoreHouse(house({
      alerts: [
        { id: 'f', type: 'tailgating', openedAt: NOW, resolvedAt: NOW, closureReason: 'false_alarm' },
        { id: 't', type: 'door_forced', openedAt: NOW, resolvedAt: NOW, closureReason: 'technical_fault' },
        { id: 'd', type: 'unknown_credential', openedAt: NOW, resolvedAt: NOW, closureReason: 'duplicate' },
        { id: 'c', type: 'clock_drift', openedAt: NOW, resolvedAt: null, closureReason: null },
        { id: 'x', type: 'device_offline', openedAt: NOW, resolvedAt: null, closureReason: null },
      ],
    }))
    expect(s.points).toEqual([])
  })

  it('a cause is capped, and under the cap the freshest occurrences count', () => {
    const alerts = Array.from({ length: 10 }, (_, i) => ({ id: `t${i}`, type: 'tailgating' as const, openedAt: NOW - i * DAY, resolvedAt: null, closureReason: null }))
    const s = scoreHouse(house({ alerts }))
    const cap = DEFAULT_SCORE_PARAMS.weights.unexplained_entries.cap
    expect(s.score).toBe(cap)
    expect(s.points.every((p) => p.cause === 'unexplained_entries')).toBe(true)
    expect(s.points.map((p) => p.evidence[0])).toEqual(['t0', 't1', 't2', 't3', 't4', 't5', 't6'])
  })

  it('landlord compliance: late registrations, not-seen suggestions left alone, expired permits', () => {
    const s = scoreHouse(house({
      registrations: [
        { id: 'on-time', arrivedAt: NOW - 10 * DAY, enteredAt: NOW - 9 * DAY },
        { id: 'late', arrivedAt: NOW - 10 * DAY, enteredAt: NOW - 5 * DAY },
      ],
      notSeen: [{ registrationId: 'fresh', since: NOW - 3 * DAY }, { registrationId: 'left', since: NOW - 20 * DAY }],
      expiredPermits: [{ registrationId: 'p', endedOn: NOW - 2 * DAY }],
    }))
    expect(s.points.map((p) => [p.cause, p.evidence[0]]).sort()).toEqual([
      ['not_seen_ignored', 'left'], ['permit_expired', 'p'], ['registration_late', 'late'],
    ])
    expect(s.byDimension.compliance).toBe(s.score)
  })

  it('a tenant who arrived before the house came onto the platform is late only from that day on (an onboarding import)', () => {
    const onboarded = NOW - 20 * DAY
    const s = scoreHouse(house({
      onPlatformSince: onboarded,
      registrations: [
        // Lived there a year; imported the day after the house was added: not late.
        { id: 'imported', arrivedAt: NOW - 365 * DAY, enteredAt: onboarded + DAY },
        // Lived there a year, entered ten days after the house was added: late.
        { id: 'left-for-later', arrivedAt: NOW - 365 * DAY, enteredAt: onboarded + 10 * DAY },
        // Arrived after the house was added: counted from the arrival as always.
        { id: 'arrived-since', arrivedAt: onboarded + 5 * DAY, enteredAt: onboarded + 12 * DAY },
      ],
    }))
    expect(s.points.filter((p) => p.cause === 'registration_late').flatMap((p) => p.evidence).sort()).toEqual(['arrived-since', 'left-for-later'])
  })

  it('open patrol findings count on safety until put right', () => {
    const s = scoreHouse(house({ openFindings: [{ id: 'f1', foundAt: NOW - 400 * DAY }] }))
    expect(s.points).toEqual([{ dimension: 'safety', cause: 'patrol_finding_open', points: 8, evidence: ['f1'], since: NOW - 400 * DAY, expiresAt: null }])
  })

  it('checklist problems of the last patrol count on safety while they hold, capped', () => {
    const problems = ['extinguisher', 'wiring', 'escape_route', 'partitions', 'ebike_charging'].map((item) => ({ patrolId: 'p1', item, foundAt: NOW - DAY }))
    const s = scoreHouse(house({ checklistProblems: problems.slice(0, 1) }))
    expect(s.points).toEqual([{ dimension: 'safety', cause: 'patrol_checklist_problem', points: 3, evidence: ['p1/extinguisher'], since: NOW - DAY, expiresAt: null }])
    expect(scoreHouse(house({ checklistProblems: problems })).byDimension.safety).toBe(12)
  })

  it('thresholds map the score to a grade', () => {
    const t = { normal: 10, focus: 25, strict: 50 }
    expect([0, 9.9, 10, 24.9, 25, 49.9, 50, 500].map((n) => gradeOf(n, t))).toEqual(['trusted', 'trusted', 'normal', 'normal', 'focus', 'focus', 'strict', 'strict'])
  })
})
