import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ROUTES } from '../../../contract/routes/index.ts'
import type { Registry } from '../../registry/registry.ts'

export const moveRoutes: FastifyPluginAsyncTypebox<{ registry: Registry }> = async (app, { registry }) => {
  app.get('/moves', {
    schema: {
      tags: ['registrations'],
      summary: 'Moves between landlords with a side in your scope, newest first; awaiting=true: those waiting for your answer now (confirm, dispute or decide)',
      ...ROUTES['GET /moves'],
    },
  }, async (req) => registry.moves.list(req.actor, req.query))

  app.get('/moves/:id', {
    schema: { tags: ['registrations'], summary: 'One move, as far as you may see it', ...ROUTES['GET /moves/:id'] },
  }, async (req) => registry.moves.get(req.actor, req.params.id))

  app.post('/moves/:id/confirm', {
    schema: {
      tags: ['registrations'],
      summary: 'Confirm that the person left (the side of the stay they leave): that stay ends (reason moved), the waiting registration becomes active',
      ...ROUTES['POST /moves/:id/confirm'],
    },
  }, async (req) => registry.moves.confirm(req.actor, req.params.id, req.body))

  app.post('/moves/:id/dispute', {
    schema: {
      tags: ['registrations'],
      summary: 'Dispute the move (the side of the stay the person leaves); the grid worker or police of that building decides',
      ...ROUTES['POST /moves/:id/dispute'],
    },
  }, async (req) => registry.moves.dispute(req.actor, req.params.id, req.body))

  app.post('/moves/:id/decide', {
    schema: {
      tags: ['registrations'],
      summary: 'Decide a disputed move, or one unanswered past dueAt (grid worker or police of the jurisdiction of the stay the person leaves, admin)',
      ...ROUTES['POST /moves/:id/decide'],
    },
  }, async (req) => registry.moves.decide(req.actor, req.params.id, req.body))

  app.post('/moves/:id/withdraw', {
    schema: {
      tags: ['registrations'],
      summary: 'Withdraw the waiting registration (the side that registered the person); it is cancelled with its credentials',
      ...ROUTES['POST /moves/:id/withdraw'],
    },
  }, async (req) => registry.moves.withdraw(req.actor, req.params.id, req.body))
}
