import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ROUTES } from '../../../contract/routes/index.ts'
import type { Registry } from '../../registry/registry.ts'

export const userRoutes: FastifyPluginAsyncTypebox<{ registry: Registry }> = async (app, { registry }) => {
  app.post('/users', {
    schema: {
      tags: ['users'],
      summary: 'Create an account (admin). Grid workers and police need an areaId, vendors an organisation.',
      ...ROUTES['POST /users'],
    },
  }, async (req, reply) => reply.status(201).send(await registry.users.create(req.actor, req.body)))

  app.get('/users', {
    schema: {
      tags: ['users'],
      summary: 'List accounts (admin)',
      ...ROUTES['GET /users'],
    },
  }, async (req) => registry.users.list(req.actor, req.query.role))

  app.patch('/users/:id', {
    schema: {
      tags: ['users'],
      summary: 'Change an account (admin): disable or enable it, rename it, move a police or grid worker account to another area; disabling or moving ends its sessions',
      ...ROUTES['PATCH /users/:id'],
    },
  }, async (req) => registry.users.update(req.actor, req.params.id, req.body))
}
