// Request and response schemas of the permit, vacancy and reconciliation
// routes (docs/policy.md "Permits, vacancy, reconciliation"), keyed by
// `METHOD /path` as in registry-routes.ts.

import Type, { type Static } from 'typebox'
import { DateStr, DateTimeStr, errors, IdParam, IdParams, Int, Nullable, Str, Text } from '../schemas/fields.ts'
import { PERMIT_TYPES } from '../schemas/registry.ts'

export const PermitReminderSchema = Type.Object({
  registrationId: Str(), buildingId: Str(), roomId: Str(), roomNumber: Str(),
  nameMasked: Str('The resident\'s name, masked.'),
  permitValidUntil: DateStr('The permit\'s last day the reminder was for.'),
  permitType: Nullable(Type.Enum(PERMIT_TYPES)),
  daysBefore: Type.Union([Type.Literal(30), Type.Literal(7)], { description: 'Which reminder: 30 or 7 days before the end.' }),
  sentAt: DateTimeStr('When the platform recorded it (once per registration, end and lead time).'),
  settled: Type.Boolean({ description: 'The permit was renewed since (another end) or the stay ended.' }),
}, { description: 'A reminder that a residence permit ends soon: a record the landlord reads in the inbox; it raises no alert.' })

export const VACANCY_STATUSES = ['proposed', 'confirmed', 'rejected', 'superseded'] as const

export const VacancyProposalSchema = Type.Object({
  id: Str(), buildingId: Str(), buildingName: Str(), gridId: Str(), timeZone: Str('The building\'s time zone.'),
  roomId: Nullable(Str('The room; null: the whole house.')), roomNumber: Nullable(Str()),
  status: Type.Enum(VACANCY_STATUSES, {
    description: 'proposed: waiting for the grid worker; confirmed: taken off the rental register; rejected; superseded: someone was registered or seen since.',
  }),
  vacantSince: DateTimeStr('Since when nobody is registered there and no credential of it was used.'),
  lastSeenAt: Nullable(DateTimeStr('The last passage with a credential of the room (house), if any.')),
  proposedAt: DateTimeStr(),
  decidedAt: Nullable(DateTimeStr()), decidedBy: Nullable(Str()), note: Nullable(Str()),
})

export const RECONCILIATION_KINDS = ['permit_expired', 'not_seen', 'vacant_room'] as const
export const RECONCILIATION_OUTCOMES = ['confirmed', 'corrected'] as const
export const RECONCILIATION_SCOPES = ['landlord', 'grid'] as const

export const ReconciliationItemSchema = Type.Object({
  id: Str(),
  kind: Type.Enum(RECONCILIATION_KINDS, {
    description: 'permit_expired: a stay whose permit ended; not_seen: a resident the doors have not seen; vacant_room: a room with nobody registered.',
  }),
  buildingId: Str(), buildingName: Str(), timeZone: Str('The building\'s time zone.'), roomId: Str(), roomNumber: Str(),
  registrationId: Nullable(Str()),
  nameMasked: Nullable(Str('The resident\'s name, masked; null for a room.')),
  since: Nullable(Str('The permit\'s last day, the last passage or the room empty since.')),
  outcome: Nullable(Type.Enum(RECONCILIATION_OUTCOMES, { description: 'confirmed: the record is right; corrected: it was not, and the note says what was done.' })),
  note: Nullable(Str()), decidedAt: Nullable(DateTimeStr()), decidedBy: Nullable(Str()),
})

export const ReconciliationSummarySchema = Type.Object({
  id: Str(),
  month: Str('YYYY-MM, in the buildings\' time zone.'),
  scope: Type.Enum(RECONCILIATION_SCOPES),
  scopeId: Str('The landlord\'s user id, or the grid\'s area id.'),
  scopeName: Str('The landlord\'s name, or the grid\'s name, as shown.'),
  createdAt: DateTimeStr(),
  items: Type.Integer(), decided: Type.Integer({ description: 'Items confirmed or corrected.' }),
  signedOffAt: Nullable(DateTimeStr()), signedOffBy: Nullable(Str()),
})

export const ReconciliationSchema = Type.Object({ ...ReconciliationSummarySchema.properties, list: Type.Array(ReconciliationItemSchema) })

export const ReconciledShareSchema = Type.Object({
  areaId: Str(), month: Str(),
  listed: Type.Integer({ description: 'Items on the month\'s lists of the buildings in the area (landlords\' and grids\').' }),
  signedOff: Type.Integer({ description: 'Of those, items on a list that was signed off.' }),
  share: Nullable(Type.Number({ description: 'signedOff / listed, 0..1; null when nothing was listed.' })),
})

const NoteText = () => Text(1000, { minLength: 1 })
const OptionalNote = Type.Object({ note: Type.Optional(NoteText()) }, { additionalProperties: false })
const RequiredNote = Type.Object({ note: NoteText() }, { additionalProperties: false })
const Month = Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM' })

export const permitRoutes = {
  'GET /permit-reminders': {
    querystring: Type.Object({ buildingId: Type.Optional(IdParam), limit: Type.Optional(Int(1, 1000)) }, { additionalProperties: false }),
    response: { 200: Type.Array(PermitReminderSchema), ...errors(400, 401, 403, 404) },
  },
  'GET /vacancy-proposals': {
    querystring: Type.Object({
      status: Type.Optional(Type.Enum(VACANCY_STATUSES, { description: 'Default proposed.' })),
      buildingId: Type.Optional(IdParam),
    }, { additionalProperties: false }),
    response: { 200: Type.Array(VacancyProposalSchema), ...errors(400, 401) },
  },
  'POST /vacancy-proposals/:id/confirm': { params: IdParams, body: OptionalNote, response: { 200: VacancyProposalSchema, ...errors(400, 401, 403, 404, 409) } },
  'POST /vacancy-proposals/:id/reject': { params: IdParams, body: RequiredNote, response: { 200: VacancyProposalSchema, ...errors(400, 401, 403, 404, 409) } },
  'GET /reconciliations': {
    querystring: Type.Object({ month: Type.Optional(Month), scope: Type.Optional(Type.Enum(RECONCILIATION_SCOPES)) }, { additionalProperties: false }),
    response: { 200: Type.Array(ReconciliationSummarySchema), ...errors(400, 401) },
  },
  'GET /reconciliations/:id': { params: IdParams, response: { 200: ReconciliationSchema, ...errors(401, 404) } },
  'POST /reconciliations/:id/items/:itemId': {
    params: Type.Object({ id: IdParam, itemId: IdParam }),
    body: Type.Object({
      outcome: Type.Enum(RECONCILIATION_OUTCOMES),
      note: Type.Optional(Text(1000, { minLength: 1, description: 'Required for corrected: what was wrong and what was done.' })),
    }, { additionalProperties: false }),
    response: { 200: ReconciliationItemSchema, ...errors(400, 401, 403, 404, 409) },
  },
  'POST /reconciliations/:id/sign-off': { params: IdParams, response: { 200: ReconciliationSummarySchema, ...errors(401, 403, 404, 409) } },
  'GET /areas/:id/reconciled-share': {
    params: IdParams,
    querystring: Type.Object({ month: Month }, { additionalProperties: false }),
    response: { 200: ReconciledShareSchema, ...errors(400, 401, 403, 404) },
  },
} as const

export type PermitReminder = Static<typeof PermitReminderSchema>
export type VacancyProposal = Static<typeof VacancyProposalSchema>
export type VacancyStatus = (typeof VACANCY_STATUSES)[number]
export type ReconciliationItem = Static<typeof ReconciliationItemSchema>
export type ReconciliationSummary = Static<typeof ReconciliationSummarySchema>
export type Reconciliation = Static<typeof ReconciliationSchema>
export type ReconciledShare = Static<typeof ReconciledShareSchema>
export type ReconciliationScope = (typeof RECONCILIATION_SCOPES)[number]
