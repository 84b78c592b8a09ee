// How the API answers an error: the coded errors of platform/errors.ts as they
// are, schema failures as RH_VALIDATION, and anything else as RH_INTERNAL with
// the details in the log only.
//
// Behind the route schemas (which let through only storable values) sits a
// safety net at the depth: when the database still refuses a value of the
// request — a PostgreSQL data exception, SQLSTATE class 22 (22021 a character
// the encoding cannot hold, 22P05 U+0000 in JSON, 22008 a date out of range,
// 22003 a number out of range, ...) — the request gets a 400 and nothing was
// changed (each write is one transaction), instead of a 500. Both PGlite and
// node-postgres report the SQLSTATE as `code`.
//
// A database that cannot be reached (refused or broken connections, a server
// shutting down, the embedded database closed: isUnreachable) is not the
// request's fault nor a bug: 503 RH_UNAVAILABLE, try again. A write is one
// transaction: one whose connection breaks is rolled back.

import { STATUS_CODES } from 'node:http'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { Errors, isAppError } from '../errors.ts'
import { isUnreachable, sqlState } from '../store/database.ts'

/** What each data exception means to the client; the database's own message (which may quote stored data) is not shown. */
const DATA_EXCEPTIONS: Record<string, string> = {
  22001: 'a text is too long',
  22003: 'a number is out of range',
  22007: 'a date or time is not valid',
  22008: 'a date or time is out of range',
  22021: 'a text holds a character the database cannot store (U+0000?)',
  '22P02': 'a value is not in the expected form',
  '22P05': 'a text holds a character the database cannot store (U+0000?)',
}

/** The coded error for a PostgreSQL data exception, or undefined for any other error. */
export function dataExceptionError (err: unknown): InstanceType<typeof Errors.UnstorableValue> | undefined {
  const state = sqlState(err)
  if (state === undefined || !/^22[0-9A-Z]{3}$/.test(state)) return undefined
  return new Errors.UnstorableValue(DATA_EXCEPTIONS[state] ?? `the database refuses a value (SQLSTATE ${state})`)
}

const UNREACHABLE_MESSAGE = 'the database cannot be reached right now; try again shortly'

export function errorHandler (err: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const refused = dataExceptionError(err)
  if (refused !== undefined) {
    // Worth a look: a route schema let through what the database cannot hold.
    request.log.warn({ err, code: sqlState(err) }, 'the database refused a value of the request')
    return reply.status(400).send({ statusCode: 400, code: refused.code, error: 'Bad Request', message: refused.message })
  }
  if (isUnreachable(err)) {
    request.log.warn({ code: sqlState(err), reason: (err as Error).message }, 'the database cannot be reached; answered 503')
    const unavailable = new Errors.Unavailable(UNREACHABLE_MESSAGE)
    return reply.status(503).send({ statusCode: 503, code: unavailable.code, error: STATUS_CODES[503], message: unavailable.message })
  }
  if (isAppError(err)) {
    const status = err.statusCode ?? 400
    return reply.status(status).send({ statusCode: status, code: err.code, error: STATUS_CODES[status] ?? 'Error', message: err.message })
  }
  if (err.validation !== undefined) {
    return reply.status(400).send({ statusCode: 400, code: 'RH_VALIDATION', error: 'Bad Request', message: err.message })
  }
  const status = err.statusCode ?? 500
  if (status < 500) {
    return reply.status(status).send({ statusCode: status, code: err.code ?? 'RH_BAD_REQUEST', error: STATUS_CODES[status] ?? 'Error', message: err.message })
  }
  request.log.error({ err }, 'request failed')
  return reply.status(500).send({ statusCode: 500, code: 'RH_INTERNAL', error: 'Internal Server Error', message: 'internal error; see the platform log' })
}
