// Bearer-token authentication for people. Every route needs a token unless
// it is marked `config: { public: true }` or is part of the API's own
// documentation (`/docs`, the OpenAPI document and its UI).

import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Errors } from '../errors.ts'
import type { Actor } from '../registry/access.ts'
import type { Users } from '../registry/users.ts'

export function bearerToken (request: FastifyRequest): string | undefined {
  const h = request.headers.authorization
  if (h === undefined) return undefined
  const m = /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(h)
  return m?.[1]
}

export async function authPlugin (app: FastifyInstance, opts: { users: Users }): Promise<void> {
  app.decorateRequest('actor', null as unknown as Actor)
  // Hooks of this plugin apply to every route registered after it.
  app.addHook('onRequest', async (request) => {
    const url = request.routeOptions.url
    if (request.routeOptions.config?.public === true || url === undefined || url === '/docs' || url.startsWith('/docs/')) return
    const token = bearerToken(request)
    if (token === undefined) throw new Errors.Unauthenticated('send Authorization: Bearer <token> (POST /auth/login)')
    const actor = await opts.users.actorForToken(token)
    if (actor === undefined) throw new Errors.Unauthenticated('token unknown or expired; log in again')
    actor.ip = request.ip
    request.actor = actor
  })
}
// Skip plugin encapsulation so the hook covers the whole app.
;(authPlugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true
