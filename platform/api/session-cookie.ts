// How a request proves its session: a bearer token (scripts, devices' tools,
// the simulator) or the consoles' HttpOnly cookie. A cookie rides along on
// any request the browser makes, including one a hostile page triggers, so a
// call on a cookie session that changes something must also carry the
// session's CSRF token (which another site cannot read) and, where the
// browser names it, come from this site's own origin.

import { createHash } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Errors } from '../errors.ts'
import { SESSION_TTL_MS } from '../registry/users.ts'
import { bearerToken } from './bearer-token.ts'

export const SESSION_COOKIE = 'rh_session'
export const CSRF_HEADER = 'x-rh-csrf'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])
const TOKEN = /^[A-Za-z0-9_-]{20,100}$/

export interface SessionCredential { token: string; via: 'bearer' | 'cookie' }

/** The session a request presents, bearer first; undefined when it presents none. */
export function sessionCredential (request: FastifyRequest): SessionCredential | undefined {
  const bearer = bearerToken(request)
  if (bearer !== undefined) return { token: bearer, via: 'bearer' }
  const cookie = request.cookies?.[SESSION_COOKIE]
  if (cookie !== undefined && TOKEN.test(cookie)) return { token: cookie, via: 'cookie' }
  return undefined
}

/**
 * The CSRF token of a session: derived from the session token, so every node
 * of a cluster computes the same one and nothing more is stored. Knowing it
 * requires knowing the session token, which the cookie keeps from scripts.
 */
export function csrfTokenFor (sessionToken: string): string {
  return createHash('sha256').update(`rh-csrf:${sessionToken}`).digest('base64url')
}

/** Refuses a changing call on a cookie session that lacks the CSRF token or comes from another origin. */
export function checkCrossSite (request: FastifyRequest, credential: SessionCredential): void {
  if (credential.via !== 'cookie' || SAFE_METHODS.has(request.method)) return
  checkOrigin(request)
  const sent = request.headers[CSRF_HEADER]
  if (sent !== csrfTokenFor(credential.token)) {
    throw new Errors.CrossSite(`a call that changes something on a cookie session needs the ${CSRF_HEADER} header (GET /auth/session)`)
  }
}

/** A browser names the page's origin on a POST; it must be this site's. Requests without one (not a browser) pass. */
export function checkOrigin (request: FastifyRequest): void {
  const origin = request.headers.origin
  if (origin === undefined) return
  let host: string
  try {
    host = new URL(origin).host
  } catch {
    throw new Errors.CrossSite('the Origin header is not a URL')
  }
  if (host !== request.host) throw new Errors.CrossSite(`a page of ${origin} may not call this API with the session cookie`)
}

export function setSessionCookie (request: FastifyRequest, reply: FastifyReply, token: string): void {
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true, sameSite: 'strict', path: '/', secure: request.protocol === 'https', maxAge: Math.floor(SESSION_TTL_MS / 1000),
  })
}

export function clearSessionCookie (request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', path: '/', secure: request.protocol === 'https' })
}

/** The session token a request presents, by either means. */
export function sessionToken (request: FastifyRequest): string | undefined {
  return sessionCredential(request)?.token
}
