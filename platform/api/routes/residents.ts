import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ROUTES } from '../../../contract/routes/index.ts'
import type { Registry } from '../../registry/registry.ts'

export const residentRoutes: FastifyPluginAsyncTypebox<{ registry: Registry }> = async (app, { registry }) => {
  app.get('/residents/:id', {
    schema: {
      tags: ['residents'],
      summary: 'A resident with their stays in buildings you may see; the ID number is masked',
      ...ROUTES['GET /residents/:id'],
    },
  }, async (req) => registry.residents.get(req.actor, req.params.id))

  app.post('/residents/:id/id-number', {
    schema: {
      tags: ['residents'],
      summary: 'Read the unmasked ID number (police of the jurisdiction, admin). Every request, allowed or refused, is written to the audit log.',
      ...ROUTES['POST /residents/:id/id-number'],
    },
  }, async (req) => registry.residents.revealIdNumber(req.actor, req.params.id, req.body.reason))
}
