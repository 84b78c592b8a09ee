// The landlord's tools: occupancy (counts only), the cards just presented at
// the building's doors (to enrol by swiping), the deregistration inbox.
// Imports and exports of the register are in tenant-files.ts.

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ROUTES } from '../../../contract/routes/index.ts'
import { readInbox } from '../../registry/inbox.ts'
import { readOccupancy } from '../../registry/occupancy.ts'
import type { PresenceReader } from '../../registry/presence-port.ts'
import { Presentations } from '../../registry/presentations.ts'
import type { Registry } from '../../registry/registry.ts'

export const landlordRoutes: FastifyPluginAsyncTypebox<{ registry: Registry; presence: PresenceReader }> = async (app, { registry, presence }) => {
  const presentations = new Presentations(registry.ctx)

  app.get('/buildings/:id/occupancy', {
    schema: {
      tags: ['landlord'],
      summary: 'Per room: capacity, registered, observed inside now, vacant, over capacity. Counts only, no people',
      ...ROUTES['GET /buildings/:id/occupancy'],
    },
  }, async (req) => readOccupancy(registry.ctx, presence, req.actor, req.params.id))

  app.get('/buildings/:id/unknown-credentials', {
    schema: {
      tags: ['landlord'],
      summary: 'Cards presented at the building\'s doors in the last 15 minutes that nobody holds here, to enrol by swiping (numbers masked)',
      ...ROUTES['GET /buildings/:id/unknown-credentials'],
    },
  }, async (req) => presentations.list(req.actor, req.params.id, req.query.since))

  app.get('/buildings/:id/inbox', {
    schema: {
      tags: ['landlord'],
      summary: 'Deregistration inbox: residents not seen, permits expiring within 30 days, expired permits (names masked)',
      ...ROUTES['GET /buildings/:id/inbox'],
    },
  }, async (req) => readInbox(registry.ctx, presence, req.actor, req.params.id))
}
