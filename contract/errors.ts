// The error codes a client can receive in `{statusCode, code, error, message}`
// (platform/errors.ts is the catalogue; platform/api/contract-checks.ts checks that
// the two lists agree).

export const API_ERROR_CODES = [
  'RH_BAD_REQUEST', 'RH_UNSTORABLE_VALUE', 'RH_INVALID_ID_NUMBER', 'RH_UNAUTHENTICATED', 'RH_FORBIDDEN', 'RH_CROSS_SITE', 'RH_NOT_FOUND', 'RH_CONFLICT',
  'RH_DEVICE_NOT_APPROVED', 'RH_DISABLED_BY_LANDLORD', 'RH_CREDENTIAL_IN_USE', 'RH_TOO_MANY_REQUESTS', 'RH_TOO_MANY_STREAMS', 'RH_UNAVAILABLE',
  'RH_ILLEGAL_TRANSITION',
  'RH_BUILDING_OCCUPIED',
  // From the error handler: a request its schema refused, and anything unexpected.
  'RH_VALIDATION', 'RH_INTERNAL',
] as const
export type ApiErrorCode = (typeof API_ERROR_CODES)[number]

/** The body of every error answer. */
export interface ApiErrorBody {
  statusCode: number
  code: ApiErrorCode
  error: string
  message: string
}

/** An answer other than 2xx: the HTTP status, the platform's error code and message. */
export class ApiError extends Error {
  constructor (
    readonly status: number,
    /** The platform's code (platform/errors.ts); `UNKNOWN` when the answer was not the platform's error body (a proxy's, say). */
    readonly code: ApiErrorCode | 'UNKNOWN',
    message: string,
    /** `METHOD /path` as sent. */
    readonly route: string,
  ) {
    super(`${route}: ${status} ${code} ${message}`)
    this.name = 'ApiError'
  }

  /** From a response that is not ok, and its text. */
  static from (status: number, text: string, route: string): ApiError {
    let body: { code?: unknown; message?: unknown } = {}
    try { body = JSON.parse(text) as typeof body } catch { /* not JSON: keep the text */ }
    const known = typeof body.code === 'string' && (API_ERROR_CODES as readonly string[]).includes(body.code)
    const message = typeof body.message === 'string' ? body.message : text.slice(0, 300)
    return new ApiError(status, known ? body.code as ApiErrorCode : 'UNKNOWN', message, route)
  }
}
