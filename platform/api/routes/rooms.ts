import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ROUTES } from '../../../contract/routes/index.ts'
import type { Registry } from '../../registry/registry.ts'

export const roomRoutes: FastifyPluginAsyncTypebox<{ registry: Registry }> = async (app, { registry }) => {
  app.get('/rooms/:id', {
    schema: { tags: ['rooms'], summary: 'One room', ...ROUTES['GET /rooms/:id'] },
  }, async (req) => registry.buildings.getRoom(req.actor, req.params.id))

  app.patch('/rooms/:id', {
    schema: {
      tags: ['rooms'],
      summary: 'Change a room\'s capacity (landlord, admin)',
      ...ROUTES['PATCH /rooms/:id'],
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
      ...ROUTES['POST /rooms/:id/registrations'],
    },
  }, async (req, reply) => reply.status(201).send(await registry.registrations.register(req.actor, req.params.id, req.body)))

  app.get('/rooms/:id/registrations', {
    schema: {
      tags: ['registrations'],
      summary: 'Registrations of a room, current and past (ID numbers masked)',
      ...ROUTES['GET /rooms/:id/registrations'],
    },
  }, async (req) => registry.registrations.list(req.actor, { roomId: req.params.id, ...req.query }))
}
