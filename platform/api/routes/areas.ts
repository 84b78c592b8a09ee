import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { ID_PATTERN } from '../../../protocol/index.ts'
import { AREA_KINDS } from '../../registry/areas.ts'
import type { Registry } from '../../registry/registry.ts'
import { AreaSchema, errors, Text } from '../schemas.ts'

export const areaRoutes: FastifyPluginAsyncTypebox<{ registry: Registry }> = async (app, { registry }) => {
  app.post('/areas', {
    schema: {
      tags: ['areas'], summary: 'Create a district, street, community or grid (admin)',
      body: Type.Object({
        id: Type.Optional(Type.String({ pattern: ID_PATTERN })),
        parentId: Type.Optional(Type.String({ pattern: ID_PATTERN })),
        kind: Type.Enum(AREA_KINDS),
        name: Text(100, { minLength: 1 }),
      }, { additionalProperties: false }),
      response: { 201: AreaSchema, ...errors(400, 401, 403, 404, 409) },
    },
  }, async (req, reply) => reply.status(201).send(await registry.areas.create(req.actor, req.body)))

  app.get('/areas', {
    schema: { tags: ['areas'], summary: 'Areas you may see (your jurisdiction for grid workers and police)', response: { 200: Type.Array(AreaSchema), ...errors(401) } },
  }, async (req) => registry.areas.list(req.actor))
}
