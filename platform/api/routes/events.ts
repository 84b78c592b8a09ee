import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ROUTES } from '../../../contract/routes/index.ts'
import type { EventHistory } from '../../events/event-history.ts'

const AUDITED = 'Movement records are personal data: the read is written to the audit log.'

export const eventRoutes: FastifyPluginAsyncTypebox<{ history: EventHistory }> = async (app, { history }) => {
  app.get('/buildings/:id/doors/:door/events', {
    schema: {
      tags: ['events'],
      summary: 'Events at one door over a time range',
      description: AUDITED,
      ...ROUTES['GET /buildings/:id/doors/:door/events'],
    },
  }, async (req) => history.door(req.actor, req.params.id, req.params.door, req.query))

  app.get('/rooms/:id/events', {
    schema: {
      tags: ['events'],
      summary: 'Access events by the credentials of one room over a time range',
      description: AUDITED,
      ...ROUTES['GET /rooms/:id/events'],
    },
  }, async (req) => history.room(req.actor, req.params.id, req.query))

  app.get('/credentials/:id/events', {
    schema: {
      tags: ['events'],
      summary: 'Access events of one credential over a time range',
      description: AUDITED,
      ...ROUTES['GET /credentials/:id/events'],
    },
  }, async (req) => history.credential(req.actor, req.params.id, req.query))
}
