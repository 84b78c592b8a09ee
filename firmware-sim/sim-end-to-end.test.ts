// A short scored scenario against a real platform started in this process:
// 0.6 simulated days (07:00 to 21:24 site time) at 1440 times real time,
// three buildings, twelve kinds of anomaly. Every rule that had something to
// catch must catch it with precision and recall of at least 0.95, and a reader
// the landlord approved again after its vendor re-keyed it has its
// reader_not_updated alert resolved.

import { describe, expect, it } from 'vitest'
import { FAST_RULES } from './runner/cli-options.ts'
import { runScenario } from './runner/run-scenario.ts'
import { RULE_TYPES } from './world/truth.ts'

describe('simulated world against the platform', () => {
  it('scores every rule it exercises at 0.95 or better', async () => {
    const lines: string[] = []
    const outcome = await runScenario({
      seed: 'e2e', days: 0.6, speed: 1440, buildings: 3, rooms: 5, startHour: 7,
      rules: { ...FAST_RULES, notSeenDays: 2, vacantDays: 2, visitorMaxStayH: 2 },
      anomalies: ['unknown-card', 'card-run', 'foreign-card', 'departed-card', 'tailgater', 'forced', 'held-open', 'outage', 'drift', 'over-registered', 'overstay-limit', 'vendor-rekey'],
      platform: { kind: 'local', tickMs: 25, sweepMs: 250 }, cameraPeriodS: 120, toleranceS: 1800,
      log: (line) => lines.push(line),
    })
    const exercised = RULE_TYPES.filter((t) => outcome.scores[t].expected > 0)
    const report = JSON.stringify({ scores: outcome.scores, stats: outcome.stats, lines }, null, 1)
    expect(exercised, report).toEqual(expect.arrayContaining([
      'unknown_credential', 'foreign_credential', 'expired_credential', 'repeated_denials', 'tailgating', 'overcrowding_registered',
      'overcrowding_observed', 'visitor_overstay', 'door_forced', 'door_held_open', 'device_offline', 'clock_drift', 'reader_not_updated',
    ]))
    for (const t of exercised) {
      expect(outcome.scores[t].recall, `${t}: ${report}`).toBeGreaterThanOrEqual(0.95)
      expect(outcome.scores[t].precision, `${t}: ${report}`).toBeGreaterThanOrEqual(0.95)
    }
    const approved = outcome.match.matched.filter((m) => m.expected.type === 'reader_not_updated' && m.expected.items.every((i) => i.endedAt != null))
    expect(approved.length, report).toBeGreaterThan(0)
    for (const m of approved) expect(m.alert.alert.status, report).toBe('resolved')
    // Nothing raised where nothing was injected, and every swipe went as the world expected.
    expect(outcome.match.falsePositives, report).toEqual([])
    expect(outcome.stats.deviations, report).toEqual([])
    expect(outcome.stats.failures, report).toEqual([])
    expect(outcome.truth.items.every((i) => !i.match.credentialId?.startsWith('unissued:'))).toBe(true)
  }, 120_000)
})
