import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ROUTES } from '../../../contract/routes/index.ts'
import type { Registry } from '../../registry/registry.ts'

export const auditRoutes: FastifyPluginAsyncTypebox<{ registry: Registry }> = async (app, { registry }) => {
  app.get('/audit', {
    schema: {
      tags: ['audit'],
      summary: 'The audit log, newest first (admin): reads of people\'s records and registration listings, unmasked ID reads, ' +
        'refused reads, door openings, webhook changes, logins, account changes',
      ...ROUTES['GET /audit'],
    },
  }, async (req) => registry.audit.list(req.actor, req.query))
}
