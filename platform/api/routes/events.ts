import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import type { EventHistory } from '../../events/event-history.ts'
import { DateTimeInput, errors, IdParam, IdParams, LimitInput, SeqInput } from '../schemas.ts'

const Range = Type.Object({
  from: DateTimeInput('Start (device time), inclusive.'),
  to: DateTimeInput('End, exclusive. At most 366 days after from.'),
  afterLogSeq: Type.Optional(SeqInput(0, 'Continue after this logSeq (pagination).')),
  limit: Type.Optional(LimitInput(5000)),
}, { additionalProperties: false })

const LoggedEventSchema = Type.Object({
  logSeq: Type.Integer(), deviceId: Type.String(), eventId: Type.String(), channel: Type.String(),
  door: Type.Union([Type.String(), Type.Null()]), credentialId: Type.Union([Type.String(), Type.Null()]),
  at: Type.String({ format: 'date-time' }), receivedAt: Type.String({ format: 'date-time' }),
  payload: Type.Record(Type.String(), Type.Unknown()),
})
const Events = Type.Array(LoggedEventSchema)
const AUDITED = 'Movement records are personal data: the read is written to the audit log.'

export const eventRoutes: FastifyPluginAsyncTypebox<{ history: EventHistory }> = async (app, { history }) => {
  app.get('/buildings/:id/doors/:door/events', {
    schema: {
      tags: ['events'], summary: 'Events at one door over a time range', description: AUDITED,
      params: Type.Object({ id: IdParam, door: IdParam }), querystring: Range,
      response: { 200: Events, ...errors(400, 401, 403, 404) },
    },
  }, async (req) => history.door(req.actor, req.params.id, req.params.door, req.query))

  app.get('/rooms/:id/events', {
    schema: {
      tags: ['events'], summary: 'Access events by the credentials of one room over a time range', description: AUDITED,
      params: IdParams, querystring: Range, response: { 200: Events, ...errors(400, 401, 403, 404) },
    },
  }, async (req) => history.room(req.actor, req.params.id, req.query))

  app.get('/credentials/:id/events', {
    schema: {
      tags: ['events'], summary: 'Access events of one credential over a time range', description: AUDITED,
      params: IdParams, querystring: Range, response: { 200: Events, ...errors(400, 401, 403, 404) },
    },
  }, async (req) => history.credential(req.actor, req.params.id, req.query))
}
