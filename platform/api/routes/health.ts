import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'

export interface HealthCheck {
  (): { broker: boolean; registry: boolean; pipeline: boolean }
}

const Health = Type.Object({
  status: Type.Enum(['ok', 'starting']),
  broker: Type.Boolean(),
  registry: Type.Boolean(),
  pipeline: Type.Boolean(),
})

export const healthRoutes: FastifyPluginAsyncTypebox<{ health: HealthCheck }> = async (app, { health }) => {
  app.get('/health', {
    config: { public: true },
    schema: { tags: ['health'], summary: '200 once broker, registry and pipeline are up; 503 before', security: [], response: { 200: Health, 503: Health } },
  }, async (_req, reply) => {
    const h = health()
    const ok = h.broker && h.registry && h.pipeline
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'starting', ...h })
  })
}
