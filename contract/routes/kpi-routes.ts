// Request and response schemas of the KPI routes (docs/policy.md "KPIs"),
// keyed by `METHOD /path` (see registry-routes.ts): the city plans' KPIs per
// building and area, measured from the event log and the registry.

import Type, { type Static } from 'typebox'
import { AREA_KINDS, KPI_IDS } from '../vocabulary.ts'
import { DateInput, DateStr, DateTimeStr, errors, IdParam, Nullable, Str } from '../schemas/fields.ts'
import { CSV_TYPE, FileResponse, XLSX_TYPE } from './landlord-routes.ts'

export const KPI_SUBJECT_KINDS = ['city', 'landlord', ...AREA_KINDS, 'building'] as const
export type KpiSubjectKind = (typeof KPI_SUBJECT_KINDS)[number]

export const KpiFigureSchema = Type.Object({
  kpi: Type.Enum(KPI_IDS),
  numerator: Type.Number({ description: 'What meets the KPI (for the registration rate: people registered).' }),
  denominator: Type.Number({ description: 'What it is measured over (for the registration rate: registered plus estimated unregistered).' }),
  value: Nullable(Type.Number({ description: 'numerator / denominator, 0..1; null when there is nothing to measure.' })),
  target: Type.Number({ description: 'The city plans\' target, 0..1.' }),
  met: Nullable(Type.Boolean({ description: 'value >= target; null without a value.' })),
})

const SubjectSchema = Type.Object({
  kind: Type.Enum(KPI_SUBJECT_KINDS, { description: 'city: everything (administrators); landlord: the caller\'s own buildings.' }),
  id: Str(), name: Str(),
})

export const KpiViewSchema = Type.Object({
  subject: SubjectSchema,
  asOf: DateTimeStr(),
  buildings: Type.Integer({ description: 'Buildings measured.' }),
  figures: Type.Array(KpiFigureSchema, { description: 'Today\'s figures, computed now.' }),
  children: Type.Array(Type.Object({ kind: Type.Enum(KPI_SUBJECT_KINDS), id: Str(), name: Str(), figures: Type.Array(KpiFigureSchema) }), {
    description: 'The parts one level down the area tree (the buildings of a grid, or of a landlord), for a drill down.',
  }),
  snapshots: Type.Array(Type.Object({ day: DateStr(), figures: Type.Array(KpiFigureSchema) }), { description: 'The daily snapshots from `from` to `to`.' }),
})

export const KpiCaseSchema = Type.Object({
  kind: Type.Enum(['registration', 'building']),
  id: Str('The registration or building id.'),
  buildingId: Str(), buildingName: Str(),
  roomNumber: Nullable(Str()),
  residentMasked: Nullable(Str('The resident\'s name, masked.')),
  counted: Type.Boolean({ description: 'In the numerator (it meets the KPI); every case is in the denominator.' }),
  reason: Str('Why it counts as it does (docs/policy.md).'),
  weight: Type.Number({ description: 'People or houses the case stands for (an estimate of unregistered occupants may be more than 1).' }),
})

export const KpiMonthlySchema = Type.Object({
  subject: SubjectSchema,
  month: Str(),
  days: Type.Integer({ description: 'Daily snapshots added up; 0: no report for that month (yet).' }),
  figures: Type.Array(KpiFigureSchema, { description: 'The month\'s numerators and denominators, each day\'s snapshot added up.' }),
})

const Subject = {
  areaId: Type.Optional(IdParam),
  buildingId: Type.Optional(IdParam),
}
const Range = { from: Type.Optional(DateInput('First day (default 30 days ago).')), to: Type.Optional(DateInput('Last day (default today).')) }
const KpisQuery = Type.Object({ ...Subject, ...Range }, { additionalProperties: false })
const FileNote = 'The figures of today, of the parts one level down and the daily snapshots of the range.'

export const kpiRoutes = {
  'GET /kpis': { querystring: KpisQuery, response: { 200: KpiViewSchema, ...errors(400, 401, 403, 404) } },
  'GET /kpis/cases': {
    querystring: Type.Object({ ...Subject, kpi: Type.Enum(KPI_IDS) }, { additionalProperties: false }),
    response: { 200: Type.Object({ kpi: Type.Enum(KPI_IDS), figure: KpiFigureSchema, cases: Type.Array(KpiCaseSchema) }), ...errors(400, 401, 403, 404) },
  },
  'GET /kpis/monthly': {
    querystring: Type.Object({ ...Subject, month: Type.String({ pattern: '^(19|2[01])[0-9]{2}-(0[1-9]|1[0-2])$', description: 'YYYY-MM.' }) }, { additionalProperties: false }),
    response: { 200: KpiMonthlySchema, ...errors(400, 401, 403, 404) },
  },
  'GET /kpis.csv': { querystring: KpisQuery, response: { 200: FileResponse(CSV_TYPE, FileNote), ...errors(400, 401, 403, 404) } },
  'GET /kpis.xlsx': { querystring: KpisQuery, response: { 200: FileResponse(XLSX_TYPE, FileNote), ...errors(400, 401, 403, 404) } },
} as const

export type KpiFigureView = Static<typeof KpiFigureSchema>
export type KpiView = Static<typeof KpiViewSchema>
export type KpiCaseView = Static<typeof KpiCaseSchema>
export type KpiMonthlyView = Static<typeof KpiMonthlySchema>
