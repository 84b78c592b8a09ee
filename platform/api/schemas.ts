// Request and response schemas shared by the routes (TypeBox, so the OpenAPI
// document and the TypeScript types come from the same source).

import Type from 'typebox'
import { ID_PATTERN, TimeWindowSchema } from '../../protocol/index.ts'
import { ROLES } from '../registry/access.ts'
import { AREA_KINDS } from '../registry/areas.ts'
import { GRADES } from '../registry/buildings.ts'
import { DEVICE_KINDS } from '../registry/devices.ts'
import { ID_TYPES } from '../privacy/national-id.ts'

export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()])
const Str = (description?: string) => Type.String(description === undefined ? {} : { description })
export const DateTimeStr = (description?: string) => Type.String({ format: 'date-time', ...(description === undefined ? {} : { description }) })
const DateStr = (description?: string) => Type.String({ format: 'date', ...(description === undefined ? {} : { description }) })

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

export const BuildingSchema = Type.Object({
  id: Str(), gridId: Str(), name: Str(), address: Str(), landlordId: Nullable(Str()), grade: Type.Enum(GRADES),
  responsibilitySignedAt: Nullable(DateTimeStr('When the landlord signed the security responsibility agreement.')),
  allowlistVersion: Type.Integer(), createdAt: DateTimeStr(),
})

export const RoomSchema = Type.Object({
  id: Str(), buildingId: Str(), number: Str(), capacity: Type.Integer(),
  registered: Type.Integer({ description: 'Active registrations in the room.' }), createdAt: DateTimeStr(),
})

export const ResidentSummarySchema = Type.Object({
  id: Str(), name: Str(), idType: Str(),
  idNumberMasked: Str('The ID number, masked. The unmasked number is only available through the audited reveal route.'),
  sex: Nullable(Type.Enum(['male', 'female'])), birthDate: Nullable(DateStr()),
})

export const RegistrationSchema = Type.Object({
  id: Str(), buildingId: Str(), roomId: Str(), roomNumber: Str(), status: Type.Enum(['active', 'departed']),
  arrivedAt: DateTimeStr(), permitValidUntil: Nullable(DateStr()), leaseUntil: Nullable(DateStr()), minors: Type.Integer(),
  departedAt: Nullable(DateTimeStr()), departureReason: Nullable(Str()), resident: ResidentSummarySchema,
})

export const CredentialKindSchema = Type.Enum(['card', 'ic_card', 'qr', 'face', 'pin'], {
  description: 'card: proximity card; ic_card: IC residence-permit card; qr: QR code; face: face enrolment reference; pin: PIN.',
})

export const CredentialSchema = Type.Object({
  id: Str(), buildingId: Str(), roomId: Str(), registrationId: Nullable(Str()), kind: CredentialKindSchema,
  value: Str('Card number, QR token or face enrolment reference; PINs are never shown.'),
  validFrom: Nullable(DateTimeStr()), validUntil: Nullable(DateTimeStr()), windows: Nullable(Type.Array(TimeWindowSchema)),
  visitor: Type.Boolean(), status: Type.Enum(['active', 'revoked']), issuedAt: DateTimeStr(), revokedAt: Nullable(DateTimeStr()),
  revokeReason: Nullable(Str()),
})

export const CredentialInputSchema = Type.Object({
  kind: CredentialKindSchema,
  value: Type.Optional(Type.String({
    minLength: 1, maxLength: 128,
    description: 'Card number (hex or decimal digits), face enrolment reference, or PIN digits (4..8; stored hashed). Omit for qr to have a token generated.',
  })),
  validFrom: Type.Optional(DateTimeStr()),
  validUntil: Type.Optional(DateTimeStr()),
  windows: Type.Optional(Type.Array(TimeWindowSchema, { maxItems: 16 })),
}, { additionalProperties: false })

export const ResidentInputSchema = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  idType: Type.Enum(ID_TYPES, { description: 'Kind of identity document.' }),
  idNumber: Type.String({ minLength: 5, maxLength: 32, description: 'Checked (GB 11643 checksum for resident ID cards), stored encrypted plus a keyed hash, shown masked.' }),
  phone: Type.Optional(Type.String({ pattern: '^\\+?[0-9 -]{5,20}$' })),
  householdAddress: Type.Optional(Type.String({ maxLength: 200, description: 'Household registration (hukou) address.' })),
  employer: Type.Optional(Type.String({ maxLength: 200 })),
}, { additionalProperties: false })

export const DeviceSchema = Type.Object({
  id: Str(), buildingId: Str(), door: Str(), kind: Type.Enum(DEVICE_KINDS), vendor: Str(), model: Str(), enabled: Type.Boolean(),
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
