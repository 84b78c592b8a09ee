import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import type { Registry } from '../../registry/registry.ts'
import { DateTimeInput, errors, IdParam, IdParams, LimitInput, MoveSchema, Text } from '../schemas.ts'

const Reason = (description: string) => Text(500, { minLength: 4, description })

export const moveRoutes: FastifyPluginAsyncTypebox<{ registry: Registry }> = async (app, { registry }) => {
  app.get('/moves', {
    schema: {
      tags: ['registrations'],
      summary: 'Moves between landlords with a side in your scope, newest first; awaiting=true: those waiting for your answer now (confirm, dispute or decide)',
      querystring: Type.Object({
        status: Type.Optional(Type.Enum(['open', 'closed'])),
        awaiting: Type.Optional(Type.Boolean()),
        registrationId: Type.Optional(IdParam),
        limit: Type.Optional(LimitInput(1000)),
      }, { additionalProperties: false }),
      response: { 200: Type.Array(MoveSchema), ...errors(401) },
    },
  }, async (req) => registry.moves.list(req.actor, req.query))

  app.get('/moves/:id', {
    schema: { tags: ['registrations'], summary: 'One move, as far as you may see it', params: IdParams, response: { 200: MoveSchema, ...errors(401, 404) } },
  }, async (req) => registry.moves.get(req.actor, req.params.id))

  app.post('/moves/:id/confirm', {
    schema: {
      tags: ['registrations'],
      summary: 'Confirm that the person left (the side of the stay they leave): that stay ends (reason moved), the waiting registration becomes active',
      params: IdParams,
      body: Type.Object({ departedAt: Type.Optional(DateTimeInput('When they left; default now.')) }, { additionalProperties: false }),
      response: { 200: MoveSchema, ...errors(400, 401, 403, 404, 409) },
    },
  }, async (req) => registry.moves.confirm(req.actor, req.params.id, req.body))

  app.post('/moves/:id/dispute', {
    schema: {
      tags: ['registrations'],
      summary: 'Dispute the move (the side of the stay the person leaves); the grid worker or police of that building decides',
      params: IdParams,
      body: Type.Object({ reason: Reason('Why: seen at home today, ... The other side never sees it.') }, { additionalProperties: false }),
      response: { 200: MoveSchema, ...errors(400, 401, 403, 404, 409) },
    },
  }, async (req) => registry.moves.dispute(req.actor, req.params.id, req.body))

  app.post('/moves/:id/decide', {
    schema: {
      tags: ['registrations'],
      summary: 'Decide a disputed move, or one unanswered past dueAt (grid worker or police of the jurisdiction of the stay the person leaves, admin)',
      params: IdParams,
      body: Type.Object({
        outcome: Type.Enum(['moved', 'stays'], { description: 'moved: the old stay ends, the waiting registration becomes active; stays: it is cancelled.' }),
        reason: Reason('What the decision rests on (visit, call, ...).'),
        departedAt: Type.Optional(DateTimeInput('For moved: when they left; default now.')),
      }, { additionalProperties: false }),
      response: { 200: MoveSchema, ...errors(400, 401, 403, 404, 409) },
    },
  }, async (req) => registry.moves.decide(req.actor, req.params.id, req.body))

  app.post('/moves/:id/withdraw', {
    schema: {
      tags: ['registrations'],
      summary: 'Withdraw the waiting registration (the side that registered the person); it is cancelled with its credentials',
      params: IdParams,
      body: Type.Object({ reason: Type.Optional(Text(500, { minLength: 1 })) }, { additionalProperties: false }),
      response: { 200: MoveSchema, ...errors(400, 401, 403, 404, 409) },
    },
  }, async (req) => registry.moves.withdraw(req.actor, req.params.id, req.body))
}
