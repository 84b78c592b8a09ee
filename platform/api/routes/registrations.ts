import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ROUTES } from '../../../contract/routes/index.ts'
import { Presentations } from '../../registry/presentations.ts'
import type { Registry } from '../../registry/registry.ts'
import { maskValue } from '../../pipeline/rules/rule.ts'

export const registrationRoutes: FastifyPluginAsyncTypebox<{ registry: Registry }> = async (app, { registry }) => {
  const presentations = new Presentations(registry.ctx)
  app.get('/registrations/:id', {
    schema: { tags: ['registrations'], summary: 'One registration', ...ROUTES['GET /registrations/:id'] },
  }, async (req) => registry.registrations.get(req.actor, req.params.id))

  app.post('/registrations/:id/deregister', {
    schema: {
      tags: ['registrations'],
      summary: 'Deregister on departure: close the stay and revoke its credentials on every reader',
      ...ROUTES['POST /registrations/:id/deregister'],
    },
  }, async (req) => registry.registrations.deregister(req.actor, req.params.id, req.body))

  app.post('/registrations/:id/renew', {
    schema: {
      tags: ['registrations'],
      summary: 'Record a renewed residence permit (and lease)',
      ...ROUTES['POST /registrations/:id/renew'],
    },
  }, async (req) => registry.registrations.renew(req.actor, req.params.id, req.body))

  app.get('/registrations/:id/credentials', {
    schema: { tags: ['credentials'], summary: 'Credentials issued for a registration', ...ROUTES['GET /registrations/:id/credentials'] },
  }, async (req) => registry.registrations.credentials(req.actor, req.params.id))

  app.post('/registrations/:id/credentials', {
    schema: {
      tags: ['credentials'],
      summary: 'Issue another credential and push it to the readers',
      ...ROUTES['POST /registrations/:id/credentials'],
    },
  }, async (req, reply) => {
    if (!('fromPresentation' in req.body)) return reply.status(201).send(await registry.registrations.issueCredential(req.actor, req.params.id, req.body))
    // Enrol the card just presented at a door of the building: its number stays hidden from the caller.
    const { fromPresentation: ref, ...rest } = req.body
    const presented = await presentations.resolve(req.actor, req.params.id, ref)
    const credential = await registry.registrations.issueCredential(req.actor, req.params.id, { ...rest, ...presented })
    await presentations.consume(ref)
    return reply.status(201).send({ ...credential, value: maskValue(credential.value) })
  })

  app.post('/credentials/:id/revoke', {
    schema: {
      tags: ['credentials'],
      summary: 'Revoke a credential (lost card, ...) and remove it from the readers',
      ...ROUTES['POST /credentials/:id/revoke'],
    },
  }, async (req) => registry.registrations.revokeCredential(req.actor, req.params.id, req.body.reason))
}
