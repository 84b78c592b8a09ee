// The one catalog of coded errors. Each has an HTTP status; the API turns any
// of them into `{statusCode, code, error, message}`. Domain code throws these
// and nothing else for expected failures.

import createError from '@fastify/error'

export const Errors = {
  BadRequest: createError<'RH_BAD_REQUEST', 400, [string]>('RH_BAD_REQUEST', '%s', 400),
  /** The database refused a value of the request (SQLSTATE class 22): the safety net behind the route schemas. */
  UnstorableValue: createError<'RH_UNSTORABLE_VALUE', 400, [string]>('RH_UNSTORABLE_VALUE', 'a value in the request cannot be stored: %s', 400),
  InvalidIdNumber: createError<'RH_INVALID_ID_NUMBER', 400, [string]>('RH_INVALID_ID_NUMBER', 'invalid ID number: %s', 400),
  Unauthenticated: createError<'RH_UNAUTHENTICATED', 401, [string]>('RH_UNAUTHENTICATED', '%s', 401),
  Forbidden: createError<'RH_FORBIDDEN', 403, [string]>('RH_FORBIDDEN', '%s', 403),
  /** A call on a cookie session without its X-RH-CSRF token, or from another site's page. */
  CrossSite: createError<'RH_CROSS_SITE', 403, [string]>('RH_CROSS_SITE', '%s', 403),
  NotFound: createError<'RH_NOT_FOUND', 404, [string]>('RH_NOT_FOUND', '%s not found', 404),
  Conflict: createError<'RH_CONFLICT', 409, [string]>('RH_CONFLICT', '%s', 409),
  DeviceNotApproved: createError<'RH_DEVICE_NOT_APPROVED', 409, [string]>('RH_DEVICE_NOT_APPROVED', '%s', 409),
  /** A vendor tried to enable a device its own organisation did not disable. */
  DisabledByLandlord: createError<'RH_DISABLED_BY_LANDLORD', 403, [string]>('RH_DISABLED_BY_LANDLORD', '%s', 403),
  /** A credential value already active for someone: the same answer whoever and wherever they are. */
  CredentialInUse: createError<'RH_CREDENTIAL_IN_USE', 409, [string]>('RH_CREDENTIAL_IN_USE', '%s', 409),
  /** A building to remove still has stays running (active or pending registrations). */
  BuildingOccupied: createError<'RH_BUILDING_OCCUPIED', 409, [string]>('RH_BUILDING_OCCUPIED', '%s', 409),
  TooManyRequests: createError<'RH_TOO_MANY_REQUESTS', 429, [string]>('RH_TOO_MANY_REQUESTS', '%s', 429),
  TooManyStreams: createError<'RH_TOO_MANY_STREAMS', 429, [string]>('RH_TOO_MANY_STREAMS', '%s', 429),
  /** An alert workflow step its stage does not allow (assign a resolved alert, verify before feedback, ...). */
  IllegalTransition: createError<'RH_ILLEGAL_TRANSITION', 409, [string]>('RH_ILLEGAL_TRANSITION', '%s', 409),
  Unavailable: createError<'RH_UNAVAILABLE', 503, [string]>('RH_UNAVAILABLE', '%s', 503),
} as const

export type AppError = InstanceType<(typeof Errors)[keyof typeof Errors]>

/** Error codes a client can receive, for the API docs. */
export const ERROR_CODES = Object.values(Errors).map((E) => new E('').code)

export function isAppError (err: unknown): err is AppError {
  const code = (err as { code?: unknown } | null)?.code
  return err instanceof Error && typeof code === 'string' && code.startsWith('RH_')
}
