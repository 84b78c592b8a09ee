import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import type { Registry } from '../../registry/registry.ts'
import { AuditEntrySchema, DateTimeInput, errors, LimitInput, SeqInput, Text } from '../schemas.ts'

export const auditRoutes: FastifyPluginAsyncTypebox<{ registry: Registry }> = async (app, { registry }) => {
  app.get('/audit', {
    schema: {
      tags: ['audit'],
      summary: 'The audit log, newest first (admin): reads of people\'s records and registration listings, unmasked ID reads, ' +
        'refused reads, door openings, webhook changes, logins, account changes',
      querystring: Type.Object({
        action: Type.Optional(Text(100, { description: 'Exactly this action, e.g. resident.read.' })),
        actionPrefix: Type.Optional(Text(100, { description: 'Actions starting with this, e.g. login. or resident.' })),
        subjectType: Type.Optional(Text(50, { description: 'resident, registration, building, room, device, webhook, user, ...' })),
        subjectId: Type.Optional(Text(200)),
        actorId: Type.Optional(Text(100)),
        ip: Type.Optional(Text(100, { description: 'Client address the request came from.' })),
        since: Type.Optional(DateTimeInput('At or after this time.')),
        until: Type.Optional(DateTimeInput('Before this time.')),
        beforeSeq: Type.Optional(SeqInput(1)),
        limit: Type.Optional(LimitInput(1000)),
      }, { additionalProperties: false }),
      response: { 200: Type.Array(AuditEntrySchema), ...errors(401, 403) },
    },
  }, async (req) => registry.audit.list(req.actor, req.query))
}
