import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import type { Registry } from '../../registry/registry.ts'
import { CredentialInputSchema, CredentialSchema, DateInput, DateTimeInput, errors, IdParams, RegistrationSchema, Text } from '../schemas.ts'

export const registrationRoutes: FastifyPluginAsyncTypebox<{ registry: Registry }> = async (app, { registry }) => {
  app.get('/registrations/:id', {
    schema: { tags: ['registrations'], summary: 'One registration', params: IdParams, response: { 200: RegistrationSchema, ...errors(401, 404) } },
  }, async (req) => registry.registrations.get(req.actor, req.params.id))

  app.post('/registrations/:id/deregister', {
    schema: {
      tags: ['registrations'], summary: 'Deregister on departure: close the stay and revoke its credentials on every reader',
      params: IdParams,
      body: Type.Object({
        reason: Text(200, { minLength: 1, description: 'e.g. moved_out, lease_ended, permit_expired.' }),
        departedAt: Type.Optional(DateTimeInput('Default: now.')),
      }, { additionalProperties: false }),
      response: { 200: RegistrationSchema, ...errors(400, 401, 403, 404, 409) },
    },
  }, async (req) => registry.registrations.deregister(req.actor, req.params.id, req.body))

  app.post('/registrations/:id/renew', {
    schema: {
      tags: ['registrations'], summary: 'Record a renewed residence permit (and lease)',
      params: IdParams,
      body: Type.Object({
        permitValidUntil: DateInput(),
        leaseUntil: Type.Optional(DateInput()),
      }, { additionalProperties: false }),
      response: { 200: RegistrationSchema, ...errors(400, 401, 403, 404, 409) },
    },
  }, async (req) => registry.registrations.renew(req.actor, req.params.id, req.body))

  app.get('/registrations/:id/credentials', {
    schema: { tags: ['credentials'], summary: 'Credentials issued for a registration', params: IdParams, response: { 200: Type.Array(CredentialSchema), ...errors(401, 404) } },
  }, async (req) => registry.registrations.credentials(req.actor, req.params.id))

  app.post('/registrations/:id/credentials', {
    schema: {
      tags: ['credentials'], summary: 'Issue another credential and push it to the readers',
      params: IdParams, body: CredentialInputSchema,
      response: { 201: CredentialSchema, ...errors(400, 401, 403, 404, 409) },
    },
  }, async (req, reply) => reply.status(201).send(await registry.registrations.issueCredential(req.actor, req.params.id, req.body)))

  app.post('/credentials/:id/revoke', {
    schema: {
      tags: ['credentials'], summary: 'Revoke a credential (lost card, ...) and remove it from the readers',
      params: IdParams,
      body: Type.Object({ reason: Text(200, { minLength: 1 }) }, { additionalProperties: false }),
      response: { 200: CredentialSchema, ...errors(400, 401, 403, 404, 409) },
    },
  }, async (req) => registry.registrations.revokeCredential(req.actor, req.params.id, req.body.reason))
}
