import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ROUTES } from '../../../contract/routes/index.ts'
import type { Registry } from '../../registry/registry.ts'
import { checkOrigin, clearSessionCookie, csrfTokenFor, sessionCredential, setSessionCookie } from '../session-cookie.ts'

export const authRoutes: FastifyPluginAsyncTypebox<{ registry: Registry }> = async (app, { registry }) => {
  app.post('/auth/login', {
    config: { public: true },
    schema: {
      tags: ['auth'],
      summary: 'Log in; returns a bearer token valid for 12 hours (and, with cookie: true, sets it as the session cookie)',
      security: [],
      ...ROUTES['POST /auth/login'],
    },
  }, async (req, reply) => {
    // A cookie login from another site's page would plant that site's chosen session in this browser.
    if (req.body.cookie === true) checkOrigin(req)
    const session = await registry.users.login(req.body.username, req.body.password, req.ip)
    if (req.body.cookie !== true) return session
    setSessionCookie(req, reply, session.token)
    return { ...session, csrfToken: csrfTokenFor(session.token) }
  })

  app.post('/auth/logout', {
    schema: { tags: ['auth'], summary: 'End this session (and clear the session cookie)', ...ROUTES['POST /auth/logout'] },
  }, async (req, reply) => {
    const credential = sessionCredential(req)
    if (credential !== undefined) await registry.users.logout(credential.token)
    if (credential?.via === 'cookie') clearSessionCookie(req, reply)
    return reply.status(204).send(null)
  })

  app.get('/auth/me', {
    schema: { tags: ['auth'], summary: 'The logged-in account', ...ROUTES['GET /auth/me'] },
  }, async (req) => registry.users.get(req.actor.id))

  app.get('/auth/session', {
    schema: {
      tags: ['auth'],
      summary: 'The logged-in account and, for a cookie session, the X-RH-CSRF token its changing calls must send',
      ...ROUTES['GET /auth/session'],
    },
  }, async (req) => {
    const credential = sessionCredential(req)
    return {
      user: await registry.users.get(req.actor.id),
      csrfToken: credential?.via === 'cookie' ? csrfTokenFor(credential.token) : null,
    }
  })
}
