// Request and response schemas of the routes over people's records: moves,
// residents, the event history and the audit log, keyed by `METHOD /path`
// (see registry-routes.ts).

import Type, { type Static } from 'typebox'
import { errors, DateTimeInput, IdParam, IdParams, LimitInput, SeqInput, Text } from '../schemas/fields.ts'
import { AuditEntrySchema, MoveSchema, RegistrationSchema, ResidentSummarySchema } from '../schemas/registry.ts'

const Reason = (description: string) => Text(500, { minLength: 4, description })

export const ResidentSchema = Type.Object({
  ...ResidentSummarySchema.properties,
  phone: Type.Union([Type.String(), Type.Null()]),
  householdAddress: Type.Union([Type.String(), Type.Null()]),
  employer: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  registrations: Type.Array(RegistrationSchema),
})

export const EventRangeSchema = Type.Object({
  from: DateTimeInput('Start (device time), inclusive.'),
  to: DateTimeInput('End, exclusive. At most 366 days after from.'),
  afterLogSeq: Type.Optional(SeqInput(0, 'Continue after this logSeq (pagination).')),
  limit: Type.Optional(LimitInput(5000)),
}, { additionalProperties: false })

export const LoggedEventSchema = Type.Object({
  logSeq: Type.Integer(), deviceId: Type.String(), eventId: Type.String(), channel: Type.String(),
  door: Type.Union([Type.String(), Type.Null()]), credentialId: Type.Union([Type.String(), Type.Null()]),
  at: Type.String({ format: 'date-time' }), receivedAt: Type.String({ format: 'date-time' }),
  payload: Type.Record(Type.String(), Type.Unknown()),
})
const Events = Type.Array(LoggedEventSchema)

export const recordRoutes = {
  'GET /moves': {
    querystring: Type.Object({
      status: Type.Optional(Type.Enum(['open', 'closed'])),
      awaiting: Type.Optional(Type.Boolean()),
      registrationId: Type.Optional(IdParam),
      limit: Type.Optional(LimitInput(1000)),
    }, { additionalProperties: false }),
    response: { 200: Type.Array(MoveSchema), ...errors(401) },
  },
  'GET /moves/:id': { params: IdParams, response: { 200: MoveSchema, ...errors(401, 404) } },
  'POST /moves/:id/confirm': {
    params: IdParams,
    body: Type.Object({ departedAt: Type.Optional(DateTimeInput('When they left; default now.')) }, { additionalProperties: false }),
    response: { 200: MoveSchema, ...errors(400, 401, 403, 404, 409) },
  },
  'POST /moves/:id/dispute': {
    params: IdParams,
    body: Type.Object({ reason: Reason('Why: seen at home today, ... The other side never sees it.') }, { additionalProperties: false }),
    response: { 200: MoveSchema, ...errors(400, 401, 403, 404, 409) },
  },
  'POST /moves/:id/decide': {
    params: IdParams,
    body: Type.Object({
      outcome: Type.Enum(['moved', 'stays'], { description: 'moved: the old stay ends, the waiting registration becomes active; stays: it is cancelled.' }),
      reason: Reason('What the decision rests on (visit, call, ...).'),
      departedAt: Type.Optional(DateTimeInput('For moved: when they left; default now.')),
    }, { additionalProperties: false }),
    response: { 200: MoveSchema, ...errors(400, 401, 403, 404, 409) },
  },
  'POST /moves/:id/withdraw': {
    params: IdParams,
    body: Type.Object({ reason: Type.Optional(Text(500, { minLength: 1 })) }, { additionalProperties: false }),
    response: { 200: MoveSchema, ...errors(400, 401, 403, 404, 409) },
  },
  'GET /residents/:id': { params: IdParams, response: { 200: ResidentSchema, ...errors(401, 404) } },
  'POST /residents/:id/id-number': {
    params: IdParams,
    body: Type.Object({ reason: Text(200, { minLength: 4, description: 'Why you need it (case number, ...).' }) }, { additionalProperties: false }),
    response: { 200: Type.Object({ idType: Type.String(), idNumber: Type.String() }), ...errors(400, 401, 403, 404) },
  },
  'GET /buildings/:id/doors/:door/events': {
    params: Type.Object({ id: IdParam, door: IdParam }), querystring: EventRangeSchema,
    response: { 200: Events, ...errors(400, 401, 403, 404) },
  },
  'GET /rooms/:id/events': { params: IdParams, querystring: EventRangeSchema, response: { 200: Events, ...errors(400, 401, 403, 404) } },
  'GET /credentials/:id/events': { params: IdParams, querystring: EventRangeSchema, response: { 200: Events, ...errors(400, 401, 403, 404) } },
  'GET /audit': {
    querystring: Type.Object({
      action: Type.Optional(Text(100, { description: 'Exactly this action, e.g. resident.read.' })),
      actionPrefix: Type.Optional(Text(100, { description: 'Actions starting with this, e.g. login. or resident.' })),
      subjectType: Type.Optional(Text(50, { description: 'resident, registration, building, room, device, webhook, user, ...' })),
      subjectId: Type.Optional(Text(200)),
      actorId: Type.Optional(Text(100)),
      ip: Type.Optional(Text(100, { description: 'Client address the request came from.' })),
      since: Type.Optional(DateTimeInput('At or after this time.')),
      until: Type.Optional(DateTimeInput('Before this time.')),
      beforeSeq: Type.Optional(SeqInput(1)),
      limit: Type.Optional(LimitInput(1000)),
    }, { additionalProperties: false }),
    response: { 200: Type.Array(AuditEntrySchema), ...errors(401, 403) },
  },
} as const

export type Resident = Static<typeof ResidentSchema>
export type EventRange = Static<typeof EventRangeSchema>
export type LoggedEvent = Static<typeof LoggedEventSchema>
