import { describe, expect, it } from 'vitest'
import { RULE_TYPES, type TruthItem } from '../world/truth.ts'
import { expectedAlerts, matchAlerts, type PlatformAlert, type SeenAlert } from './match.ts'
import { overall, percentile, score, table } from './report.ts'

const T = Date.parse('2026-03-02T02:00:00Z')
const MIN = 60_000

let n = 0
function item (o: Partial<TruthItem> & Pick<TruthItem, 'type' | 'match' | 'at'>): TruthItem {
  n++
  return { id: `t${n}`, deadline: o.at + 30 * MIN, cause: 'x#1', note: '', expected: true, ...o }
}

function alert (o: Partial<PlatformAlert> & Pick<PlatformAlert, 'type'>, raisedAt: number): SeenAlert {
  n++
  const a: PlatformAlert = {
    id: `al${n}`, dedupKey: `${o.type}:k${n}`, buildingId: 'b1', roomId: null, door: null, deviceId: null, credentialId: null, residentId: null,
    count: 1, firstAt: new Date(raisedAt).toISOString(), createdAt: new Date(raisedAt).toISOString(), status: 'open', severity: 'major', explanation: '', ...o,
  }
  return { alert: a, raisedAt }
}

describe('matching alerts to the ground truth', () => {
  it('folds repeats of an incident into one expected alert, and keeps each episode of a condition apart', () => {
    const e = expectedAlerts([
      item({ type: 'door_forced', match: { buildingId: 'b1', door: 'gate' }, at: T }),
      item({ type: 'door_forced', match: { buildingId: 'b1', door: 'gate' }, at: T + 60 * MIN }),
      item({ type: 'door_forced', match: { buildingId: 'b1', door: 'back' }, at: T }),
      item({ type: 'device_offline', match: { buildingId: 'b1', deviceId: 'd1' }, at: T }),
      item({ type: 'device_offline', match: { buildingId: 'b1', deviceId: 'd1' }, at: T + 10 * MIN }),
    ], MIN)
    expect(e.map((x) => [x.type, x.items.length])).toEqual([['door_forced', 2], ['door_forced', 1], ['device_offline', 1], ['device_offline', 1]])
    const forced = e[0]!
    expect([forced.from, forced.until]).toEqual([T - MIN, T + 90 * MIN])
    // The first episode's window ends where the second one's begins.
    expect(e[2]!.until).toBe(T + 9 * MIN - 1)
  })

  it('counts a right alert once, an alert nobody caused as a false positive, and a truth nobody raised as missed', () => {
    const truth = [
      item({ type: 'tamper', match: { buildingId: 'b1', deviceId: 'd1' }, at: T }),
      item({ type: 'tamper', match: { buildingId: 'b1', deviceId: 'd2' }, at: T }),
    ]
    const alerts = [
      alert({ type: 'tamper', deviceId: 'd1' }, T + 20_000),
      alert({ type: 'tamper', deviceId: 'd1' }, T + 40_000), // a second alert for one incident: not folded, wrong
      alert({ type: 'tamper', deviceId: 'd9' }, T + 20_000), // nothing happened there
    ]
    const e = expectedAlerts(truth, MIN)
    const m = matchAlerts(e, alerts)
    expect(m.matched.map((x) => [x.alert.alert.id, x.latencyMs])).toEqual([[alerts[0]!.alert.id, 20_000]])
    expect(m.falsePositives.map((a) => a.alert.id)).toEqual([alerts[1]!.alert.id, alerts[2]!.alert.id])
    expect(m.missed.map((x) => x.match.deviceId)).toEqual(['d2'])
    const s = score(e, m)
    expect(s.tamper).toMatchObject({ expected: 2, detected: 1, alerts: 3, falsePositives: 2, precision: 0.333, recall: 0.5, latencyP50S: 20, latencyMaxS: 20 })
  })

  it('needs the identifying fields to agree, and the raise to fall in the window (a late alert is a miss and a false positive)', () => {
    const truth = [
      item({ type: 'unknown_credential', match: { buildingId: 'b1', dedupKey: 'unknown_credential:b1:card:AA' }, at: T }),
      item({ type: 'room_vacant', match: { buildingId: 'b1', roomId: 'r1' }, at: T }),
    ]
    const alerts = [
      alert({ type: 'unknown_credential', dedupKey: 'unknown_credential:b1:card:AA' }, T + 5_000),
      alert({ type: 'room_vacant', roomId: 'r1' }, T + 2 * 3_600_000),
      alert({ type: 'room_vacant', roomId: 'r2' }, T + 5_000),
    ]
    const m = matchAlerts(expectedAlerts(truth, MIN), alerts)
    expect(m.matched).toHaveLength(1)
    expect(m.missed.map((x) => x.type)).toEqual(['room_vacant'])
    expect(m.falsePositives).toHaveLength(2)
  })

  it('ignores alerts of truths that came due too late to be scored, and does not count those truths as missed', () => {
    const truth = [
      item({ type: 'resident_not_seen', match: { buildingId: 'b1', residentId: 'p1' }, at: T, expected: false }),
      item({ type: 'resident_not_seen', match: { buildingId: 'b1', residentId: 'p2' }, at: T, expected: false }),
    ]
    const alerts = [alert({ type: 'resident_not_seen', residentId: 'p1' }, T + 1000)]
    const e = expectedAlerts(truth, MIN)
    const m = matchAlerts(e, alerts)
    expect(m).toMatchObject({ matched: [], missed: [], falsePositives: [] })
    expect(m.ignored).toHaveLength(1)
    expect(score(e, m).resident_not_seen).toMatchObject({ expected: 0, alerts: 0, precision: null, recall: null })
  })

  it('pairs each episode with its own alert', () => {
    const truth = [
      item({ type: 'overcrowding_observed', match: { buildingId: 'b1', roomId: 'r1' }, at: T }),
      item({ type: 'overcrowding_observed', match: { buildingId: 'b1', roomId: 'r1' }, at: T + 600 * MIN }),
    ]
    const alerts = [alert({ type: 'overcrowding_observed', roomId: 'r1' }, T + 600 * MIN + 2000), alert({ type: 'overcrowding_observed', roomId: 'r1' }, T + 1000)]
    const m = matchAlerts(expectedAlerts(truth, MIN), alerts)
    expect(m.matched.map((x) => x.latencyMs)).toEqual([1000, 2000])
  })
})

describe('scores', () => {
  it('percentiles by nearest rank', () => {
    expect(percentile([], 0.5)).toBeNull()
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2)
    expect(percentile([1, 2, 3, 4], 1)).toBe(4)
  })

  it('prints a row per rule and the totals; rules with nothing to judge show dashes', () => {
    const truth = [item({ type: 'door_forced', match: { buildingId: 'b1', door: 'gate' }, at: T })]
    const e = expectedAlerts(truth, MIN)
    const s = score(e, matchAlerts(e, [alert({ type: 'door_forced', door: 'gate' }, T + 3000)]))
    expect(overall(s)).toMatchObject({ expected: 1, detected: 1, alerts: 1, precision: 1, recall: 1 })
    const lines = table(s).split('\n')
    expect(lines).toHaveLength(2 + RULE_TYPES.length + 1)
    expect(lines.find((l) => l.startsWith('door_forced'))).toMatch(/door_forced\s+1\s+1\s+1\s+0\s+1\.00\s+1\.00\s+3\s+3$/)
    expect(lines.find((l) => l.startsWith('tamper'))).toMatch(/-\s+-\s+-\s+-$/)
    expect(Object.keys(JSON.parse(JSON.stringify(s)))).toHaveLength(RULE_TYPES.length)
  })
})
