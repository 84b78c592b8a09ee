import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { ID_PATTERN } from '../../../protocol/index.ts'
import { GRADES, loadBuilding } from '../../registry/buildings.ts'
import { writeAudit } from '../../registry/audit-log.ts'
import { readLedger } from '../../registry/ledger.ts'
import type { Registry } from '../../registry/registry.ts'
import {
  BuildingSchema, DateTimeInput, errors, IdParams, Int, LedgerEntrySchema, LimitInput, LocationSchema, Nullable, REGISTRATION_STATUSES,
  RegistrationSchema, RoomSchema, SeqInput, Text,
} from '../schemas.ts'

export const buildingRoutes: FastifyPluginAsyncTypebox<{ registry: Registry }> = async (app, { registry }) => {
  app.post('/buildings', {
    schema: {
      tags: ['buildings'],
      summary: 'Register a building in a grid. Landlords register their own; grid workers in their jurisdiction; admins any.',
      body: Type.Object({
        id: Type.Optional(Type.String({ pattern: ID_PATTERN, description: 'Becomes part of device topics. Administrators may choose it; for everyone else the platform does (leave it out and read it from the answer).' })),
        gridId: Type.String({ pattern: ID_PATTERN }),
        name: Text(100, { minLength: 1 }),
        address: Text(200, { minLength: 1 }),
        landlordId: Type.Optional(Type.String({ pattern: ID_PATTERN })),
        grade: Type.Optional(Type.Enum(GRADES)),
        location: Type.Optional(LocationSchema),
      }, { additionalProperties: false }),
      response: { 201: BuildingSchema, ...errors(400, 401, 403, 404, 409) },
    },
  }, async (req, reply) => reply.status(201).send(await registry.buildings.create(req.actor, req.body)))

  app.get('/buildings', {
    schema: { tags: ['buildings'], summary: 'Buildings in your scope', response: { 200: Type.Array(BuildingSchema), ...errors(401) } },
  }, async (req) => registry.buildings.list(req.actor))

  app.get('/buildings/:id', {
    schema: { tags: ['buildings'], summary: 'One building', params: IdParams, response: { 200: BuildingSchema, ...errors(401, 404) } },
  }, async (req) => registry.buildings.get(req.actor, req.params.id))

  app.patch('/buildings/:id', {
    schema: {
      tags: ['buildings'], summary: 'Edit name/address/agreement/location (landlord, admin) or grade (police, admin)',
      params: IdParams,
      body: Type.Object({
        name: Type.Optional(Text(100, { minLength: 1 })),
        address: Type.Optional(Text(200, { minLength: 1 })),
        grade: Type.Optional(Type.Enum(GRADES, { description: 'trusted (放心), normal (一般), focus (重点), strict (严控).' })),
        responsibilitySignedAt: Type.Optional(Nullable(DateTimeInput())),
        location: Type.Optional(Type.Union([LocationSchema, Type.Null()], { description: 'null removes it.' })),
      }, { additionalProperties: false }),
      response: { 200: BuildingSchema, ...errors(400, 401, 403, 404) },
    },
  }, async (req) => registry.buildings.update(req.actor, req.params.id, req.body))

  app.post('/buildings/:id/vendors', {
    schema: {
      tags: ['buildings'], summary: 'Allow a vendor account to provision devices in the building (landlord, admin)',
      params: IdParams,
      body: Type.Object({ vendorId: Type.String({ pattern: ID_PATTERN }) }, { additionalProperties: false }),
      response: { 204: Type.Null(), ...errors(400, 401, 403, 404) },
    },
  }, async (req, reply) => {
    await registry.buildings.grantVendor(req.actor, req.params.id, req.body.vendorId)
    return reply.status(204).send(null)
  })

  app.post('/buildings/:id/rooms', {
    schema: {
      tags: ['rooms'], summary: 'Add a room with its capacity (landlord, admin)',
      params: IdParams,
      body: Type.Object({
        id: Type.Optional(Type.String({ pattern: ID_PATTERN, description: 'Administrators only; the platform chooses it for everyone else.' })),
        number: Text(20, { minLength: 1 }),
        capacity: Int(1, 100, 'How many people may live in the room.'),
      }, { additionalProperties: false }),
      response: { 201: RoomSchema, ...errors(400, 401, 403, 404, 409) },
    },
  }, async (req, reply) => reply.status(201).send(await registry.buildings.createRoom(req.actor, req.params.id, req.body)))

  app.get('/buildings/:id/rooms', {
    schema: { tags: ['rooms'], summary: 'Rooms of a building with their registered count', params: IdParams, response: { 200: Type.Array(RoomSchema), ...errors(401, 404) } },
  }, async (req) => registry.buildings.listRooms(req.actor, req.params.id))

  app.get('/buildings/:id/registrations', {
    schema: {
      tags: ['registrations'], summary: 'Registrations in a building (ID numbers masked)',
      params: IdParams,
      querystring: Type.Object({
        status: Type.Optional(Type.Enum(REGISTRATION_STATUSES)),
        limit: Type.Optional(LimitInput(1000)),
      }, { additionalProperties: false }),
      response: { 200: Type.Array(RegistrationSchema), ...errors(401, 403, 404) },
    },
  }, async (req) => registry.registrations.list(req.actor, { buildingId: req.params.id, ...req.query }))

  app.get('/buildings/:id/ledger', {
    schema: {
      tags: ['registrations'], summary: 'The building\'s registry ledger: every arrival, departure, credential and device change, in order',
      params: IdParams,
      querystring: Type.Object({
        afterSeq: Type.Optional(SeqInput(0)),
        limit: Type.Optional(LimitInput(1000)),
      }, { additionalProperties: false }),
      response: { 200: Type.Array(LedgerEntrySchema), ...errors(401, 403, 404) },
    },
  }, async (req) => {
    await loadBuilding(registry.ctx.db, req.actor, req.params.id, 'residents.read')
    const entries = await readLedger(registry.ctx.db, req.params.id, req.query.afterSeq, req.query.limit)
    // Who lived where, and when: audited once per request.
    await writeAudit(registry.ctx.db, req.actor, 'ledger.read', { type: 'building', id: req.params.id }, { afterSeq: req.query.afterSeq ?? 0, returned: entries.length })
    return entries
  })
}
