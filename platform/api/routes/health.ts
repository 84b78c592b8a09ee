// GET /health (readiness): what a load balancer polls. 200 only when the
// platform can do its job: every part up, the event journal writable, alerts
// committed and events copied into the database within their bounds
// (HEALTH_* settings). 503 otherwise, with the reasons as codes and a few
// figures.
//
// GET /health/live (liveness): what a supervisor that restarts on failure
// polls. 200 while the process serves and its event loop turns within
// HEALTH_EVENT_LOOP_DELAY_MAX_S; it reads no database, so an outage there
// (which a restart would not cure, and which would lose what the process
// holds in memory) leaves it 200.
//
// Both are public (no token), so they tell no detail: no error text, no path,
// no device or building.

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { HealthLimits } from '../../config.ts'
import type { EventLogCounters } from '../../events/event-log.ts'
import type { PipelineStats } from '../../pipeline/pipeline.ts'
import { ROUTES, type Health, type Liveness } from '../../../contract/routes/index.ts'

/** What the parts report (platform.ts gathers it); judged by judgeHealth. */
export interface HealthInputs {
  broker: boolean
  registry: boolean
  pipeline: boolean
  eventLog?: Pick<EventLogCounters, 'journalFailed' | 'behind' | 'oldestBehindMs' | 'backlogFull'>
  alerts?: Pick<PipelineStats, 'uncommitted' | 'oldestUncommittedMs' | 'commitFailingMs' | 'rulesStopped'>
}

/** The verdict: pure over what the parts report and the bounds. */
export function judgeHealth (h: HealthInputs, limits: HealthLimits): Health {
  const reasons: Health['reasons'] = []
  const log = h.eventLog
  const alerts = h.alerts
  const alertLagMs = alerts === undefined ? 0 : Math.max(alerts.oldestUncommittedMs, alerts.commitFailingMs)
  if (log?.journalFailed === true) reasons.push('journal_failed')
  if (log?.backlogFull === true) reasons.push('event_log_full')
  if (log !== undefined && log.oldestBehindMs > limits.eventCopyDelayMaxS * 1000) reasons.push('event_copy_behind')
  if (alertLagMs > limits.alertDelayMaxS * 1000) reasons.push('alert_commit_behind')
  if (alerts?.rulesStopped === true) reasons.push('pipeline_stopped')
  const up = h.broker && h.registry && h.pipeline
  return {
    status: !up ? 'starting' : reasons.length > 0 ? 'unhealthy' : 'ok',
    broker: h.broker,
    registry: h.registry,
    pipeline: h.pipeline,
    reasons,
    figures: {
      eventsBehind: log?.behind ?? 0,
      eventCopyLagS: seconds(log?.oldestBehindMs ?? 0),
      uncommittedAlerts: alerts?.uncommitted ?? 0,
      alertCommitLagS: seconds(alertLagMs),
    },
  }
}

const seconds = (ms: number): number => Math.round(ms / 100) / 10

export type HealthCheck = () => Health

/** The liveness verdict over the event loop's lateness (ms). */
export function judgeLiveness (eventLoopDelayMs: number, limits: Pick<HealthLimits, 'eventLoopDelayMaxS'>): Liveness {
  return { status: eventLoopDelayMs > limits.eventLoopDelayMaxS * 1000 ? 'stalled' : 'live', eventLoopDelayMs }
}

export type LivenessCheck = () => Liveness

export const healthRoutes: FastifyPluginAsyncTypebox<{ health: HealthCheck; liveness: LivenessCheck }> = async (app, { health, liveness }) => {
  app.get('/health', {
    config: { public: true },
    schema: {
      tags: ['health'],
      summary: '200 when the platform can do its job; 503 while starting, or when the journal failed or alerts or events wait past their bounds',
      security: [],
      ...ROUTES['GET /health'],
    },
  }, async (_req, reply) => {
    const h = health()
    return reply.status(h.status === 'ok' ? 200 : 503).send(h)
  })

  app.get('/health/live', {
    config: { public: true },
    schema: {
      tags: ['health'],
      summary: '200 while the process serves and its event loop turns; no database access (for a supervisor that restarts on failure)',
      security: [],
      ...ROUTES['GET /health/live'],
    },
  }, async (_req, reply) => {
    const l = liveness()
    return reply.status(l.status === 'live' ? 200 : 503).send(l)
  })
}
