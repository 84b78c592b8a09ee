// The error codes a client can receive in `{statusCode, code, error, message}`
// (platform/errors.ts is the catalogue; platform/api/schemas.ts checks that
// the two lists agree).

export const API_ERROR_CODES = [
  'RH_BAD_REQUEST', 'RH_UNSTORABLE_VALUE', 'RH_INVALID_ID_NUMBER', 'RH_UNAUTHENTICATED', 'RH_FORBIDDEN', 'RH_NOT_FOUND', 'RH_CONFLICT',
  'RH_DEVICE_NOT_APPROVED', 'RH_DISABLED_BY_LANDLORD', 'RH_CREDENTIAL_IN_USE', 'RH_TOO_MANY_REQUESTS', 'RH_TOO_MANY_STREAMS', 'RH_UNAVAILABLE',
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
