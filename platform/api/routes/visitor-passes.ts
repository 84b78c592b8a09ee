import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import type { Registry } from '../../registry/registry.ts'
import { ID_PATTERN } from '../../../protocol/index.ts'
import { MAX_VISITOR_PASS_DAYS } from '../../registry/visitor-passes.ts'
import { CredentialInputSchema, CredentialSchema, DateTimeInput, errors, IdParams, Text } from '../schemas.ts'

const VisitorPassInputSchema = Type.Object({
  ...CredentialInputSchema.properties,
  kind: Type.Optional(CredentialInputSchema.properties.kind),
  visitorName: Type.Optional(Text(64, {
    minLength: 1, description: 'Who the pass is for (a name, never an ID number). Required unless the pass renews another (then it defaults to that one\'s).',
  })),
  validUntil: DateTimeInput(`End of the allowed stay; at most ${MAX_VISITOR_PASS_DAYS} days after validFrom (default now).`),
  renews: Type.Optional(Type.String({
    pattern: ID_PATTERN,
    description: 'Id of an earlier pass of this room for the same visitor. The new pass keeps that visitor\'s identity (visitorId) and replaces ' +
      'the visitor\'s active passes: revoked if the new one is valid now, else ending where it begins.',
  })),
}, { additionalProperties: false })

export const visitorPassRoutes: FastifyPluginAsyncTypebox<{ registry: Registry }> = async (app, { registry }) => {
  app.post('/rooms/:id/visitor-passes', {
    schema: {
      tags: ['credentials'],
      summary: 'Issue a visitor pass for a room (a QR code unless another kind is given) and push it to the readers',
      description: 'A visitor still inside past validUntil (or the platform\'s visitor stay limit) raises visitor_overstay: ' +
        'someone staying on must be registered. To extend a stay, renew the pass (renews): the readers then hold one pass per visitor and ' +
        'presence follows the visitor whichever pass they show. Revoke with POST /credentials/{id}/revoke.',
      params: IdParams,
      body: VisitorPassInputSchema,
      response: { 201: CredentialSchema, ...errors(400, 401, 403, 404, 409) },
    },
  }, async (req, reply) => {
    const { kind, ...rest } = req.body
    return reply.status(201).send(await registry.visitorPasses.issue(req.actor, req.params.id, { ...rest, kind: kind ?? 'qr' }))
  })

  app.get('/rooms/:id/visitor-passes', {
    schema: {
      tags: ['credentials'], summary: 'Visitor passes of a room, newest first',
      params: IdParams,
      querystring: Type.Object({ active: Type.Optional(Type.Boolean({ description: 'Only passes not revoked and not expired.' })) }, { additionalProperties: false }),
      response: { 200: Type.Array(CredentialSchema), ...errors(401, 404) },
    },
  }, async (req) => registry.visitorPasses.list(req.actor, req.params.id, req.query))
}
