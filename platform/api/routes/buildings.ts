import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ROUTES } from '../../../contract/routes/index.ts'
import { loadBuilding } from '../../registry/buildings.ts'
import { writeAudit } from '../../registry/audit-log.ts'
import { readLedger } from '../../registry/ledger.ts'
import type { Registry } from '../../registry/registry.ts'

export const buildingRoutes: FastifyPluginAsyncTypebox<{ registry: Registry }> = async (app, { registry }) => {
  app.post('/buildings', {
    schema: {
      tags: ['buildings'],
      summary: 'Register a building in a grid. Landlords register their own; grid workers in their jurisdiction; admins any.',
      ...ROUTES['POST /buildings'],
    },
  }, async (req, reply) => reply.status(201).send(await registry.buildings.create(req.actor, req.body)))

  app.get('/buildings', {
    schema: { tags: ['buildings'], summary: 'Buildings in your scope', ...ROUTES['GET /buildings'] },
  }, async (req) => registry.buildings.list(req.actor, req.query.grade === undefined ? {} : { grade: req.query.grade }))

  app.get('/buildings/:id', {
    schema: { tags: ['buildings'], summary: 'One building', ...ROUTES['GET /buildings/:id'] },
  }, async (req) => registry.buildings.get(req.actor, req.params.id))

  app.patch('/buildings/:id', {
    schema: {
      tags: ['buildings'],
      summary: 'Edit name/address/agreement/location (landlord, admin) or grade (police, admin)',
      ...ROUTES['PATCH /buildings/:id'],
    },
  }, async (req) => registry.buildings.update(req.actor, req.params.id, req.body))

  app.delete('/buildings/:id', {
    schema: {
      tags: ['buildings'],
      summary: 'Take a building off the platform (its landlord, admin): its devices are deleted and disconnected, its visitor passes revoked, and it reads as not found from then on. Refused with 409 RH_BUILDING_OCCUPIED while registrations are active or pending, unless an administrator forces it (force=true), which ends them first. Its stays, ledger and alerts are kept as history; personal data is erased on the usual schedule.',
      ...ROUTES['DELETE /buildings/:id'],
    },
  }, async (req) => {
    const force = req.query.force === true
    const stays = await registry.buildings.removalPlan(req.actor, req.params.id, force)
    // Each stay ends as a deregistration or a withdrawal would end it: credentials off the readers, a move
    // waiting on the stay released, every step in the ledgers and the audit log.
    for (const id of stays.active) await registry.registrations.deregister(req.actor, id, { reason: 'building_removed' })
    for (const p of stays.pending) {
      if (p.moveId !== null) await registry.moves.withdraw(req.actor, p.moveId, { reason: 'building_removed' })
    }
    const removed = await registry.buildings.remove(req.actor, req.params.id)
    return {
      buildingId: removed.buildingId,
      registrationsEnded: stays.active.length + stays.pending.length,
      devicesRemoved: removed.devices,
      credentialsRevoked: removed.credentialsRevoked,
    }
  })

  app.post('/buildings/:id/vendors', {
    schema: {
      tags: ['buildings'],
      summary: 'Allow a vendor account to provision devices in the building (landlord, admin)',
      ...ROUTES['POST /buildings/:id/vendors'],
    },
  }, async (req, reply) => {
    await registry.buildings.grantVendor(req.actor, req.params.id, req.body.vendorId)
    return reply.status(204).send(null)
  })

  app.post('/buildings/:id/rooms', {
    schema: {
      tags: ['rooms'],
      summary: 'Add a room with its capacity (landlord, admin)',
      ...ROUTES['POST /buildings/:id/rooms'],
    },
  }, async (req, reply) => reply.status(201).send(await registry.buildings.createRoom(req.actor, req.params.id, req.body)))

  app.get('/buildings/:id/rooms', {
    schema: { tags: ['rooms'], summary: 'Rooms of a building with their registered count', ...ROUTES['GET /buildings/:id/rooms'] },
  }, async (req) => registry.buildings.listRooms(req.actor, req.params.id))

  app.get('/buildings/:id/registrations', {
    schema: {
      tags: ['registrations'],
      summary: 'Registrations in a building (ID numbers masked)',
      ...ROUTES['GET /buildings/:id/registrations'],
    },
  }, async (req) => registry.registrations.list(req.actor, { buildingId: req.params.id, ...req.query }))

  app.get('/buildings/:id/ledger', {
    schema: {
      tags: ['registrations'],
      summary: 'The building\'s registry ledger: every arrival, departure, credential and device change, in order',
      ...ROUTES['GET /buildings/:id/ledger'],
    },
  }, async (req) => {
    await loadBuilding(registry.ctx.db, req.actor, req.params.id, 'residents.read')
    const entries = await readLedger(registry.ctx.db, req.params.id, req.query.afterSeq, req.query.limit)
    // Who lived where, and when: audited once per request.
    await writeAudit(registry.ctx.db, req.actor, 'ledger.read', { type: 'building', id: req.params.id }, { afterSeq: req.query.afterSeq ?? 0, returned: entries.length })
    return entries
  })
}
