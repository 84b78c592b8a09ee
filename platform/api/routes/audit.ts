import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import type { Registry } from '../../registry/registry.ts'
import { AuditEntrySchema, errors, LimitInput, SeqInput, Text } from '../schemas.ts'

export const auditRoutes: FastifyPluginAsyncTypebox<{ registry: Registry }> = async (app, { registry }) => {
  app.get('/audit', {
    schema: {
      tags: ['audit'], summary: 'The audit log, newest first (admin): unmasked ID reads, refused reads, logins, account changes',
      querystring: Type.Object({
        action: Type.Optional(Text(100)),
        subjectId: Type.Optional(Text(200)),
        actorId: Type.Optional(Text(100)),
        beforeSeq: Type.Optional(SeqInput(1)),
        limit: Type.Optional(LimitInput(1000)),
      }, { additionalProperties: false }),
      response: { 200: Type.Array(AuditEntrySchema), ...errors(401, 403) },
    },
  }, async (req) => registry.audit.list(req.actor, req.query))
}
