// Request and response schemas of the health routes, keyed by `METHOD /path`
// (see registry-routes.ts). Both answer 503 with the same body when not well.

import Type, { type Static } from 'typebox'
import { HEALTH_REASONS } from '../vocabulary.ts'

export const HealthSchema = Type.Object({
  status: Type.Enum(['ok', 'starting', 'unhealthy'], {
    description: '`ok` (200); `starting` (503): a part is not up yet; `unhealthy` (503): up, but see `reasons`.',
  }),
  broker: Type.Boolean(),
  registry: Type.Boolean(),
  pipeline: Type.Boolean(),
  reasons: Type.Array(Type.Enum(HEALTH_REASONS), {
    description: '`journal_failed`: the event journal could not be written, no event is acknowledged until a restart; ' +
      '`event_log_full`: so many events wait for the database that acknowledgements are held; `event_copy_behind`: an ' +
      'acknowledged event has waited longer than HEALTH_EVENT_COPY_DELAY_MAX_S for the database; `alert_commit_behind`: an ' +
      'alert has waited longer than HEALTH_ALERT_DELAY_MAX_S to be committed, or commits have failed that long; ' +
      '`pipeline_stopped`: the rules stopped, nothing is judged until a restart.',
  }),
  figures: Type.Object({
    eventsBehind: Type.Integer({ description: 'acknowledged events not in the database yet' }),
    eventCopyLagS: Type.Number({ description: 'seconds the oldest of them has waited' }),
    uncommittedAlerts: Type.Integer({ description: 'alert candidates not committed yet' }),
    alertCommitLagS: Type.Number({ description: 'seconds the oldest of them has waited, or commits have failed' }),
  }),
})
export type Health = Static<typeof HealthSchema>

export const LivenessSchema = Type.Object({
  status: Type.Enum(['live', 'stalled'], { description: '`live` (200); `stalled` (503): the event loop runs later than HEALTH_EVENT_LOOP_DELAY_MAX_S.' }),
  eventLoopDelayMs: Type.Integer({ description: 'the worst lateness of the event loop over the last 10 s or so, ms' }),
})
export type Liveness = Static<typeof LivenessSchema>

export const healthRoutes = {
  'GET /health': { response: { 200: HealthSchema, 503: HealthSchema } },
  'GET /health/live': { response: { 200: LivenessSchema, 503: LivenessSchema } },
} as const
