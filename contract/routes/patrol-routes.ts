// Request and response schemas of the door plates and patrols (docs/policy.md,
// "Door plates and patrols"), keyed by `METHOD /path` (see registry-routes.ts).

import Type, { type Static } from 'typebox'
import { HOUSE_CODE_PATTERN } from '../house-codes.ts'
import { CHECK_OUTCOMES, FINDING_ITEMS, FINDING_STATUSES, GRADES, PATROL_CHECKLIST_ITEMS } from '../vocabulary.ts'
import { DateInput, DateStr, DateTimeStr, errors, IdParam, IdParams, Int, Nullable, Str, Text } from '../schemas/fields.ts'

export const HouseCodeParam = Type.String({ pattern: HOUSE_CODE_PATTERN, description: 'A house code: 8 characters of 23456789ABCDEFGHJKMNPQRSTUVWXYZ.' })

const PhotoRefs = Type.Array(Text(500, { minLength: 1, description: 'A reference (URI, file id) to a photo kept elsewhere; never the image.' }), { maxItems: 20 })

export const PlateSchema = Type.Object({
  code: Str('What the QR code holds (in a console URL ending /#/h/<code>); no personal data.'),
  roomId: Nullable(Str('Null: the building\'s own plate.')),
  roomNumber: Nullable(Str()),
})

export const PlateSheetSchema = Type.Object({
  buildingId: Str(), buildingName: Str(), address: Str(),
  plates: Type.Array(PlateSchema, { description: 'The building\'s plate first, then one per room by number.' }),
})

export const ReinspectionSchema = Type.Object({
  id: Str(), inspectedAt: DateTimeStr(), inspectorId: Str(), rectified: Type.Boolean(), note: Nullable(Str()), photoRefs: Type.Array(Str()),
})

export const FindingSchema = Type.Object({
  id: Str(), buildingId: Str(), patrolId: Str(),
  roomId: Nullable(Str()), roomNumber: Nullable(Str()),
  item: Type.Enum(FINDING_ITEMS),
  description: Str('What is wrong at the house, written for the landlord to put right.'),
  deadline: DateStr('The last day to put it right, in the building\'s time zone.'),
  foundAt: DateTimeStr(),
  status: Type.Enum(FINDING_STATUSES, { description: 'open until a re-inspection finds it put right.' }),
  closedAt: Nullable(DateTimeStr()),
  overdue: Type.Boolean({ description: 'Open past its deadline.' }),
  reinspections: Type.Array(ReinspectionSchema, { description: 'Oldest first.' }),
})

const Outcome = () => Type.Enum(CHECK_OUTCOMES)
const Checklist = Type.Object(
  Object.fromEntries(PATROL_CHECKLIST_ITEMS.map((i) => [i, Outcome()])) as Record<(typeof PATROL_CHECKLIST_ITEMS)[number], ReturnType<typeof Outcome>>,
  { additionalProperties: false, description: 'Every item: ok, problem or not_applicable.' },
)

export const PatrolSchema = Type.Object({
  id: Str(), buildingId: Str(), patrollerId: Str(), patrollerName: Str(), patrolledAt: DateTimeStr(),
  code: Str('The plate scanned on site.'), roomId: Nullable(Str('The room whose plate was scanned; null: the building\'s.')),
  headcount: Type.Integer({ description: 'People found.' }),
  registered: Type.Integer({ description: 'Active registrations there at the time (of the room whose plate was scanned, or of the building).' }),
  checklist: Checklist,
  photoRefs: Type.Array(Str()),
  notes: Nullable(Str('The patroller\'s notes (may be about people): for grid workers and police, never the landlord.')),
  findings: Type.Array(FindingSchema),
})

export const PatrolInputSchema = Type.Object({
  code: HouseCodeParam,
  headcount: Int(0, 10000, 'People found.'),
  checklist: Checklist,
  photoRefs: Type.Optional(PhotoRefs),
  notes: Type.Optional(Text(2000, { minLength: 1 })),
  findings: Type.Optional(Type.Array(Type.Object({
    item: Type.Enum(FINDING_ITEMS),
    description: Text(1000, { minLength: 1 }),
    deadline: DateInput('The last day to put it right (today or later, in the building\'s time zone).'),
    roomId: Type.Optional(IdParam),
  }, { additionalProperties: false }), { maxItems: 20 })),
}, { additionalProperties: false })

export const ReinspectionInputSchema = Type.Object({
  code: HouseCodeParam,
  rectified: Type.Boolean({ description: 'true: put right (closes the finding); false: still open.' }),
  note: Type.Optional(Text(2000, { minLength: 1 })),
  photoRefs: Type.Optional(PhotoRefs),
}, { additionalProperties: false })

const LastPatrol = Type.Object({ id: Str(), patrolledAt: DateTimeStr(), patrollerName: Str(), headcount: Type.Integer(), registered: Type.Integer() })

export const HouseRecordSchema = Type.Object({
  code: Str(),
  building: Type.Object({ id: Str(), name: Str(), address: Str(), grade: Type.Enum(GRADES), timeZone: Str() }),
  room: Nullable(Type.Object({ id: Str(), number: Str(), capacity: Type.Integer(), registered: Type.Integer() }, { description: 'The room of a room\'s plate.' })),
  registered: Type.Integer({ description: 'Active registrations in the building.' }),
  capacity: Type.Integer({ description: 'The capacity of its rooms together.' }),
  rooms: Type.Array(Type.Object({ id: Str(), number: Str(), capacity: Type.Integer(), registered: Type.Integer() })),
  openFindings: Type.Array(FindingSchema),
  lastPatrol: Nullable(LastPatrol),
  nextDueAt: DateTimeStr('When the next patrol is due, by grade and open findings.'),
})

export const PatrolDueSchema = Type.Object({
  buildingId: Str(), buildingName: Str(), address: Str(), grade: Type.Enum(GRADES),
  lastPatrolAt: Nullable(DateTimeStr()),
  dueAt: DateTimeStr(), overdue: Type.Boolean(),
  intervalDays: Type.Integer({ description: 'Days between patrols that apply now.' }),
  openFindings: Type.Integer(),
  timeZone: Str(),
})

export const patrolRoutes = {
  'GET /buildings/:id/plates': { params: IdParams, response: { 200: PlateSheetSchema, ...errors(401, 403, 404) } },
  'GET /house-codes/:code': { params: Type.Object({ code: HouseCodeParam }), response: { 200: HouseRecordSchema, ...errors(400, 401, 404) } },
  'POST /buildings/:id/patrols': { params: IdParams, body: PatrolInputSchema, response: { 201: PatrolSchema, ...errors(400, 401, 403, 404) } },
  'GET /buildings/:id/patrols': { params: IdParams, response: { 200: Type.Array(PatrolSchema, { description: 'Newest first, at most 200.' }), ...errors(401, 403, 404) } },
  'GET /buildings/:id/findings': {
    params: IdParams,
    querystring: Type.Object({ status: Type.Optional(Type.Enum(FINDING_STATUSES, { description: 'Default: all.' })) }, { additionalProperties: false }),
    response: { 200: Type.Array(FindingSchema, { description: 'Open first, then by deadline.' }), ...errors(400, 401, 403, 404) },
  },
  'POST /findings/:id/reinspections': { params: IdParams, body: ReinspectionInputSchema, response: { 201: FindingSchema, ...errors(400, 401, 403, 404, 409) } },
  'GET /patrols/due': { response: { 200: Type.Array(PatrolDueSchema, { description: 'Most overdue first.' }), ...errors(401) } },
} as const

export type PlateSheet = Static<typeof PlateSheetSchema>
export type Finding = Static<typeof FindingSchema>
export type Patrol = Static<typeof PatrolSchema>
export type PatrolInput = Static<typeof PatrolInputSchema>
export type ReinspectionInput = Static<typeof ReinspectionInputSchema>
export type HouseRecord = Static<typeof HouseRecordSchema>
export type PatrolDue = Static<typeof PatrolDueSchema>
