// The KPI comparison of sim:score on a short scenario against a real platform
// started in this process: the platform's KPIs of the run's buildings are read
// through the API and set against the world's truth (an occupant nobody
// registered makes the true registration rate fall below 100 %). Only that the
// comparison is computed is checked here, not how close it comes: that needs
// days of simulated time (docs/benchmarks.md).

import { describe, expect, it } from 'vitest'
import { KPI_IDS } from '../../contract/vocabulary.ts'
import { FAST_RULES } from '../runner/cli-options.ts'
import { runScenario } from '../runner/run-scenario.ts'
import { compareKpis, kpiTable } from './kpi-truth.ts'

describe('KPIs against the ground truth', () => {
  it('compares every KPI the world can know with the platform\'s figure', async () => {
    const outcome = await runScenario({
      seed: 'kpi', days: 0.25, speed: 1440, buildings: 2, rooms: 3, startHour: 8,
      rules: FAST_RULES, anomalies: ['occupant'],
      platform: { kind: 'local', tickMs: 50, sweepMs: 500 }, cameraPeriodS: 120, toleranceS: 1800,
      log: () => {},
    })
    const report = kpiTable(outcome.kpis)
    expect(outcome.kpis.map((k) => k.kpi)).toEqual([...KPI_IDS])
    const by = Object.fromEntries(outcome.kpis.map((k) => [k.kpi, k]))
    // Every registration still active is measured by the platform, and the world knows one occupant more. (In a
    // quarter of a day few have used their card yet, and no complete day of door counts exists: the figures
    // themselves are far from the truth here.)
    const count = (kind: string): number => outcome.record.filter((a) => a.kind === kind).length
    const registered = count('register') - count('deregister')
    expect(by.registration_rate!.platform.numerator, report).toBe(registered)
    expect(by.registration_rate!.truth, report).toMatchObject({ numerator: registered, denominator: registered + 1 })
    expect(by.registration_rate!.errorPp, report).toEqual(expect.any(Number))
    expect(by.household_consistency!.platform.denominator, report).toBe(registered)
    expect(by.rental_registration!.truth, report).toMatchObject({ numerator: 2, denominator: 2 })
    // The world has no agreements: not compared.
    expect(by.agreement_rate).toMatchObject({ truth: null, errorPp: null })
    expect(report).toContain('not simulated')
  }, 180_000)

  it('adds up the buildings and gives the error in percentage points', () => {
    const f = (kpi: (typeof KPI_IDS)[number], numerator: number, denominator: number) => ({ kpi, numerator, denominator, value: numerator / denominator, target: 0.9, met: null })
    const rows = compareKpis([[f('registration_rate', 9, 10)], [f('registration_rate', 8, 10)]], {
      registration_rate: { numerator: 18, denominator: 20, value: 0.9, note: '' },
      timely_deregistration: null, household_consistency: null, rental_registration: null, agreement_rate: null, entry_timeliness: null, reconciled_share: null,
    })
    expect(rows[0]).toMatchObject({ kpi: 'registration_rate', platform: { numerator: 17, denominator: 20, value: 0.85 }, errorPp: 5 })
    expect(rows[1]).toMatchObject({ kpi: 'timely_deregistration', errorPp: null })
  })
})
