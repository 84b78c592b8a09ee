import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import type { Registry } from '../../registry/registry.ts'
import { bearerToken } from '../auth.ts'
import { errors, Text, UserSchema } from '../schemas.ts'

export const authRoutes: FastifyPluginAsyncTypebox<{ registry: Registry }> = async (app, { registry }) => {
  app.post('/auth/login', {
    config: { public: true },
    schema: {
      tags: ['auth'], summary: 'Log in; returns a bearer token valid for 12 hours', security: [],
      body: Type.Object({ username: Text(100, { minLength: 1 }), password: Text(200, { minLength: 1 }) }, { additionalProperties: false }),
      response: { 200: Type.Object({ token: Type.String(), expiresAt: Type.String({ format: 'date-time' }), user: UserSchema }), ...errors(400, 401, 429) },
    },
  }, async (req) => registry.users.login(req.body.username, req.body.password, req.ip))

  app.post('/auth/logout', {
    schema: { tags: ['auth'], summary: 'End this token\'s session', response: { 204: Type.Null(), ...errors(401) } },
  }, async (req, reply) => {
    const token = bearerToken(req)
    if (token !== undefined) await registry.users.logout(token)
    return reply.status(204).send(null)
  })

  app.get('/auth/me', {
    schema: { tags: ['auth'], summary: 'The logged-in account', response: { 200: UserSchema, ...errors(401) } },
  }, async (req) => registry.users.get(req.actor.id))
}
