// Permits, vacancy and the monthly reconciliation (docs/policy.md): the
// reminders sent before permits end, vacancy proposals the grid worker
// decides, the lists landlords and grid workers reconcile and sign off, and
// the share reconciled per area.

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ROUTES } from '../../../contract/routes/index.ts'
import type { PermitWatch } from '../../policy/permit-watch.ts'
import type { Reconciliations } from '../../policy/reconciliation.ts'
import type { VacancyProposals } from '../../policy/vacancy.ts'

export interface PermitDeps { permits: PermitWatch; vacancy: VacancyProposals; reconciliations: Reconciliations }

export const permitRoutes: FastifyPluginAsyncTypebox<PermitDeps> = async (app, { permits, vacancy, reconciliations }) => {
  const tags = ['policy']
  app.get('/permit-reminders', {
    schema: { tags, summary: 'Reminders sent 30 and 7 days before residence permits end (names masked; audited)', ...ROUTES['GET /permit-reminders'] },
  }, async (req) => permits.reminders(req.actor, req.query))

  app.get('/vacancy-proposals', {
    schema: { tags, summary: 'Rooms and houses proposed for deregistration as vacant (default: waiting)', ...ROUTES['GET /vacancy-proposals'] },
  }, async (req) => vacancy.list(req.actor, req.query))
  app.post('/vacancy-proposals/:id/confirm', {
    schema: { tags, summary: 'The grid worker confirms: the room (house) leaves the rental register (audited, in the ledger)', ...ROUTES['POST /vacancy-proposals/:id/confirm'] },
  }, async (req) => vacancy.confirm(req.actor, req.params.id, req.body.note))
  app.post('/vacancy-proposals/:id/reject', {
    schema: { tags, summary: 'The grid worker rejects, saying why (audited)', ...ROUTES['POST /vacancy-proposals/:id/reject'] },
  }, async (req) => vacancy.reject(req.actor, req.params.id, req.body.note))

  app.get('/reconciliations', {
    schema: { tags, summary: 'Monthly reconciliation lists: a landlord\'s own, the grids of an area', ...ROUTES['GET /reconciliations'] },
  }, async (req) => reconciliations.list(req.actor, req.query))
  app.get('/reconciliations/:id', {
    schema: { tags, summary: 'One list with its items (names masked; audited)', ...ROUTES['GET /reconciliations/:id'] },
  }, async (req) => reconciliations.get(req.actor, req.params.id))
  app.post('/reconciliations/:id/items/:itemId', {
    schema: { tags, summary: 'Confirm an item, or record it corrected with a note', ...ROUTES['POST /reconciliations/:id/items/:itemId'] },
  }, async (req) => reconciliations.decideItem(req.actor, req.params.id, req.params.itemId, req.body))
  app.post('/reconciliations/:id/sign-off', {
    schema: { tags, summary: 'Sign the list off once every item is decided (ledger and audit log)', ...ROUTES['POST /reconciliations/:id/sign-off'] },
  }, async (req) => reconciliations.signOff(req.actor, req.params.id))
  app.get('/areas/:id/reconciled-share', {
    schema: { tags, summary: 'The share reconciled in an area and month (items on signed-off lists / items listed)', ...ROUTES['GET /areas/:id/reconciled-share'] },
  }, async (req) => reconciliations.share(req.actor, req.params.id, req.query.month))
}
