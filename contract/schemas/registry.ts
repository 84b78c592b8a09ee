// The registry as the API shows it: areas, accounts, buildings, rooms,
// residents, registrations, moves, credentials, devices, the audit log and
// the ledger. The platform's domain types are derived from these (or checked
// against them in platform/api/contract-checks.ts), so a field a schema forgot fails
// the type check instead of vanishing in the serializer.

import Type, { type Static } from 'typebox'
import { TimeWindowSchema } from '../../protocol/schemas/time-window.ts'
import {
  ALLOWLIST_STATUSES, AREA_KINDS, CREDENTIAL_KINDS, CREDENTIAL_STATUSES, DEVICE_KINDS, GRADES, ID_TYPES, MOVE_ACTIONS, MOVE_STATUSES,
  READER_FACINGS, REGISTRATION_STATUSES, ROLES, SEXES,
} from '../vocabulary.ts'
import { DateStr, DateTimeInput, DateTimeStr, Nullable, Str, Text } from './fields.ts'

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

/** The time zone of a building that was given none. */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai'

/** An IANA time zone name in a request; the platform also checks that it knows it (400 otherwise). */
export const TimeZoneInput = Type.String({
  minLength: 1, maxLength: 64, pattern: '^[A-Za-z][A-Za-z0-9_+/-]*$',
  description: `IANA time zone name, e.g. ${DEFAULT_TIME_ZONE} (the default) or Asia/Urumqi; checked against the runtime's time zone database.`,
})

export const BuildingSchema = Type.Object({
  id: Str(), gridId: Str(), name: Str(), address: Str(), landlordId: Nullable(Str()), grade: Type.Enum(GRADES),
  responsibilitySignedAt: Nullable(DateTimeStr('When the landlord signed the security responsibility agreement.')),
  location: Nullable(LocationSchema),
  allowlistVersion: Type.Integer(), createdAt: DateTimeStr(),
  timeZone: Str(`IANA time zone of the building (default ${DEFAULT_TIME_ZONE}): readers' weekly windows and the consoles' times are read in it.`),
})

export const RoomSchema = Type.Object({
  id: Str(), buildingId: Str(), number: Str(), capacity: Type.Integer(),
  registered: Type.Integer({ description: 'Active registrations in the room.' }), createdAt: DateTimeStr(),
})

export const ResidentSummarySchema = Type.Object({
  id: Str(), name: Str(), idType: Str(),
  idNumberMasked: Str('The ID number, masked so that what is shown of a person leaves at least a million candidates (docs/api.md). ' +
    'The unmasked number is only available through the audited reveal route.'),
  sex: Nullable(Type.Enum(SEXES)),
  birthDecade: Nullable(Type.Integer({ description: 'First year of the decade of birth (1990: born 1990..1999); the date itself is not shown.' })),
})

/** 临时居住证 (temporary: six months) and 居住证 (residence: one to three years). */
export const PERMIT_TYPES = ['temporary', 'residence'] as const
export type PermitType = (typeof PERMIT_TYPES)[number]

export const RegistrationSchema = Type.Object({
  id: Str(), buildingId: Str(), roomId: Str(), roomNumber: Str(),
  status: Type.Enum(REGISTRATION_STATUSES, {
    description: 'pending: waits for the person\'s move from another address to be confirmed (GET /moves); active: a stay; ' +
      'departed: a stay that ended; cancelled: a pending registration that never became a stay.',
  }),
  arrivedAt: DateTimeStr(), permitValidUntil: Nullable(DateStr('The permit\'s last day, in the building\'s time zone.')),
  permitType: Nullable(Type.Enum(PERMIT_TYPES, { description: 'temporary: 临时居住证 (six months); residence: 居住证 (one to three years); null: not recorded.' })),
  permitLapsedAt: Nullable(DateTimeStr('When the permit ended unrenewed and the credentials were taken off the readers; null again after a renewal.')),
  leaseUntil: Nullable(DateStr()), minors: Type.Integer(),
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

export const CredentialKindSchema = Type.Enum(CREDENTIAL_KINDS, {
  description: 'card: proximity card; ic_card: IC residence-permit card; qr: QR code; face: face enrolment reference; pin: PIN.',
})

export const CredentialSchema = Type.Object({
  id: Str(), buildingId: Str(), roomId: Str(), registrationId: Nullable(Str()), kind: CredentialKindSchema,
  value: Str('Cards and face enrolment references masked to their last 4 characters (`…3F9A`); a QR token in full to the building\'s landlord ' +
    '(who hands it to its holder) and masked to everyone else; a PIN is never shown.'),
  validFrom: Nullable(DateTimeStr()), validUntil: Nullable(DateTimeStr()), windows: Nullable(Type.Array(TimeWindowSchema)),
  visitor: Type.Boolean(),
  visitorId: Nullable(Str('Visitor passes: the visitor\'s identity, the id of their first pass; renewals keep it. Presence follows it.')),
  renews: Nullable(Str('The visitor pass this one renewed.')),
  status: Type.Enum(CREDENTIAL_STATUSES, { description: 'pending: issued to a pending registration; on no reader until it is active.' }),
  issuedAt: DateTimeStr(), revokedAt: Nullable(DateTimeStr()),
  revokeReason: Nullable(Str()),
  visitorName: Nullable(Str('Visitor passes: who the pass is for, to the building\'s landlord only; null for everyone else and for other credentials.')),
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
  id: Str(), buildingId: Str(), door: Str(), kind: Type.Enum(DEVICE_KINDS),
  faces: Nullable(Type.Enum(READER_FACINGS, { description: 'Which side of its door a reader reads: `in` (people coming in; they leave by an exit button), `out`, `both`. Null for a camera. A building with no reader switched on that reads `out` or `both` scores `no_exit_reader` (docs/policy.md).' })),
  vendor: Str(), model: Str(), enabled: Type.Boolean(),
  approved: Type.Boolean({ description: 'A device a vendor provisioned waits for the landlord\'s or an administrator\'s approval (POST /devices/{id}/approve) before it receives an allow-list or door commands, and its events raise no alerts. A vendor\'s rotation that issues a new allow-list key withdraws the approval; a device approved before stays judged meanwhile.' }),
  approvedBy: Nullable(Str('Who gave the latest approval (kept while it is withdrawn).')), approvedAt: Nullable(DateTimeStr()),
  approvalWithdrawnBy: Nullable(Str('The vendor account whose rotation withdrew the approval; null once approved again.')),
  approvalWithdrawnAt: Nullable(DateTimeStr()),
  allowlist: Type.Enum(ALLOWLIST_STATUSES, {
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

export type Area = Static<typeof AreaSchema>
export type User = Static<typeof UserSchema>
export type Location = Static<typeof LocationSchema>
export type Building = Static<typeof BuildingSchema>
export type Room = Static<typeof RoomSchema>
export type ResidentSummary = Static<typeof ResidentSummarySchema>
export type Registration = Static<typeof RegistrationSchema>
export type Move = Static<typeof MoveSchema>
export type Credential = Static<typeof CredentialSchema>
export type CredentialInput = Static<typeof CredentialInputSchema>
export type ResidentInput = Static<typeof ResidentInputSchema>
export type Device = Static<typeof DeviceSchema>
export type DeviceStats = Static<typeof DeviceStatsSchema>
export type MqttConnection = Static<typeof MqttConnectionSchema>
export type AuditEntry = Static<typeof AuditEntrySchema>
export type LedgerEntry = Static<typeof LedgerEntrySchema>
