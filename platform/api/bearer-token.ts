import type { FastifyRequest } from 'fastify'

/** The token of `Authorization: Bearer <token>`, when the request sends a well-formed one. */
export function bearerToken (request: FastifyRequest): string | undefined {
  const h = request.headers.authorization
  if (h === undefined) return undefined
  const m = /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(h)
  return m?.[1]
}
