import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { ROLES } from '../../registry/access.ts'
import type { Registry } from '../../registry/registry.ts'
import { errors, IdParam, IdParams, Text, UserSchema } from '../schemas.ts'

export const userRoutes: FastifyPluginAsyncTypebox<{ registry: Registry }> = async (app, { registry }) => {
  app.post('/users', {
    schema: {
      tags: ['users'], summary: 'Create an account (admin). Grid workers and police need an areaId, vendors an organisation.',
      body: Type.Object({
        username: Type.String({ pattern: '^[a-z0-9._-]{3,40}$' }),
        displayName: Text(100, { minLength: 1 }),
        role: Type.Enum(ROLES),
        password: Text(200, { minLength: 10 }),
        areaId: Type.Optional(IdParam),
        organisation: Type.Optional(Text(100, { minLength: 1 })),
      }, { additionalProperties: false }),
      response: { 201: UserSchema, ...errors(400, 401, 403, 404, 409) },
    },
  }, async (req, reply) => reply.status(201).send(await registry.users.create(req.actor, req.body)))

  app.get('/users', {
    schema: {
      tags: ['users'], summary: 'List accounts (admin)',
      querystring: Type.Object({ role: Type.Optional(Type.Enum(ROLES)) }, { additionalProperties: false }),
      response: { 200: Type.Array(UserSchema), ...errors(401, 403) },
    },
  }, async (req) => registry.users.list(req.actor, req.query.role))

  app.patch('/users/:id', {
    schema: {
      tags: ['users'], summary: 'Disable or re-enable an account (admin); disabling ends its sessions',
      params: IdParams,
      body: Type.Object({ disabled: Type.Boolean() }, { additionalProperties: false }),
      response: { 200: UserSchema, ...errors(400, 401, 403, 404) },
    },
  }, async (req) => registry.users.setDisabled(req.actor, req.params.id, req.body.disabled))
}
