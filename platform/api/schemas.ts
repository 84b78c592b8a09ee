// Request and response schemas shared by the routes (TypeBox, so the OpenAPI
// document and the TypeScript types come from the same source).

import Type from 'typebox'
import { ID_PATTERN, TimeWindowSchema } from '../../protocol/index.ts'
import { ROLES } from '../registry/access.ts'
import { AREA_KINDS } from '../registry/areas.ts'
import { GRADES } from '../registry/buildings.ts'
import { DEVICE_KINDS } from '../registry/devices.ts'
import { MOVE_ACTIONS, MOVE_STATUSES } from '../registry/move-view.ts'
import { ID_TYPES } from '../privacy/national-id.ts'

export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()])
const described = (description?: string) => (description === undefined ? {} : { description })
const Str = (description?: string) => Type.String(described(description))
/** A date-time in a response. Request fields use DateTimeInput. */
export const DateTimeStr = (description?: string) => Type.String({ format: 'date-time', ...described(description) })
const DateStr = (description?: string) => Type.String({ format: 'date', ...described(description) })

// ---------------------------------------------------------------- request fields
// Whatever a request schema lets through must be storable: the database
// refuses U+0000 in text, years outside its range and numbers beyond a
// column's type, and such a refusal would surface as a 500. Every string,
// date and number field of a request body or query string is built from the
// helpers below (platform/api/unstorable-input.test.ts walks the OpenAPI
// document to hold every route to it).

/**
 * Text PostgreSQL can hold: no U+0000 and no unpaired UTF-16 surrogate (it has
 * no UTF-8 form; drivers would store U+FFFD instead). Pairs are spelled out so
 * the pattern means the same with or without the regex `u` flag.
 */
export const TEXT_PATTERN = '^(?:[^\\u0000\\uD800-\\uDFFF]|[\\uD800-\\uDBFF][\\uDC00-\\uDFFF])*$'

/** A text field: storable characters only, at most `maxLength` of them. */
export const Text = (maxLength: number, o: { minLength?: number; description?: string } = {}) =>
  Type.String({ ...(o.minLength === undefined ? {} : { minLength: o.minLength }), maxLength, pattern: TEXT_PATTERN, ...described(o.description) })

/** Years a request may name: 1900..2199, far inside what the database and JavaScript dates hold. */
export const YEAR_RANGE = { min: 1900, max: 2199 } as const
const YEAR = '(?:19|2[01])[0-9]{2}'
const MONTH_DAY = '-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])'
export const DATE_PATTERN = `^${YEAR}${MONTH_DAY}$`
// Seconds 00..59: a leap second (":60") is valid RFC 3339 but not a JavaScript date.
export const DATE_TIME_PATTERN = `^${YEAR}${MONTH_DAY}[Tt](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]{1,9})?(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])$`
const YEARS = `years ${YEAR_RANGE.min}..${YEAR_RANGE.max}`

/** An RFC 3339 date-time with an offset; the format check also refuses days a month does not have (2025-02-30). */
export const DateTimeInput = (description?: string) =>
  Type.String({ format: 'date-time', pattern: DATE_TIME_PATTERN, description: description === undefined ? `RFC 3339, ${YEARS}.` : `${description} RFC 3339, ${YEARS}.` })

/** A calendar date YYYY-MM-DD that exists. */
export const DateInput = (description?: string) =>
  Type.String({ format: 'date', pattern: DATE_PATTERN, description: description === undefined ? `YYYY-MM-DD, ${YEARS}.` : `${description} YYYY-MM-DD, ${YEARS}.` })

/** A whole number in [minimum, maximum]; every integer field of a request names both bounds. */
export const Int = (minimum: number, maximum: number, description?: string) => Type.Integer({ minimum, maximum, ...described(description) })

/** Sequence numbers and cursors (bigint columns), kept to integers JavaScript holds exactly. */
export const SeqInput = (minimum: number, description?: string) => Int(minimum, Number.MAX_SAFE_INTEGER, description)

/** Page size of list routes. */
export const LimitInput = (maximum: number, description?: string) => Int(1, maximum, description)

export const IdParam = Type.String({ pattern: ID_PATTERN, description: 'Id: 1..64 letters, digits, _ or -.' })
export const IdParams = Type.Object({ id: IdParam })

export const ErrorSchema = Type.Object({
  statusCode: Type.Integer(),
  code: Str('Stable error code, e.g. RH_NOT_FOUND, RH_VALIDATION.'),
  error: Str(),
  message: Str(),
}, { $id: 'Error', title: 'Error' })

export const AreaSchema = Type.Object({
  id: Str(), parentId: Nullable(Str()), kind: Type.Enum(AREA_KINDS), name: Str(), path: Str(), createdAt: DateTimeStr(),
})

export const UserSchema = Type.Object({
  id: Str(), username: Str(), displayName: Str(), role: Type.Enum(ROLES), areaId: Nullable(Str()),
  organisation: Nullable(Str()), disabled: Type.Boolean(), createdAt: DateTimeStr(),
})

export const LocationSchema = Type.Object({
  lat: Type.Number({ minimum: -90, maximum: 90, description: 'Latitude, WGS 84 degrees.' }),
  lon: Type.Number({ minimum: -180, maximum: 180, description: 'Longitude, WGS 84 degrees.' }),
}, { additionalProperties: false, description: 'Where the building is: the impossible_travel rule judges by the distance between buildings.' })

export const BuildingSchema = Type.Object({
  id: Str(), gridId: Str(), name: Str(), address: Str(), landlordId: Nullable(Str()), grade: Type.Enum(GRADES),
  responsibilitySignedAt: Nullable(DateTimeStr('When the landlord signed the security responsibility agreement.')),
  location: Nullable(LocationSchema),
  allowlistVersion: Type.Integer(), createdAt: DateTimeStr(),
})

export const RoomSchema = Type.Object({
  id: Str(), buildingId: Str(), number: Str(), capacity: Type.Integer(),
  registered: Type.Integer({ description: 'Active registrations in the room.' }), createdAt: DateTimeStr(),
})

export const ResidentSummarySchema = Type.Object({
  id: Str(), name: Str(), idType: Str(),
  idNumberMasked: Str('The ID number, masked so that what is shown of a person leaves at least a million candidates (docs/api.md). ' +
    'The unmasked number is only available through the audited reveal route.'),
  sex: Nullable(Type.Enum(['male', 'female'])),
  birthDecade: Nullable(Type.Integer({ description: 'First year of the decade of birth (1990: born 1990..1999); the date itself is not shown.' })),
})

export const REGISTRATION_STATUSES = ['pending', 'active', 'departed', 'cancelled'] as const

export const RegistrationSchema = Type.Object({
  id: Str(), buildingId: Str(), roomId: Str(), roomNumber: Str(),
  status: Type.Enum(REGISTRATION_STATUSES, {
    description: 'pending: waits for the person\'s move from another address to be confirmed (GET /moves); active: a stay; ' +
      'departed: a stay that ended; cancelled: a pending registration that never became a stay.',
  }),
  arrivedAt: DateTimeStr(), permitValidUntil: Nullable(DateStr()), leaseUntil: Nullable(DateStr()), minors: Type.Integer(),
  departedAt: Nullable(DateTimeStr()), departureReason: Nullable(Str()), resident: ResidentSummarySchema,
})

export const MoveSchema = Type.Object({
  id: Str(),
  status: Type.Enum(MOVE_STATUSES, {
    description: 'waiting: for the side the person leaves to confirm or dispute; disputed: for its jurisdiction to decide; ' +
      'confirmed, decided_moved, released: the person moved (released: their old stay ended by deregistration); ' +
      'decided_stays, withdrawn: the waiting registration was cancelled.',
  }),
  message: Str('The state in words; it names nothing of the side you cannot see.'),
  requestedAt: DateTimeStr('When the side the person leaves was asked.'),
  dueAt: DateTimeStr('Until then that side answers; after it the grid worker or police of its jurisdiction may decide (MOVE_CONFIRM_HOURS).'),
  overdue: Type.Boolean({ description: 'Open and past dueAt.' }),
  disputeReason: Nullable(Str('Shown only to readers of the side the person leaves.')),
  closedAt: Nullable(DateTimeStr()),
  from: Nullable(RegistrationSchema),
  to: Nullable(RegistrationSchema),
  actions: Type.Array(Type.Enum(MOVE_ACTIONS), { description: 'What you may do now.' }),
}, { description: 'A move between two stays. from (the stay the person leaves) and to (the registration that waits) are shown only to readers of that side\'s building, else null.' })

export const CredentialKindSchema = Type.Enum(['card', 'ic_card', 'qr', 'face', 'pin'], {
  description: 'card: proximity card; ic_card: IC residence-permit card; qr: QR code; face: face enrolment reference; pin: PIN.',
})

export const CredentialSchema = Type.Object({
  id: Str(), buildingId: Str(), roomId: Str(), registrationId: Nullable(Str()), kind: CredentialKindSchema,
  value: Str('Card number, QR token or face enrolment reference; PINs are never shown.'),
  validFrom: Nullable(DateTimeStr()), validUntil: Nullable(DateTimeStr()), windows: Nullable(Type.Array(TimeWindowSchema)),
  visitor: Type.Boolean(),
  visitorId: Nullable(Str('Visitor passes: the visitor\'s identity, the id of their first pass; renewals keep it. Presence follows it.')),
  renews: Nullable(Str('The visitor pass this one renewed.')),
  status: Type.Enum(['pending', 'active', 'revoked'], { description: 'pending: issued to a pending registration; on no reader until it is active.' }),
  issuedAt: DateTimeStr(), revokedAt: Nullable(DateTimeStr()),
  revokeReason: Nullable(Str()),
})

export const CredentialInputSchema = Type.Object({
  kind: CredentialKindSchema,
  value: Type.Optional(Text(128, {
    minLength: 1,
    description: 'Card number (hex or decimal digits), face enrolment reference, or PIN digits (4..8; stored hashed). Omit for qr to have a token generated.',
  })),
  validFrom: Type.Optional(DateTimeInput()),
  validUntil: Type.Optional(DateTimeInput()),
  windows: Type.Optional(Type.Array(TimeWindowSchema, { maxItems: 16 })),
}, { additionalProperties: false })

export const ResidentInputSchema = Type.Object({
  name: Text(100, { minLength: 1 }),
  idType: Type.Enum(ID_TYPES, { description: 'Kind of identity document.' }),
  idNumber: Text(32, { minLength: 5, description: 'Checked (GB 11643 checksum for resident ID cards), stored encrypted plus a keyed hash, shown masked.' }),
  phone: Type.Optional(Type.String({ pattern: '^\\+?[0-9 -]{5,20}$' })),
  householdAddress: Type.Optional(Text(200, { description: 'Household registration (hukou) address.' })),
  employer: Type.Optional(Text(200)),
}, { additionalProperties: false })

export const DeviceSchema = Type.Object({
  id: Str(), buildingId: Str(), door: Str(), kind: Type.Enum(DEVICE_KINDS), vendor: Str(), model: Str(), enabled: Type.Boolean(),
  approved: Type.Boolean({ description: 'A device a vendor provisioned waits for the landlord\'s or an administrator\'s approval (POST /devices/{id}/approve) before it receives an allow-list or door commands, and its events raise no alerts. A vendor\'s rotation that issues a new allow-list key withdraws the approval; a device approved before stays judged meanwhile.' }),
  approvedBy: Nullable(Str('Who gave the latest approval (kept while it is withdrawn).')), approvedAt: Nullable(DateTimeStr()),
  approvalWithdrawnBy: Nullable(Str('The vendor account whose rotation withdrew the approval; null once approved again.')),
  approvalWithdrawnAt: Nullable(DateTimeStr()),
  allowlist: Type.Enum(['receives', 'awaiting_approval', 'needs_key', 'disabled', 'none'], {
    description: 'What the device gets of the building\'s allow-list: `receives`; `awaiting_approval`; `needs_key` (a reader provisioned before protocol revision 2: rotate its secret to issue its key); `disabled`; `none` (cameras).',
  }),
  provisionedBy: Str(), createdAt: DateTimeStr(), secretRotatedAt: Nullable(DateTimeStr()),
})

export const DeviceStatsSchema = Type.Object({
  connected: Type.Boolean(),
  accepted: Type.Integer({ description: 'Uplink messages accepted.' }),
  rejected: Type.Integer({ description: 'Uplink messages rejected (acknowledged and dropped).' }),
  rejectedByCode: Type.Record(Type.String(), Type.Integer()),
  lastRejected: Nullable(Type.Object({ at: DateTimeStr(), code: Str(), topic: Str(), message: Str() })),
  aclViolations: Type.Integer(),
  authFailures: Type.Integer(),
  lastConnectedAt: Nullable(DateTimeStr()),
  lastDisconnectedAt: Nullable(DateTimeStr()),
})

export const MqttConnectionSchema = Type.Object({
  url: Str('mqtt://host:port'),
  wsUrl: Nullable(Str('ws://host:port/mqtt')),
  tlsUrl: Nullable(Str('mqtts://host:port, when the platform has a TLS listener: use it over any network you do not control')),
  wssUrl: Nullable(Str('wss://host:port/mqtt, when configured')),
  clientId: Str(), username: Str(), password: Str('The device secret. Shown once; store it in the device now.'),
  allowlistKey: Nullable(Str('Readers: the allow-list key, 64 hex digits, that the reader computes credential digests with (protocol/README.md 5.1, 7.2). Shown once, with the secret; store it in the device now. Null for cameras, and after a rotation that kept the reader\'s key (`allowlistKey: "keep"`).')),
  protocolRevision: Type.Integer({ description: 'The revision of device protocol rh/v1 this device is provisioned for (protocol/README.md 14).' }),
  will: Type.Object({ topic: Str(), payload: Str(), qos: Type.Literal(1), retain: Type.Literal(true) }),
  publish: Type.Array(Str()), subscribe: Type.Array(Str()),
})

export const AuditEntrySchema = Type.Object({
  seq: Type.Integer(), at: DateTimeStr(), actorId: Nullable(Str()), actorRole: Nullable(Str()), action: Str(),
  subjectType: Nullable(Str()), subjectId: Nullable(Str()), ip: Nullable(Str()), detail: Type.Record(Type.String(), Type.Unknown()),
})

export const LedgerEntrySchema = Type.Object({
  seq: Type.Integer(), at: DateTimeStr(), actorId: Str(), action: Str(),
  buildingId: Type.Optional(Str()), roomId: Type.Optional(Str()), residentId: Type.Optional(Str()),
  registrationId: Type.Optional(Str()), credentialId: Type.Optional(Str()), deviceId: Type.Optional(Str()),
  detail: Type.Record(Type.String(), Type.Unknown()),
})

/** Standard error responses for a route: 400, 401, 403, 404, 409 as given. */
export function errors (...codes: number[]): Record<number, typeof ErrorSchema> {
  const out: Record<number, typeof ErrorSchema> = {}
  for (const c of codes) out[c] = ErrorSchema
  return out
}
