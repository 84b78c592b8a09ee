import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import type { Registry } from '../../registry/registry.ts'
import {
  CredentialInputSchema, CredentialSchema, DateInput, DateTimeInput, errors, IdParams, Int, MoveSchema, Nullable, REGISTRATION_STATUSES,
  RegistrationSchema, ResidentInputSchema, RoomSchema,
} from '../schemas.ts'

export const roomRoutes: FastifyPluginAsyncTypebox<{ registry: Registry }> = async (app, { registry }) => {
  app.get('/rooms/:id', {
    schema: { tags: ['rooms'], summary: 'One room', params: IdParams, response: { 200: RoomSchema, ...errors(401, 404) } },
  }, async (req) => registry.buildings.getRoom(req.actor, req.params.id))

  app.patch('/rooms/:id', {
    schema: {
      tags: ['rooms'], summary: 'Change a room\'s capacity (landlord, admin)',
      params: IdParams,
      body: Type.Object({ capacity: Int(1, 100) }, { additionalProperties: false }),
      response: { 200: RoomSchema, ...errors(400, 401, 403, 404) },
    },
  }, async (req) => registry.buildings.updateRoom(req.actor, req.params.id, req.body))

  app.post('/rooms/:id/registrations', {
    schema: {
      tags: ['registrations'],
      summary: 'Register on arrival: record the resident in the room, issue their credentials and push them to the building\'s readers',
      description: 'If the person is still registered in another room you may change, that stay is closed (reason registered_elsewhere) and its credentials revoked. ' +
        'If they are registered where you may not change anything, nothing of that stay changes: the registration is pending, its credentials reach no reader, ' +
        'and move says that it waits for the move to be confirmed (GET /moves). ' +
        'overCapacity tells when the room now has (for a pending registration: would have) more registered residents than its capacity.',
      params: IdParams,
      body: Type.Object({
        resident: ResidentInputSchema,
        arrivedAt: Type.Optional(DateTimeInput('Default: now.')),
        permitValidUntil: Type.Optional(DateInput('End of the residence permit validity.')),
        leaseUntil: Type.Optional(DateInput()),
        minors: Type.Optional(Int(0, 20, 'Accompanying children under 16.')),
        credentials: Type.Optional(Type.Array(CredentialInputSchema, { maxItems: 5 })),
      }, { additionalProperties: false }),
      response: {
        201: Type.Object({
          registration: RegistrationSchema,
          credentials: Type.Array(CredentialSchema),
          overCapacity: Type.Boolean(),
          closedRegistrationId: Type.Union([Type.String(), Type.Null()]),
          move: Nullable(MoveSchema),
        }),
        ...errors(400, 401, 403, 404, 409),
      },
    },
  }, async (req, reply) => reply.status(201).send(await registry.registrations.register(req.actor, req.params.id, req.body)))

  app.get('/rooms/:id/registrations', {
    schema: {
      tags: ['registrations'], summary: 'Registrations of a room, current and past (ID numbers masked)',
      params: IdParams,
      querystring: Type.Object({ status: Type.Optional(Type.Enum(REGISTRATION_STATUSES)) }, { additionalProperties: false }),
      response: { 200: Type.Array(RegistrationSchema), ...errors(401, 403, 404) },
    },
  }, async (req) => registry.registrations.list(req.actor, { roomId: req.params.id, ...req.query }))
}
