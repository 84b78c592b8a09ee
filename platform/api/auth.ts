// Authentication for people. Every route needs a session unless it is marked
// `config: { public: true }` or is part of the API's own documentation
// (`/docs`, the OpenAPI document and its UI). A session is a bearer token or
// the consoles' cookie (session-cookie.ts, which also guards the cookie
// against cross-site requests).

import type { FastifyInstance } from 'fastify'
import { Errors } from '../errors.ts'
import type { Actor } from '../registry/access.ts'
import type { Users } from '../registry/users.ts'
import { checkCrossSite, sessionCredential } from './session-cookie.ts'

export async function authPlugin (app: FastifyInstance, opts: { users: Users }): Promise<void> {
  app.decorateRequest('actor', null as unknown as Actor)
  // Hooks of this plugin apply to every route registered after it.
  app.addHook('onRequest', async (request) => {
    const url = request.routeOptions.url
    if (request.routeOptions.config?.public === true || url === undefined || url === '/docs' || url.startsWith('/docs/')) return
    const credential = sessionCredential(request)
    if (credential === undefined) throw new Errors.Unauthenticated('send Authorization: Bearer <token> (POST /auth/login)')
    const actor = await opts.users.actorForToken(credential.token)
    if (actor === undefined) throw new Errors.Unauthenticated('session unknown or expired; log in again')
    checkCrossSite(request, credential)
    actor.ip = request.ip
    request.actor = actor
  })
}
// Skip plugin encapsulation so the hook covers the whole app.
;(authPlugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true
