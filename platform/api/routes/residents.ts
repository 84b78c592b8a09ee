import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import type { Registry } from '../../registry/registry.ts'
import { errors, IdParams, RegistrationSchema, ResidentSummarySchema, Text } from '../schemas.ts'

const ResidentSchema = Type.Object({
  ...ResidentSummarySchema.properties,
  phone: Type.Union([Type.String(), Type.Null()]),
  householdAddress: Type.Union([Type.String(), Type.Null()]),
  employer: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  registrations: Type.Array(RegistrationSchema),
})

export const residentRoutes: FastifyPluginAsyncTypebox<{ registry: Registry }> = async (app, { registry }) => {
  app.get('/residents/:id', {
    schema: {
      tags: ['residents'], summary: 'A resident with their stays in buildings you may see; the ID number is masked',
      params: IdParams, response: { 200: ResidentSchema, ...errors(401, 404) },
    },
  }, async (req) => registry.residents.get(req.actor, req.params.id))

  app.post('/residents/:id/id-number', {
    schema: {
      tags: ['residents'],
      summary: 'Read the unmasked ID number (police of the jurisdiction, admin). Every request, allowed or refused, is written to the audit log.',
      params: IdParams,
      body: Type.Object({ reason: Text(200, { minLength: 4, description: 'Why you need it (case number, ...).' }) }, { additionalProperties: false }),
      response: { 200: Type.Object({ idType: Type.String(), idNumber: Type.String() }), ...errors(400, 401, 403, 404) },
    },
  }, async (req) => registry.residents.revealIdNumber(req.actor, req.params.id, req.body.reason))
}
