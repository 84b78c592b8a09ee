// The rental-house policy (docs/policy.md): the house score behind a grade,
// the grade proposals police confirm or reject, and the grade settings of an
// area (thresholds, colours, patrol intervals).

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ROUTES } from '../../../contract/routes/index.ts'
import type { GradeProposals } from '../../policy/grade-proposals.ts'
import type { HouseScores } from '../../policy/house-scores.ts'

export const policyRoutes: FastifyPluginAsyncTypebox<{ scores: HouseScores; proposals: GradeProposals }> = async (app, { scores, proposals }) => {
  app.get('/buildings/:id/score', {
    schema: {
      tags: ['policy'],
      summary: 'The house score: points with cause, evidence and expiry in four dimensions, and the grade it proposes (never a score on a person)',
      ...ROUTES['GET /buildings/:id/score'],
    },
  }, async (req) => scores.score(req.actor, req.params.id))

  app.get('/grade-proposals', {
    schema: { tags: ['policy'], summary: 'Grade proposals of the buildings in your scope (default: those waiting for a decision)', ...ROUTES['GET /grade-proposals'] },
  }, async (req) => proposals.list(req.actor, req.query))

  app.get('/grade-proposals/:id', {
    schema: { tags: ['policy'], summary: 'One grade proposal with its reasons, whatever its status (where you may read the building)', ...ROUTES['GET /grade-proposals/:id'] },
  }, async (req) => proposals.get(req.actor, req.params.id))

  app.post('/buildings/:id/grade-proposals', {
    schema: { tags: ['policy'], summary: 'Propose the grade the score points at now (police, administrators); 409 when it is the grade the building has', ...ROUTES['POST /buildings/:id/grade-proposals'] },
  }, async (req, reply) => reply.code(201).send(await proposals.propose(req.actor, req.params.id)))

  app.post('/grade-proposals/:id/confirm', {
    schema: { tags: ['policy'], summary: 'Confirm a proposal: the building takes the grade (audited, in the ledger)', ...ROUTES['POST /grade-proposals/:id/confirm'] },
  }, async (req) => proposals.confirm(req.actor, req.params.id, req.body.note))

  app.get('/areas/:id/policy-settings', {
    schema: { tags: ['policy'], summary: 'The grade settings that hold in an area: its own, else the nearest area\'s above it, else the defaults', ...ROUTES['GET /areas/:id/policy-settings'] },
  }, async (req) => scores.policies.effective(req.actor, req.params.id))

  app.put('/areas/:id/policy-settings', {
    schema: {
      tags: ['policy'],
      summary: 'Set an area\'s grade thresholds, colours and patrol intervals (administrators; police of a district or street for their areas; audited)',
      ...ROUTES['PUT /areas/:id/policy-settings'],
    },
  }, async (req) => scores.policies.set(req.actor, req.params.id, req.body))

  app.delete('/areas/:id/policy-settings', {
    schema: { tags: ['policy'], summary: 'Take an area\'s own grade settings away: it takes those above it again (audited)', ...ROUTES['DELETE /areas/:id/policy-settings'] },
  }, async (req) => scores.policies.clear(req.actor, req.params.id))

  app.post('/grade-proposals/:id/reject', {
    schema: { tags: ['policy'], summary: 'Reject a proposal, saying why (audited)', ...ROUTES['POST /grade-proposals/:id/reject'] },
  }, async (req) => proposals.reject(req.actor, req.params.id, req.body.note))
}
