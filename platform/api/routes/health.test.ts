import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { DEFAULT_HEALTH_LIMITS } from '../../config.ts'
import type { Liveness } from '../../../contract/routes/health-routes.ts'
import { healthRoutes, judgeHealth, judgeLiveness, type HealthInputs } from './health.ts'

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

describe('liveness', () => {
  it('is live up to HEALTH_EVENT_LOOP_DELAY_MAX_S of event-loop lateness, stalled beyond', () => {
    expect(judgeLiveness(0, DEFAULT_HEALTH_LIMITS)).toEqual({ status: 'live', eventLoopDelayMs: 0 })
    expect(judgeLiveness(5000, DEFAULT_HEALTH_LIMITS)).toEqual({ status: 'live', eventLoopDelayMs: 5000 })
    expect(judgeLiveness(5001, DEFAULT_HEALTH_LIMITS)).toEqual({ status: 'stalled', eventLoopDelayMs: 5001 })
    expect(judgeLiveness(1500, { eventLoopDelayMaxS: 1 }).status).toBe('stalled')
  })

  it('GET /health/live answers 200 or 503 by that alone, whatever readiness says', async () => {
    let live: Liveness = { status: 'live', eventLoopDelayMs: 3 }
    const app = Fastify()
    await app.register(healthRoutes, {
      health: () => judgeHealth({ broker: true, registry: true, pipeline: false }, DEFAULT_HEALTH_LIMITS),
      liveness: () => live,
    })
    try {
      expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(503)
      const ok = await app.inject({ method: 'GET', url: '/health/live' })
      expect([ok.statusCode, ok.json()]).toEqual([200, { status: 'live', eventLoopDelayMs: 3 }])
      live = { status: 'stalled', eventLoopDelayMs: 7000 }
      const stalled = await app.inject({ method: 'GET', url: '/health/live' })
      expect([stalled.statusCode, stalled.json()]).toEqual([503, { status: 'stalled', eventLoopDelayMs: 7000 }])
    } finally {
      await app.close()
    }
  })
})
