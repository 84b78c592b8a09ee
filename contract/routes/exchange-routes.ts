// Request and response schemas of data exchange with other departments
// (docs/api.md, "Data exchange"): export and import of buildings, rooms,
// registrations and residents (CSV, XLSX, JSON), and access events as the
// records police platforms take.

import Type, { type Static } from 'typebox'
import { CREDENTIAL_KINDS, ID_TYPES } from '../vocabulary.ts'
import { DateTimeInput, DateTimeStr, errors, IdParam, LimitInput, Nullable, SeqInput, Str, Text } from '../schemas/fields.ts'
import { CSV_TYPE, IMPORT_MAX_BYTES, IMPORT_MAX_ROWS, XLSX_TYPE } from './landlord-routes.ts'

export const EXCHANGE_DATASETS = ['buildings', 'rooms', 'registrations', 'residents'] as const
export type ExchangeDataset = (typeof EXCHANGE_DATASETS)[number]
/** What may be imported: residents come with their registrations (a person is in the registry through a stay). */
export const IMPORTABLE_DATASETS = ['buildings', 'rooms', 'registrations'] as const satisfies readonly ExchangeDataset[]
export const EXCHANGE_FORMATS = ['json', 'csv', 'xlsx'] as const
export type ExchangeFormat = (typeof EXCHANGE_FORMATS)[number]

const Dataset = Type.Object({ dataset: Type.Enum(EXCHANGE_DATASETS) })
const Scope = {
  areaId: Type.Optional(IdParam),
  buildingId: Type.Optional(IdParam),
}

export const ExportQuerySchema = Type.Object({
  format: Type.Optional(Type.Enum(EXCHANGE_FORMATS, { description: 'Default json.' })),
  ...Scope,
  idNumbers: Type.Optional(Type.Enum(['masked', 'whole'] as const, {
    description: 'Default masked. whole: the numbers in full, for a role that may read them (police of the area, administrators), with a reason.',
  })),
  reason: Type.Optional(Text(500, { minLength: 4, description: 'Why the numbers are needed in full; written to the audit log.' })),
}, { additionalProperties: false })

export const ExportSchema = Type.Object({
  dataset: Type.Enum(EXCHANGE_DATASETS),
  exportedAt: DateTimeStr(),
  idNumbers: Type.Enum(['masked', 'whole'] as const),
  columns: Type.Array(Str(), { description: 'The keys of each row, in file order.' }),
  rows: Type.Array(Type.Record(Type.String(), Nullable(Type.Union([Type.String(), Type.Number()])))),
})

export const ExchangeRowErrorSchema = Type.Object({
  row: Type.Integer({ description: 'Row number in the file (the header is row 1); for JSON, the index in rows + 2.' }),
  column: Nullable(Str('English column key; null when the row as a whole is refused.')),
  code: Str('A column code (required, invalid_date, unknown_building, ...) or the API error code the change got (RH_CONFLICT, ...).'),
  message: Nullable(Str()),
})

export const ImportReportSchema = Type.Object({
  dataset: Type.Enum(IMPORTABLE_DATASETS),
  applied: Type.Boolean({ description: 'True: every row was applied, in one transaction. False: nothing was (a row has errors, or dryRun).' }),
  dryRun: Type.Boolean(),
  created: Type.Integer(), updated: Type.Integer(), unchanged: Type.Integer(), invalid: Type.Integer(),
  rows: Type.Array(Type.Object({
    row: Type.Integer(),
    key: Str('The row\'s stable key (docs/api.md): buildingId; buildingId/room; buildingId/room/idType/masked number.'),
    outcome: Nullable(Type.Enum(['created', 'updated', 'unchanged'] as const, { description: 'What the row does (did, when applied); null when it has errors.' })),
    errors: Type.Array(ExchangeRowErrorSchema),
  })),
})

export const AccessRecordsQuerySchema = Type.Object({
  ...Scope,
  from: DateTimeInput('Events at or after this (device time).'),
  to: DateTimeInput('Events before this; at most 366 days after from.'),
  afterLogSeq: Type.Optional(SeqInput(0, 'Continue after this log position (nextAfterLogSeq of the previous page).')),
  limit: Type.Optional(LimitInput(5000, 'Default 500.')),
}, { additionalProperties: false })

export const AccessRecordSchema = Type.Object({
  logSeq: Type.Integer(),
  at: DateTimeStr('Device time.'),
  localTime: Str('The same instant in the building\'s time zone, YYYY-MM-DD HH:mm:ss.'),
  buildingId: Str(), buildingAddress: Str(), door: Str(), readerId: Str(),
  direction: Type.Enum(['in', 'out'] as const),
  method: Type.Enum(CREDENTIAL_KINDS, { description: 'card, ic_card, qr, pin or face.' }),
  result: Type.Enum(['granted', 'denied'] as const),
  denyReason: Nullable(Str()),
  credentialMasked: Nullable(Str('The last four characters of what was presented; null for a PIN or a face.')),
  visitor: Type.Boolean({ description: 'A visitor pass of the building opened.' }),
  person: Nullable(Type.Object({
    residentId: Str(),
    name: Str('In full for police and administrators, masked for grid workers.'),
    idType: Type.Enum(ID_TYPES), idNumberMasked: Str(),
  }, { description: 'Whose registered credential it was; null when the reader matched no registered credential.' })),
  registeredAt: Nullable(Type.Object({
    buildingId: Str(), roomId: Str(), roomNumber: Str(), address: Str(),
  }, { description: 'The house the holder is registered in by that credential.' })),
})

export const AccessRecordPageSchema = Type.Object({
  items: Type.Array(AccessRecordSchema),
  nextAfterLogSeq: Nullable(Type.Integer({ description: 'Pass as afterLogSeq for the next page; null: this was the last.' })),
})

const FileResponse = (type: string, description: string) => ({ description, content: { [type]: { schema: Type.String() } } })

export const exchangeRoutes = {
  'GET /exchange/:dataset': {
    params: Dataset,
    querystring: ExportQuerySchema,
    response: {
      200: Type.Union([ExportSchema, Type.String({ description: `${CSV_TYPE} (UTF-8 with a byte order mark) or ${XLSX_TYPE}, by format.` })]),
      ...errors(400, 401, 403, 404),
    },
  },
  'POST /exchange/:dataset/import': {
    params: Dataset,
    querystring: Type.Object({ dryRun: Type.Optional(Type.Boolean({ description: 'Check every row and report, applying nothing.' })) }, { additionalProperties: false }),
    body: Type.Unknown({
      description: `The file: ${CSV_TYPE} (UTF-8 or GB 18030), ${XLSX_TYPE}, or application/json {rows: [{key: value}]}; at most ${IMPORT_MAX_BYTES} bytes and ${IMPORT_MAX_ROWS} rows.`,
    }),
    response: { 200: ImportReportSchema, ...errors(400, 401, 403, 404) },
  },
  'GET /access-records': { querystring: AccessRecordsQuerySchema, response: { 200: AccessRecordPageSchema, ...errors(400, 401, 403, 404) } },
  'GET /access-records.csv': {
    querystring: AccessRecordsQuerySchema,
    response: { 200: FileResponse(CSV_TYPE, 'The same records as CSV, one page (limit, afterLogSeq); the X-Next-After-Log-Seq header continues.'), ...errors(400, 401, 403, 404) },
  },
} as const

export type ExportQuery = Static<typeof ExportQuerySchema>
export type ExportFile = Static<typeof ExportSchema>
export type ImportReport = Static<typeof ImportReportSchema>
export type ExchangeRowError = Static<typeof ExchangeRowErrorSchema>
export type AccessRecordsQuery = Static<typeof AccessRecordsQuerySchema>
export type AccessRecord = Static<typeof AccessRecordSchema>
export type AccessRecordPage = Static<typeof AccessRecordPageSchema>
