// Request and response schemas of the rental-house policy routes, keyed by
// `METHOD /path` (see registry-routes.ts): the house score behind a grade
// (docs/policy.md).

import Type, { type Static } from 'typebox'
import { GRADES, SCORE_CAUSES, SCORE_DIMENSIONS } from '../vocabulary.ts'
import { DateTimeStr, errors, IdParam, IdParams, Nullable, Str, Text } from '../schemas/fields.ts'

const Points = (description: string) => Type.Number({ description })

export const ScorePointSchema = Type.Object({
  dimension: Type.Enum(SCORE_DIMENSIONS),
  cause: Type.Enum(SCORE_CAUSES),
  points: Points('What it counts now, after decay and the cause\'s cap, in tenths.'),
  evidence: Type.Array(Str(), { description: 'Ids it rests on: an alert, a device, a registration, a patrol finding; `building` for the building itself.' }),
  since: DateTimeStr('When it happened or began.'),
  expiresAt: Nullable(DateTimeStr('When its points are gone; null while the state or condition holds.')),
})

export const HouseScoreSchema = Type.Object({
  buildingId: Str(),
  asOf: DateTimeStr(),
  score: Points('The sum of the points.'),
  grade: Type.Enum(GRADES, { description: 'The building\'s grade now (set by police).' }),
  proposedGrade: Type.Enum(GRADES, { description: 'The grade the score proposes by the thresholds; only a person changes the grade.' }),
  thresholds: Type.Object({
    normal: Points('Lowest score of 一般 (normal).'), focus: Points('Lowest score of 重点 (focus).'), strict: Points('Lowest score of 严控 (strict).'),
  }, { description: 'The effective thresholds of the building\'s area (GET /areas/{id}/policy-settings).' }),
  gradeColours: Type.Object(Object.fromEntries(GRADES.map((g) => [g, Str(`Colour of ${g}, #rrggbb.`)])) as Record<(typeof GRADES)[number], ReturnType<typeof Str>>),
  patrolIntervalDays: Type.Integer({ description: 'Days between patrols of the house at its grade now (shorter while a patrol finding is open).' }),
  byDimension: Type.Object(Object.fromEntries(SCORE_DIMENSIONS.map((d) => [d, Points(`Points in ${d}.`)])) as Record<(typeof SCORE_DIMENSIONS)[number], ReturnType<typeof Points>>),
  points: Type.Array(ScorePointSchema, { description: 'Highest first.' }),
}, { description: 'A house\'s score with its reasons. It scores the house, never a person: no point names a resident.' })

export const GRADE_PROPOSAL_STATUSES = ['proposed', 'confirmed', 'rejected', 'superseded'] as const

export const GradeProposalSchema = Type.Object({
  id: Str(), buildingId: Str(), buildingName: Str(),
  fromGrade: Type.Enum(GRADES, { description: 'The grade the building had when it was proposed.' }),
  toGrade: Type.Enum(GRADES),
  score: Points('The score then.'),
  points: Type.Array(ScorePointSchema, { description: 'The reasons then, highest first.' }),
  status: Type.Enum(GRADE_PROPOSAL_STATUSES, {
    description: 'proposed: waiting for police; confirmed: the building has the grade now; rejected; superseded: a newer proposal, or the score came back to the grade the building has.',
  }),
  proposedAt: DateTimeStr(),
  proposedBy: Nullable(Str('The account that asked for it; null: the daily job.')),
  decidedAt: Nullable(DateTimeStr()), decidedBy: Nullable(Str()),
  note: Nullable(Str('Why it was confirmed or rejected.')),
})

// ---------------------------------------------------------------- per-area settings
const Threshold = (description: string) => Type.Number({ minimum: 0.1, maximum: 1000, description })
const Colour = (grade: string) => Type.String({ pattern: '^#[0-9a-fA-F]{6}$', description: `Colour of ${grade}, #rrggbb.` })
const Days = (description: string) => Type.Integer({ minimum: 1, maximum: 365, description })

export const AreaPolicySettingsSchema = Type.Object({
  thresholds: Type.Object({
    normal: Threshold('Lowest score of 一般 (normal); below it a house is 放心 (trusted).'),
    focus: Threshold('Lowest score of 重点 (focus); above normal.'),
    strict: Threshold('Lowest score of 严控 (strict); above focus.'),
  }, { additionalProperties: false }),
  gradeColours: Type.Object(Object.fromEntries(GRADES.map((g) => [g, Colour(g)])) as Record<(typeof GRADES)[number], ReturnType<typeof Colour>>, { additionalProperties: false }),
  patrolDays: Type.Object({
    ...Object.fromEntries(GRADES.map((g) => [g, Days(`Days between patrols of a ${g} house.`)])) as Record<(typeof GRADES)[number], ReturnType<typeof Days>>,
    findingOpen: Days('Days between patrols while a patrol finding of the house is open, whatever its grade.'),
  }, { additionalProperties: false }),
}, { additionalProperties: false, description: 'The house-grade settings of a jurisdiction: thresholds, colours, patrol intervals.' })

export const EffectiveAreaPolicySchema = Type.Object({
  areaId: Str(),
  settings: AreaPolicySettingsSchema,
  source: Nullable(Type.Object({
    areaId: Str('The area whose settings these are: this one, or the nearest above it that has settings.'),
    areaName: Str(),
    updatedAt: DateTimeStr(),
    updatedBy: Str('The account that set them.'),
  }, { description: 'Null: no area up the tree has settings, the platform\'s defaults apply.' })),
  own: Type.Boolean({ description: 'The area has settings of its own (DELETE takes them away).' }),
  mayChange: Type.Boolean({ description: 'The caller may set this area\'s settings.' }),
})

const DecisionNote = Text(1000, { minLength: 1 })
const ConfirmBody = Type.Object({ note: Type.Optional(DecisionNote) }, { additionalProperties: false })
const RejectBody = Type.Object({ note: DecisionNote }, { additionalProperties: false })

export const policyRoutes = {
  'GET /buildings/:id/score': { params: IdParams, response: { 200: HouseScoreSchema, ...errors(401, 403, 404) } },
  'GET /grade-proposals': {
    querystring: Type.Object({
      status: Type.Optional(Type.Enum(GRADE_PROPOSAL_STATUSES, { description: 'Default proposed.' })),
      buildingId: Type.Optional(IdParam),
    }, { additionalProperties: false }),
    response: { 200: Type.Array(GradeProposalSchema), ...errors(400, 401) },
  },
  'GET /grade-proposals/:id': { params: IdParams, response: { 200: GradeProposalSchema, ...errors(401, 404) } },
  'POST /buildings/:id/grade-proposals': {
    params: IdParams,
    response: { 201: GradeProposalSchema, ...errors(401, 403, 404, 409) },
  },
  'POST /grade-proposals/:id/confirm': { params: IdParams, body: ConfirmBody, response: { 200: GradeProposalSchema, ...errors(400, 401, 403, 404, 409) } },
  'GET /areas/:id/policy-settings': { params: IdParams, response: { 200: EffectiveAreaPolicySchema, ...errors(401, 403, 404) } },
  'PUT /areas/:id/policy-settings': { params: IdParams, body: AreaPolicySettingsSchema, response: { 200: EffectiveAreaPolicySchema, ...errors(400, 401, 403, 404) } },
  'DELETE /areas/:id/policy-settings': { params: IdParams, response: { 200: EffectiveAreaPolicySchema, ...errors(401, 403, 404) } },
  'POST /grade-proposals/:id/reject': { params: IdParams, body: RejectBody, response: { 200: GradeProposalSchema, ...errors(400, 401, 403, 404, 409) } },
} as const

export type ScorePointView = Static<typeof ScorePointSchema>
export type HouseScoreView = Static<typeof HouseScoreSchema>
export type GradeProposal = Static<typeof GradeProposalSchema>
export type AreaPolicySettings = Static<typeof AreaPolicySettingsSchema>
export type EffectiveAreaPolicy = Static<typeof EffectiveAreaPolicySchema>
export type GradeProposalStatus = (typeof GRADE_PROPOSAL_STATUSES)[number]
