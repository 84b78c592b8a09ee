// Request and response schemas of the registry routes (accounts, areas,
// buildings, rooms, registrations, credentials, visitor passes), keyed by
// `METHOD /path`. platform/api/routes/*.ts spread them into their Fastify
// schemas; contract/client.ts is typed by the same objects.

import Type, { type Static } from 'typebox'
import { TimeWindowSchema } from '../../protocol/schemas/time-window.ts'
import { ID_PATTERN } from '../../protocol/topics.ts'
import { AREA_KINDS, GRADES, REGISTRATION_STATUSES, ROLES } from '../vocabulary.ts'
import { DateInput, DateTimeInput, errors, IdParam, IdParams, Int, LimitInput, Nullable, SeqInput, Text } from '../schemas/fields.ts'
import {
  AreaSchema, BuildingSchema, CredentialInputSchema, CredentialSchema, LedgerEntrySchema, LocationSchema, MoveSchema, PERMIT_TYPES, RegistrationSchema,
  ResidentInputSchema, RoomSchema, TimeZoneInput, UserSchema,
} from '../schemas/registry.ts'

const PermitTypeInput = Type.Enum(PERMIT_TYPES, {
  description: 'temporary: 临时居住证, at most 6 months; residence: 居住证, at most 3 years. Needs permitValidUntil.',
})

/** Longest validity of one visitor pass, in days; a longer stay is a registration. */
export const MAX_VISITOR_PASS_DAYS = 30

export const LoginReplySchema = Type.Object({
  token: Type.String(), expiresAt: Type.String({ format: 'date-time' }), user: UserSchema,
  csrfToken: Type.Optional(Type.String({ description: 'With cookie: true only. Send it as X-RH-CSRF on every call that changes something.' })),
})

/** The browser session the consoles hold: who is logged in, and the token a changing call must repeat. */
export const SessionSchema = Type.Object({
  user: UserSchema,
  csrfToken: Nullable(Type.String({ description: 'For a cookie session: the X-RH-CSRF value; null for a bearer token.' })),
})

export const RegisterReplySchema = Type.Object({
  registration: RegistrationSchema,
  credentials: Type.Array(CredentialSchema),
  overCapacity: Type.Boolean(),
  closedRegistrationId: Type.Union([Type.String(), Type.Null()]),
  move: Nullable(MoveSchema),
})

export const VisitorPassInputSchema = Type.Object({
  ...CredentialInputSchema.properties,
  kind: Type.Optional(CredentialInputSchema.properties.kind),
  visitorName: Type.Optional(Text(64, {
    minLength: 1, description: 'Who the pass is for (a name, never an ID number). Required unless the pass renews another (then it defaults to that one\'s).',
  })),
  validUntil: DateTimeInput(`End of the allowed stay; at most ${MAX_VISITOR_PASS_DAYS} days after validFrom (default now).`),
  renews: Type.Optional(Type.String({
    pattern: ID_PATTERN,
    description: 'Id of an earlier pass of this room for the same visitor. The new pass keeps that visitor\'s identity (visitorId) and replaces ' +
      'the visitor\'s active passes: revoked if the new one is valid now, else ending where it begins.',
  })),
}, { additionalProperties: false })

export const BuildingRemovedSchema = Type.Object({
  buildingId: Type.String(),
  registrationsEnded: Type.Integer({ description: 'stays ended by force: deregistered (active) or withdrawn (pending)' }),
  devicesRemoved: Type.Array(Type.String(), { description: 'the devices deleted with the building (disconnected, logins refused)' }),
  credentialsRevoked: Type.Integer({ description: 'credentials still active (visitor passes) revoked with the building' }),
})

/** Enrolling the card just presented at a door (GET /buildings/{id}/unknown-credentials). */
export const FromPresentationInputSchema = Type.Object({
  fromPresentation: Type.String({ pattern: '^p-[A-Za-z0-9_-]{22}$', description: 'A ref from GET /buildings/{id}/unknown-credentials of the registration\'s building.' }),
  validFrom: Type.Optional(DateTimeInput()),
  validUntil: Type.Optional(DateTimeInput()),
  windows: Type.Optional(Type.Array(TimeWindowSchema, { maxItems: 16 })),
}, { additionalProperties: false, description: 'Enrol the card just presented at a door of the building; its kind is the presented one.' })

export const registryRoutes = {
  // ---------------------------------------------------------------- auth and accounts
  'POST /auth/login': {
    body: Type.Object({
      username: Text(100, { minLength: 1 }), password: Text(200, { minLength: 1 }),
      cookie: Type.Optional(Type.Boolean({
        description: 'Also set the session as an HttpOnly, SameSite=Strict cookie (the consoles); the reply then carries csrfToken.',
      })),
    }, { additionalProperties: false }),
    response: { 200: LoginReplySchema, ...errors(400, 401, 403, 429) },
  },
  'GET /auth/session': { response: { 200: SessionSchema, ...errors(401) } },
  'POST /auth/logout': { response: { 204: Type.Null(), ...errors(401) } },
  'GET /auth/me': { response: { 200: UserSchema, ...errors(401) } },
  'POST /users': {
    body: Type.Object({
      username: Type.String({ pattern: '^[a-z0-9._-]{3,40}$' }),
      displayName: Text(100, { minLength: 1 }),
      role: Type.Enum(ROLES),
      password: Text(200, { minLength: 10 }),
      areaId: Type.Optional(IdParam),
      organisation: Type.Optional(Text(100, { minLength: 1 })),
    }, { additionalProperties: false }),
    response: { 201: UserSchema, ...errors(400, 401, 403, 404, 409) },
  },
  'GET /users': {
    querystring: Type.Object({ role: Type.Optional(Type.Enum(ROLES)) }, { additionalProperties: false }),
    response: { 200: Type.Array(UserSchema), ...errors(401, 403) },
  },
  'PATCH /users/:id': {
    params: IdParams,
    body: Type.Object({
      disabled: Type.Optional(Type.Boolean()),
      displayName: Type.Optional(Text(100, { minLength: 1 })),
      areaId: Type.Optional(Type.String({ pattern: ID_PATTERN, description: 'A police or grid worker account\'s new jurisdiction; its sessions end, so the next sign-in has the new scope.' })),
    }, { additionalProperties: false, minProperties: 1, description: 'The role is kept: to change it, disable the account and create another.' }),
    response: { 200: UserSchema, ...errors(400, 401, 403, 404) },
  },
  // ---------------------------------------------------------------- areas and buildings
  'POST /areas': {
    body: Type.Object({
      id: Type.Optional(Type.String({ pattern: ID_PATTERN })),
      parentId: Type.Optional(Type.String({ pattern: ID_PATTERN })),
      kind: Type.Enum(AREA_KINDS),
      name: Text(100, { minLength: 1 }),
    }, { additionalProperties: false }),
    response: { 201: AreaSchema, ...errors(400, 401, 403, 404, 409) },
  },
  'GET /areas': { response: { 200: Type.Array(AreaSchema), ...errors(401) } },
  'POST /buildings': {
    body: Type.Object({
      id: Type.Optional(Type.String({ pattern: ID_PATTERN, description: 'Becomes part of device topics. Administrators may choose it; for everyone else the platform does (leave it out and read it from the answer).' })),
      gridId: Type.String({ pattern: ID_PATTERN }),
      name: Text(100, { minLength: 1 }),
      address: Text(200, { minLength: 1 }),
      landlordId: Type.Optional(Type.String({ pattern: ID_PATTERN })),
      grade: Type.Optional(Type.Enum(GRADES)),
      location: Type.Optional(LocationSchema),
      timeZone: Type.Optional(TimeZoneInput),
    }, { additionalProperties: false }),
    response: { 201: BuildingSchema, ...errors(400, 401, 403, 404, 409) },
  },
  'GET /buildings': {
    querystring: Type.Object({
      grade: Type.Optional(Type.Enum(GRADES, { description: 'Only the buildings of this grade: houses filed by grade.' })),
    }, { additionalProperties: false }),
    response: { 200: Type.Array(BuildingSchema), ...errors(400, 401) },
  },
  'GET /buildings/:id': { params: IdParams, response: { 200: BuildingSchema, ...errors(401, 404) } },
  'PATCH /buildings/:id': {
    params: IdParams,
    body: Type.Object({
      name: Type.Optional(Text(100, { minLength: 1 })),
      address: Type.Optional(Text(200, { minLength: 1 })),
      grade: Type.Optional(Type.Enum(GRADES, { description: 'trusted (放心), normal (一般), focus (重点), strict (严控).' })),
      responsibilitySignedAt: Type.Optional(Nullable(DateTimeInput())),
      location: Type.Optional(Type.Union([LocationSchema, Type.Null()], { description: 'null removes it.' })),
      timeZone: Type.Optional(TimeZoneInput),
    }, { additionalProperties: false }),
    response: { 200: BuildingSchema, ...errors(400, 401, 403, 404) },
  },
  'DELETE /buildings/:id': {
    params: IdParams,
    querystring: Type.Object({
      force: Type.Optional(Type.Boolean({
        description: 'Administrators: end the stays still running first (active registrations deregistered with reason building_removed, ' +
          'pending ones withdrawn). Without it a building with any answers 409 RH_BUILDING_OCCUPIED.',
      })),
    }, { additionalProperties: false }),
    response: { 200: BuildingRemovedSchema, ...errors(400, 401, 403, 404, 409) },
  },
  'POST /buildings/:id/vendors': {
    params: IdParams,
    body: Type.Object({ vendorId: Type.String({ pattern: ID_PATTERN }) }, { additionalProperties: false }),
    response: { 204: Type.Null(), ...errors(400, 401, 403, 404) },
  },
  'POST /buildings/:id/rooms': {
    params: IdParams,
    body: Type.Object({
      id: Type.Optional(Type.String({ pattern: ID_PATTERN, description: 'Administrators only; the platform chooses it for everyone else.' })),
      number: Text(20, { minLength: 1 }),
      capacity: Int(1, 100, 'How many people may live in the room.'),
    }, { additionalProperties: false }),
    response: { 201: RoomSchema, ...errors(400, 401, 403, 404, 409) },
  },
  'GET /buildings/:id/rooms': { params: IdParams, response: { 200: Type.Array(RoomSchema), ...errors(401, 404) } },
  'GET /buildings/:id/registrations': {
    params: IdParams,
    querystring: Type.Object({
      status: Type.Optional(Type.Enum(REGISTRATION_STATUSES)),
      limit: Type.Optional(LimitInput(1000)),
    }, { additionalProperties: false }),
    response: { 200: Type.Array(RegistrationSchema), ...errors(401, 403, 404) },
  },
  'GET /buildings/:id/ledger': {
    params: IdParams,
    querystring: Type.Object({
      afterSeq: Type.Optional(SeqInput(0)),
      limit: Type.Optional(LimitInput(1000)),
    }, { additionalProperties: false }),
    response: { 200: Type.Array(LedgerEntrySchema), ...errors(401, 403, 404) },
  },
  // ---------------------------------------------------------------- rooms, registrations, credentials
  'GET /rooms/:id': { params: IdParams, response: { 200: RoomSchema, ...errors(401, 404) } },
  'PATCH /rooms/:id': {
    params: IdParams,
    body: Type.Object({ capacity: Int(1, 100) }, { additionalProperties: false }),
    response: { 200: RoomSchema, ...errors(400, 401, 403, 404) },
  },
  'POST /rooms/:id/registrations': {
    params: IdParams,
    body: Type.Object({
      resident: ResidentInputSchema,
      arrivedAt: Type.Optional(DateTimeInput('Default: now.')),
      permitValidUntil: Type.Optional(DateInput('The residence permit\'s last day, in the building\'s time zone.')),
      permitType: Type.Optional(PermitTypeInput),
      leaseUntil: Type.Optional(DateInput()),
      minors: Type.Optional(Int(0, 20, 'Accompanying children under 16.')),
      credentials: Type.Optional(Type.Array(CredentialInputSchema, { maxItems: 5 })),
    }, { additionalProperties: false }),
    response: { 201: RegisterReplySchema, ...errors(400, 401, 403, 404, 409) },
  },
  'GET /rooms/:id/registrations': {
    params: IdParams,
    querystring: Type.Object({ status: Type.Optional(Type.Enum(REGISTRATION_STATUSES)) }, { additionalProperties: false }),
    response: { 200: Type.Array(RegistrationSchema), ...errors(401, 403, 404) },
  },
  'GET /registrations/:id': { params: IdParams, response: { 200: RegistrationSchema, ...errors(401, 404) } },
  'POST /registrations/:id/deregister': {
    params: IdParams,
    body: Type.Object({
      reason: Text(200, { minLength: 1, description: 'e.g. moved_out, lease_ended, permit_expired.' }),
      departedAt: Type.Optional(DateTimeInput('Default: now.')),
    }, { additionalProperties: false }),
    response: { 200: RegistrationSchema, ...errors(400, 401, 403, 404, 409) },
  },
  'POST /registrations/:id/renew': {
    params: IdParams,
    body: Type.Object({
      permitValidUntil: DateInput('The renewed permit\'s last day: today or later, within the type\'s length.'),
      permitType: Type.Optional(PermitTypeInput),
      leaseUntil: Type.Optional(DateInput()),
    }, { additionalProperties: false }),
    response: { 200: RegistrationSchema, ...errors(400, 401, 403, 404, 409) },
  },
  'GET /registrations/:id/credentials': { params: IdParams, response: { 200: Type.Array(CredentialSchema), ...errors(401, 404) } },
  'POST /registrations/:id/credentials': {
    params: IdParams,
    body: Type.Union([CredentialInputSchema, FromPresentationInputSchema], {
      description: 'A credential by value, or {fromPresentation} to enrol the card just presented at a door of the building (its value stays hidden: the answer masks it).',
    }),
    response: { 201: CredentialSchema, ...errors(400, 401, 403, 404, 409) },
  },
  'POST /credentials/:id/revoke': {
    params: IdParams,
    body: Type.Object({ reason: Text(200, { minLength: 1 }) }, { additionalProperties: false }),
    response: { 200: CredentialSchema, ...errors(400, 401, 403, 404, 409) },
  },
  'POST /rooms/:id/visitor-passes': {
    params: IdParams,
    body: VisitorPassInputSchema,
    response: { 201: CredentialSchema, ...errors(400, 401, 403, 404, 409) },
  },
  'GET /rooms/:id/visitor-passes': {
    params: IdParams,
    querystring: Type.Object({ active: Type.Optional(Type.Boolean({ description: 'Only passes not revoked and not expired.' })) }, { additionalProperties: false }),
    response: { 200: Type.Array(CredentialSchema), ...errors(401, 404) },
  },
} as const

export type FromPresentationInput = Static<typeof FromPresentationInputSchema>
export type LoginReply = Static<typeof LoginReplySchema>
export type Session = Static<typeof SessionSchema>
export type RegisterReply = Static<typeof RegisterReplySchema>
export type VisitorPassInput = Static<typeof VisitorPassInputSchema>
