import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import type { Webhooks } from '../../alerts/webhooks.ts'
import { SEVERITIES } from '../../pipeline/model.ts'
import { errors, IdParam, IdParams, LimitInput, Nullable, SeqInput, Text } from '../schemas.ts'

const WebhookSchema = Type.Object({
  id: Type.String(), url: Type.String(), areaId: Type.String(), areaPath: Type.String(), minSeverity: Type.Enum(SEVERITIES),
  createdBy: Type.String(), createdAt: Type.String({ format: 'date-time' }), enabled: Type.Boolean(),
  pending: Type.Integer({ description: 'Deliveries not yet accepted (2xx) by the receiver.' }),
})

const DeliverySchema = Type.Object({
  seq: Type.Integer({ description: 'The delivery id, sent as X-RH-Delivery.' }),
  alertId: Type.String(), event: Type.String(), createdAt: Type.String({ format: 'date-time' }), attempts: Type.Integer(),
  nextAttemptAt: Nullable(Type.String({ format: 'date-time' })), deliveredAt: Nullable(Type.String({ format: 'date-time' })),
  lastStatus: Nullable(Type.Integer()), lastError: Nullable(Type.String()),
})

export const webhookRoutes: FastifyPluginAsyncTypebox<{ webhooks: Webhooks }> = async (app, { webhooks }) => {
  app.post('/webhooks', {
    schema: {
      tags: ['webhooks'],
      summary: 'Register a dispatch centre endpoint for the alerts of an area (police for their jurisdiction, admin). The signing secret is returned once.',
      description: 'Deliveries are POSTed as JSON with X-RH-Signature: sha256=<hex HMAC-SHA256 of the raw body>, X-RH-Delivery and X-RH-Timestamp; see docs/alerts.md.',
      body: Type.Object({
        url: Text(2000, { minLength: 8, description: 'https URL of a public address (see docs/alerts.md).' }),
        areaId: IdParam,
        minSeverity: Type.Optional(Type.Enum(SEVERITIES, { description: 'Default info.' })),
      }, { additionalProperties: false }),
      response: { 201: Type.Object({ webhook: WebhookSchema, secret: Type.String({ description: 'Shown once: store it in the receiver now.' }) }), ...errors(400, 401, 403, 404) },
    },
  }, async (req, reply) => reply.status(201).send(await webhooks.create(req.actor, req.body)))

  app.get('/webhooks', {
    schema: { tags: ['webhooks'], summary: 'Webhooks of your jurisdiction (police) or all (admin)', response: { 200: Type.Array(WebhookSchema), ...errors(401, 403) } },
  }, async (req) => webhooks.list(req.actor))

  app.delete('/webhooks/:id', {
    schema: { tags: ['webhooks'], summary: 'Stop deliveries to a webhook', params: IdParams, response: { 204: Type.Null(), ...errors(401, 403, 404) } },
  }, async (req, reply) => {
    await webhooks.remove(req.actor, req.params.id)
    return reply.status(204).send(null)
  })

  app.get('/webhooks/:id/deliveries', {
    schema: {
      tags: ['webhooks'], summary: 'The delivery queue of a webhook, newest first: attempts, next attempt, last status and error',
      params: IdParams,
      querystring: Type.Object({
        pending: Type.Optional(Type.Boolean({ description: 'Only deliveries not yet accepted.' })),
        beforeSeq: Type.Optional(SeqInput(1)),
        limit: Type.Optional(LimitInput(1000)),
      }, { additionalProperties: false }),
      response: { 200: Type.Array(DeliverySchema), ...errors(401, 403, 404) },
    },
  }, async (req) => webhooks.deliveries(req.actor, req.params.id, req.query))
}
