import { describe, expect, it } from 'vitest'
import { DEFAULT_HEALTH_LIMITS } from '../../config.ts'
import { judgeHealth, type HealthInputs } from './health.ts'

const up: HealthInputs = {
  broker: true, registry: true, pipeline: true,
  eventLog: { journalFailed: false, behind: 3, oldestBehindMs: 40, backlogFull: false },
  alerts: { uncommitted: 2, oldestUncommittedMs: 5, commitFailingMs: 0, rulesStopped: false },
}

describe('judgeHealth', () => {
  it('is ok with the parts up and everything within its bounds', () => {
    expect(judgeHealth(up, DEFAULT_HEALTH_LIMITS)).toEqual({
      status: 'ok', broker: true, registry: true, pipeline: true, reasons: [],
      figures: { eventsBehind: 3, eventCopyLagS: 0, uncommittedAlerts: 2, alertCommitLagS: 0 },
    })
  })

  it('is starting while a part is not up', () => {
    expect(judgeHealth({ broker: false, registry: true, pipeline: false }, DEFAULT_HEALTH_LIMITS)).toMatchObject({ status: 'starting', reasons: [] })
  })

  it.each([
    ['journal_failed', { eventLog: { ...up.eventLog!, journalFailed: true } }],
    ['event_log_full', { eventLog: { ...up.eventLog!, backlogFull: true } }],
    ['event_copy_behind', { eventLog: { ...up.eventLog!, oldestBehindMs: 60_001 } }],
    ['alert_commit_behind', { alerts: { ...up.alerts!, oldestUncommittedMs: 30_001 } }],
    ['alert_commit_behind', { alerts: { ...up.alerts!, uncommitted: 0, oldestUncommittedMs: 0, commitFailingMs: 31_000 } }],
    ['pipeline_stopped', { alerts: { ...up.alerts!, rulesStopped: true } }],
  ] as const)('is unhealthy: %s', (reason, change) => {
    expect(judgeHealth({ ...up, ...change }, DEFAULT_HEALTH_LIMITS)).toMatchObject({ status: 'unhealthy', reasons: [reason] })
  })

  it('takes its bounds from the settings, in seconds', () => {
    const lagging = { ...up, alerts: { ...up.alerts!, oldestUncommittedMs: 2500 } }
    expect(judgeHealth(lagging, DEFAULT_HEALTH_LIMITS).status).toBe('ok')
    expect(judgeHealth(lagging, { ...DEFAULT_HEALTH_LIMITS, alertDelayMaxS: 2 })).toMatchObject({ status: 'unhealthy', figures: { alertCommitLagS: 2.5 } })
  })
})
