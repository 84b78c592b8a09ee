import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ROUTES } from '../../../contract/routes/index.ts'
import type { Registry } from '../../registry/registry.ts'
import { bearerToken } from '../auth.ts'

export const authRoutes: FastifyPluginAsyncTypebox<{ registry: Registry }> = async (app, { registry }) => {
  app.post('/auth/login', {
    config: { public: true },
    schema: {
      tags: ['auth'],
      summary: 'Log in; returns a bearer token valid for 12 hours',
      security: [],
      ...ROUTES['POST /auth/login'],
    },
  }, async (req) => registry.users.login(req.body.username, req.body.password, req.ip))

  app.post('/auth/logout', {
    schema: { tags: ['auth'], summary: 'End this token\'s session', ...ROUTES['POST /auth/logout'] },
  }, async (req, reply) => {
    const token = bearerToken(req)
    if (token !== undefined) await registry.users.logout(token)
    return reply.status(204).send(null)
  })

  app.get('/auth/me', {
    schema: { tags: ['auth'], summary: 'The logged-in account', ...ROUTES['GET /auth/me'] },
  }, async (req) => registry.users.get(req.actor.id))
}
