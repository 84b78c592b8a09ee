// The building blocks of the REST schemas: nullable and date-time helpers,
// the request fields that only let storable values through, ids, and the
// error body every route answers with.

import Type from 'typebox'
import { ID_PATTERN } from '../../protocol/topics.ts'

export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()])
const described = (description?: string) => (description === undefined ? {} : { description })
export const Str = (description?: string) => Type.String(described(description))
/** A date-time in a response. Request fields use DateTimeInput. */
export const DateTimeStr = (description?: string) => Type.String({ format: 'date-time', ...described(description) })
export const DateStr = (description?: string) => Type.String({ format: 'date', ...described(description) })

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

/** Standard error responses for a route: 400, 401, 403, 404, 409 as given. */
export function errors (...codes: number[]): Record<number, typeof ErrorSchema> {
  const out: Record<number, typeof ErrorSchema> = {}
  for (const c of codes) out[c] = ErrorSchema
  return out
}
