// Door plates and patrols (docs/policy.md): the plate sheet, a house code
// resolved to the house record, patrols and their findings, re-inspections,
// and the houses due for a patrol.

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ROUTES } from '../../../contract/routes/index.ts'
import type { Patrols } from '../../policy/patrols.ts'

export const patrolRoutes: FastifyPluginAsyncTypebox<{ patrols: Patrols }> = async (app, { patrols }) => {
  app.get('/buildings/:id/plates', {
    schema: { tags: ['patrols'], summary: 'The door plates of a building: its code and one per room (what the QR codes hold; no personal data)', ...ROUTES['GET /buildings/:id/plates'] },
  }, async (req) => patrols.plates(req.actor, req.params.id))

  app.get('/house-codes/:code', {
    schema: { tags: ['patrols'], summary: 'The house record behind a plate\'s code: rooms, registered against capacity, grade, open findings, last patrol; 404 outside your scope', ...ROUTES['GET /house-codes/:code'] },
  }, async (req) => patrols.resolve(req.actor, req.params.code))

  app.post('/buildings/:id/patrols', {
    schema: { tags: ['patrols'], summary: 'Record a patrol on site (grid workers and police of the area): the plate\'s code as proof of presence, headcount, checklist, findings (audited)', ...ROUTES['POST /buildings/:id/patrols'] },
  }, async (req, reply) => reply.code(201).send(await patrols.record(req.actor, req.params.id, req.body)))

  app.get('/buildings/:id/patrols', {
    schema: { tags: ['patrols'], summary: 'The patrols of a building with the patrollers\' notes (grid workers and police of the area; the read is audited)', ...ROUTES['GET /buildings/:id/patrols'] },
  }, async (req) => patrols.list(req.actor, req.params.id))

  app.get('/buildings/:id/findings', {
    schema: { tags: ['patrols'], summary: 'The patrol findings of a building with their deadlines and re-inspections (its landlord too)', ...ROUTES['GET /buildings/:id/findings'] },
  }, async (req) => patrols.findings(req.actor, req.params.id, req.query.status))

  app.post('/findings/:id/reinspections', {
    schema: { tags: ['patrols'], summary: 'Re-inspect a finding on site: put right closes it, otherwise it stays open (audited)', ...ROUTES['POST /findings/:id/reinspections'] },
  }, async (req, reply) => reply.code(201).send(await patrols.reinspect(req.actor, req.params.id, req.body)))

  app.get('/patrols/due', {
    schema: { tags: ['patrols'], summary: 'The houses you patrol with when each is due, most overdue first (grid workers: their grid; police: their area)', ...ROUTES['GET /patrols/due'] },
  }, async (req) => patrols.due(req.actor))
}
