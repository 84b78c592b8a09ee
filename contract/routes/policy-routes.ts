// Request and response schemas of the rental-house policy routes, keyed by
// `METHOD /path` (see registry-routes.ts): the house score behind a grade
// (docs/policy.md).

import Type, { type Static } from 'typebox'
import { GRADES, SCORE_CAUSES, SCORE_DIMENSIONS } from '../vocabulary.ts'
import { DateTimeStr, errors, IdParams, Nullable, Str } from '../schemas/fields.ts'

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
  }),
  byDimension: Type.Object(Object.fromEntries(SCORE_DIMENSIONS.map((d) => [d, Points(`Points in ${d}.`)])) as Record<(typeof SCORE_DIMENSIONS)[number], ReturnType<typeof Points>>),
  points: Type.Array(ScorePointSchema, { description: 'Highest first.' }),
}, { description: 'A house\'s score with its reasons. It scores the house, never a person: no point names a resident.' })

export const policyRoutes = {
  'GET /buildings/:id/score': { params: IdParams, response: { 200: HouseScoreSchema, ...errors(401, 403, 404) } },
} as const

export type ScorePointView = Static<typeof ScorePointSchema>
export type HouseScoreView = Static<typeof HouseScoreSchema>
