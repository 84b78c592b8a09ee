import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ROUTES } from '../../../contract/routes/index.ts'
import type { Webhooks } from '../../alerts/webhooks.ts'

export const webhookRoutes: FastifyPluginAsyncTypebox<{ webhooks: Webhooks }> = async (app, { webhooks }) => {
  app.post('/webhooks', {
    schema: {
      tags: ['webhooks'],
      summary: 'Register a dispatch centre endpoint for the alerts of an area (police for their jurisdiction, admin). The signing secret is returned once.',
      description: 'Deliveries are POSTed as JSON with X-RH-Signature: sha256=<hex HMAC-SHA256 of the raw body>, X-RH-Delivery and X-RH-Timestamp; see docs/alerts.md.',
      ...ROUTES['POST /webhooks'],
    },
  }, async (req, reply) => reply.status(201).send(await webhooks.create(req.actor, req.body)))

  app.get('/webhooks', {
    schema: { tags: ['webhooks'], summary: 'Webhooks of your jurisdiction (police) or all (admin)', ...ROUTES['GET /webhooks'] },
  }, async (req) => webhooks.list(req.actor))

  app.patch('/webhooks/:id', {
    schema: { tags: ['webhooks'], summary: 'Choose what a webhook receives (alerts, registry changes, both) and its alert threshold', ...ROUTES['PATCH /webhooks/:id'] },
  }, async (req) => webhooks.update(req.actor, req.params.id, req.body))

  app.delete('/webhooks/:id', {
    schema: { tags: ['webhooks'], summary: 'Stop deliveries to a webhook', ...ROUTES['DELETE /webhooks/:id'] },
  }, async (req, reply) => {
    await webhooks.remove(req.actor, req.params.id)
    return reply.status(204).send(null)
  })

  app.get('/webhooks/:id/deliveries', {
    schema: {
      tags: ['webhooks'],
      summary: 'The delivery queue of a webhook, newest first: attempts, next attempt, last status and error',
      ...ROUTES['GET /webhooks/:id/deliveries'],
    },
  }, async (req) => webhooks.deliveries(req.actor, req.params.id, req.query))
}
