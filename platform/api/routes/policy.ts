// The rental-house policy (docs/policy.md): the house score behind a grade.

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ROUTES } from '../../../contract/routes/index.ts'
import { HouseScores } from '../../policy/house-scores.ts'
import type { Registry } from '../../registry/registry.ts'

export const policyRoutes: FastifyPluginAsyncTypebox<{ registry: Registry }> = async (app, { registry }) => {
  const scores = new HouseScores(registry.ctx)

  app.get('/buildings/:id/score', {
    schema: {
      tags: ['policy'],
      summary: 'The house score: points with cause, evidence and expiry in four dimensions, and the grade it proposes (never a score on a person)',
      ...ROUTES['GET /buildings/:id/score'],
    },
  }, async (req) => scores.score(req.actor, req.params.id))
}
