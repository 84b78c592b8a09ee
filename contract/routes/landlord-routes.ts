// Request and response schemas of the landlord's tools, keyed by `METHOD /path`
// (see registry-routes.ts): occupancy, enrolling a card by swiping it, the
// deregistration inbox, bulk import of tenants and export of the register
// (docs/api.md, "Landlord").

import Type, { type Static } from 'typebox'
import { ID_TYPES, SEXES } from '../vocabulary.ts'
import { DateStr, DateTimeInput, DateTimeStr, errors, IdParams, Nullable, Str } from '../schemas/fields.ts'
import { PERMIT_TYPES } from '../schemas/registry.ts'

// ---------------------------------------------------------------- limits

/** How long after a presentation at a door its card may be enrolled from it. */
export const ENROLMENT_WINDOW_MINUTES = 15
/** Largest import file, in bytes. */
export const IMPORT_MAX_BYTES = 2 * 1024 * 1024
/** Most data rows in one import. */
export const IMPORT_MAX_ROWS = 2000
/** How long a preview may be committed after it was made. */
export const IMPORT_PREVIEW_TTL_MINUTES = 60
/** Days before a permit's end from which the inbox lists it. */
export const PERMIT_EXPIRING_DAYS = 30
export const CSV_TYPE = 'text/csv'
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

// ---------------------------------------------------------------- occupancy

export const RoomOccupancySchema = Type.Object({
  roomId: Str(), number: Str(),
  capacity: Type.Integer({ description: 'How many people may live in the room.' }),
  registered: Type.Integer({ description: 'Active registrations.' }),
  observedInside: Type.Integer({ description: 'People (residents and visitors) the pipeline believes inside now, from their latest passages in and out.' }),
  vacant: Type.Boolean({ description: 'No active registration.' }),
  overCapacity: Type.Object({
    registered: Type.Boolean({ description: 'registered > capacity.' }),
    observed: Type.Boolean({ description: 'observedInside > capacity.' }),
  }),
})

export const OccupancySchema = Type.Object({
  buildingId: Str(),
  asOf: DateTimeStr(),
  presenceKnown: Type.Boolean({ description: 'False while the pipeline is not running: observedInside is then 0 for every room.' }),
  totals: Type.Object({
    rooms: Type.Integer(), capacity: Type.Integer(), registered: Type.Integer(), observedInside: Type.Integer(),
    vacantRooms: Type.Integer(), overCapacityRooms: Type.Integer({ description: 'Rooms over capacity by registrations or by presence.' }),
  }),
  rooms: Type.Array(RoomOccupancySchema),
}, { description: 'Counts only: no names and no ids of people.' })

// ---------------------------------------------------------------- enrol by swiping

export const ENROLABLE_KINDS = ['card', 'ic_card'] as const

export const PresentationSchema = Type.Object({
  ref: Str('Opaque enrolment reference: pass it as fromPresentation to POST /registrations/{id}/credentials until expiresAt.'),
  at: DateTimeStr('Device time of the latest presentation of this value.'),
  expiresAt: DateTimeStr(`${ENROLMENT_WINDOW_MINUTES} minutes after the presentation reached the platform.`),
  door: Str(), deviceId: Str(),
  kind: Type.Enum(ENROLABLE_KINDS),
  valueMasked: Str('The last 4 characters of the card number: "…3F9A". The full number is never shown.'),
  result: Type.Enum(['granted', 'denied'] as const, { description: 'What the reader did.' }),
  count: Type.Integer({ description: 'Presentations of this value at the building\'s doors in the window.' }),
  heldElsewhere: Type.Boolean({
    description: 'The card is held (active or pending) by someone in another building: enrolling it answers 409 RH_CREDENTIAL_IN_USE.',
  }),
})

export const PresentationListSchema = Type.Object({
  windowMinutes: Type.Integer(),
  items: Type.Array(PresentationSchema, { description: 'One per presented value, latest first.' }),
})

// ---------------------------------------------------------------- inbox

const InboxBase = {
  registrationId: Str('What the action takes: POST /registrations/{id}/deregister or /renew.'),
  roomId: Str(), roomNumber: Str(),
  nameMasked: Str('张*, J*** S****.'),
}

export const InboxNotSeenSchema = Type.Object({
  type: Type.Literal('not_seen'),
  ...InboxBase,
  lastSeenAt: Nullable(DateTimeStr('Latest passage at a door the pipeline knows; null: not since arrival (or not known).')),
  daysNotSeen: Type.Integer({ description: 'Whole days since the later of lastSeenAt and arrival.' }),
  alertId: Nullable(Str('The open resident_not_seen alert, if one is raised.')),
  actions: Type.Array(Type.Literal('deregister')),
})

export const InboxPermitSchema = Type.Object({
  type: Type.Union([Type.Literal('permit_expiring'), Type.Literal('permit_expired')]),
  ...InboxBase,
  permitValidUntil: DateStr(),
  daysLeft: Type.Integer({ description: 'Days until the permit ends, in the building\'s time zone; negative once it has.' }),
  permitType: Nullable(Type.Enum(PERMIT_TYPES)),
  lapsed: Type.Boolean({ description: 'The permit ended unrenewed: the credentials are off the readers until it is renewed.' }),
  reminders: Type.Array(Type.Object({ daysBefore: Type.Integer(), sentAt: DateTimeStr() }), {
    description: 'The reminders sent for this end (30 and 7 days before), oldest first (GET /permit-reminders).',
  }),
  actions: Type.Array(Type.Union([Type.Literal('renew'), Type.Literal('deregister')])),
})

export const InboxItemSchema = Type.Union([InboxNotSeenSchema, InboxPermitSchema])

export const InboxSchema = Type.Object({
  buildingId: Str(), asOf: DateTimeStr(),
  notSeenDays: Type.Integer({ description: 'RULE_NOT_SEEN_DAYS: unseen this long, a resident is suggested for deregistration.' }),
  permitExpiringDays: Type.Integer(),
  items: Type.Array(InboxItemSchema, { description: 'not_seen first (longest unseen first), then expired permits, then expiring ones (soonest first).' }),
})

// ---------------------------------------------------------------- import

export const IMPORT_ERROR_CODES = [
  'required', 'unknown_room', 'invalid_id_type', 'invalid_id_number', 'id_number_not_text', 'invalid_sex', 'sex_mismatch', 'invalid_phone',
  'invalid_date', 'future_date', 'invalid_minors', 'invalid_card', 'too_long', 'invalid_text', 'duplicate_in_file', 'duplicate_card_in_file',
  'invalid_permit_type', 'permit_too_long',
] as const

export const ImportColumnSchema = Type.Object({
  key: Str('English header.'), header: Str('Chinese header; either is accepted.'), required: Type.Boolean(), description: Str(),
})

export const ImportRowErrorSchema = Type.Object({
  row: Type.Integer({ description: 'Row number in the file (the header is row 1).' }),
  column: Str('English column key, e.g. idNumber.'),
  code: Type.Enum(IMPORT_ERROR_CODES),
})

export const ImportedRegistrationSchema = Type.Object({
  roomId: Str(), roomNumber: Str(),
  name: Str(), idType: Type.Enum(ID_TYPES), idNumberMasked: Str(), sex: Nullable(Type.Enum(SEXES)),
  phone: Nullable(Str()), arrivedAt: Nullable(DateStr()), leaseUntil: Nullable(DateStr()), permitValidUntil: Nullable(DateStr()),
  permitType: Nullable(Type.Enum(PERMIT_TYPES)), minors: Type.Integer(), cardMasked: Nullable(Str()),
})

export const ImportPreviewRowSchema = Type.Object({
  row: Type.Integer(),
  registration: Nullable(ImportedRegistrationSchema),
  errors: Type.Array(ImportRowErrorSchema),
})

export const ImportPreviewSchema = Type.Object({
  previewId: Str('Commit it with POST /buildings/{id}/imports/{previewId}/commit before expiresAt.'),
  buildingId: Str(), expiresAt: DateTimeStr(),
  valid: Type.Integer(), invalid: Type.Integer(),
  rows: Type.Array(ImportPreviewRowSchema),
}, { description: 'Nothing is changed by a preview.' })

export const ImportCommitRowSchema = Type.Object({
  row: Type.Integer(),
  status: Type.Enum(['registered', 'pending', 'failed', 'skipped'] as const, {
    description: 'registered: active; pending: waits for the person\'s move from another landlord; failed: refused (code); skipped: the preview found errors.',
  }),
  registrationId: Nullable(Str()),
  code: Nullable(Str('The error code of a failed row, e.g. RH_CREDENTIAL_IN_USE, RH_CONFLICT.')),
})

export const ImportCommitSchema = Type.Object({
  previewId: Str(), registered: Type.Integer(), pending: Type.Integer(), failed: Type.Integer(), skipped: Type.Integer(),
  rows: Type.Array(ImportCommitRowSchema),
})

export const FileResponse = (type: string, description: string) => ({ description, content: { [type]: { schema: Type.String() } } })

// ---------------------------------------------------------------- routes

export const landlordRoutes = {
  'GET /buildings/:id/occupancy': { params: IdParams, response: { 200: OccupancySchema, ...errors(401, 403, 404) } },
  'GET /buildings/:id/unknown-credentials': {
    params: IdParams,
    querystring: Type.Object({
      since: Type.Optional(DateTimeInput(`Presentations that reached the platform after this; default and earliest: ${ENROLMENT_WINDOW_MINUTES} minutes ago.`)),
    }, { additionalProperties: false }),
    response: { 200: PresentationListSchema, ...errors(401, 403, 404) },
  },
  'GET /buildings/:id/inbox': { params: IdParams, response: { 200: InboxSchema, ...errors(401, 403, 404) } },
  'GET /imports/columns': { response: { 200: Type.Array(ImportColumnSchema), ...errors(401) } },
  'GET /imports/template.csv': { response: { 200: FileResponse(CSV_TYPE, 'The import template: a header row (Chinese headers) and one example row.'), ...errors(401) } },
  'GET /imports/template.xlsx': { response: { 200: FileResponse(XLSX_TYPE, 'The import template as a spreadsheet.'), ...errors(401) } },
  'POST /buildings/:id/imports': {
    params: IdParams,
    body: Type.Unknown({ description: `The file: ${CSV_TYPE} (UTF-8) or ${XLSX_TYPE}, at most ${IMPORT_MAX_BYTES} bytes and ${IMPORT_MAX_ROWS} rows.` }),
    response: { 201: ImportPreviewSchema, ...errors(400, 401, 403, 404) },
  },
  'POST /buildings/:id/imports/:previewId/commit': {
    params: Type.Object({ id: IdParams.properties.id, previewId: Type.String({ pattern: '^i-[A-Za-z0-9_-]{12}$' }) }),
    response: { 200: ImportCommitSchema, ...errors(401, 403, 404, 409) },
  },
  'GET /buildings/:id/register.csv': {
    params: IdParams,
    response: { 200: FileResponse(CSV_TYPE, 'Active registrations, ID numbers masked (audited: register.exported).'), ...errors(401, 403, 404) },
  },
  'GET /buildings/:id/register.xlsx': {
    params: IdParams,
    response: { 200: FileResponse(XLSX_TYPE, 'Active registrations, ID numbers masked (audited: register.exported).'), ...errors(401, 403, 404) },
  },
} as const

export type RoomOccupancy = Static<typeof RoomOccupancySchema>
export type Occupancy = Static<typeof OccupancySchema>
export type Presentation = Static<typeof PresentationSchema>
export type InboxItem = Static<typeof InboxItemSchema>
export type Inbox = Static<typeof InboxSchema>
export type ImportColumn = Static<typeof ImportColumnSchema>
export type ImportRowError = Static<typeof ImportRowErrorSchema>
export type ImportedRegistration = Static<typeof ImportedRegistrationSchema>
export type ImportPreview = Static<typeof ImportPreviewSchema>
export type ImportCommit = Static<typeof ImportCommitSchema>
