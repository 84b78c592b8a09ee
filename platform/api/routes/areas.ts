import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ROUTES } from '../../../contract/routes/index.ts'
import type { Registry } from '../../registry/registry.ts'

export const areaRoutes: FastifyPluginAsyncTypebox<{ registry: Registry }> = async (app, { registry }) => {
  app.post('/areas', {
    schema: {
      tags: ['areas'],
      summary: 'Create a district, street, community or grid (admin)',
      ...ROUTES['POST /areas'],
    },
  }, async (req, reply) => reply.status(201).send(await registry.areas.create(req.actor, req.body)))

  app.get('/areas', {
    schema: { tags: ['areas'], summary: 'Areas you may see (your jurisdiction for grid workers and police)', ...ROUTES['GET /areas'] },
  }, async (req) => registry.areas.list(req.actor))
}
