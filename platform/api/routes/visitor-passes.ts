import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ROUTES } from '../../../contract/routes/index.ts'
import type { Registry } from '../../registry/registry.ts'

export const visitorPassRoutes: FastifyPluginAsyncTypebox<{ registry: Registry }> = async (app, { registry }) => {
  app.post('/rooms/:id/visitor-passes', {
    schema: {
      tags: ['credentials'],
      summary: 'Issue a visitor pass for a room (a QR code unless another kind is given) and push it to the readers',
      description: 'A visitor still inside past validUntil (or the platform\'s visitor stay limit) raises visitor_overstay: ' +
        'someone staying on must be registered. To extend a stay, renew the pass (renews): the readers then hold one pass per visitor and ' +
        'presence follows the visitor whichever pass they show. Revoke with POST /credentials/{id}/revoke.',
      ...ROUTES['POST /rooms/:id/visitor-passes'],
    },
  }, async (req, reply) => {
    const { kind, ...rest } = req.body
    return reply.status(201).send(await registry.visitorPasses.issue(req.actor, req.params.id, { ...rest, kind: kind ?? 'qr' }))
  })

  app.get('/rooms/:id/visitor-passes', {
    schema: {
      tags: ['credentials'],
      summary: 'Visitor passes of a room, newest first',
      ...ROUTES['GET /rooms/:id/visitor-passes'],
    },
  }, async (req) => registry.visitorPasses.list(req.actor, req.params.id, req.query))
}
