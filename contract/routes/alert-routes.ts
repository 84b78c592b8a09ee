// Request and response schemas of the alert and webhook routes, keyed by
// `METHOD /path` (see registry-routes.ts).

import Type, { type Static } from 'typebox'
import { SEVERITIES, WEBHOOK_SUBSCRIPTIONS } from '../vocabulary.ts'
import { errors, IdParam, IdParams, LimitInput, Nullable, SeqInput, Text } from '../schemas/fields.ts'
import {
  AlertExportQuerySchema, AlertHistorySchema, AlertListQuerySchema, AlertPageSchema, AlertSchema, AlertStreamQuerySchema, AlertWithHistorySchema,
  AssignBodySchema, AssigneeSchema, CommentBodySchema, EvidenceSchema, FeedbackBodySchema, HandoverAreaQuerySchema, HandoverBodySchema,
  HandoverSchema, HandoverSummaryQuerySchema, HandoverSummarySchema, ResolveBodySchema, StreamTicketSchema, VerifyBodySchema,
} from '../schemas/alerts.ts'

export const WebhookSchema = Type.Object({
  id: Type.String(), url: Type.String(), areaId: Type.String(), areaPath: Type.String(), minSeverity: Type.Enum(SEVERITIES),
  subscriptions: Type.Array(Type.Enum(WEBHOOK_SUBSCRIPTIONS), { description: 'What it receives: alerts, registry changes, or both.' }),
  createdBy: Type.String(), createdAt: Type.String({ format: 'date-time' }), enabled: Type.Boolean(),
  pending: Type.Integer({ description: 'Deliveries not yet accepted (2xx) by the receiver.' }),
})

const Subscriptions = Type.Array(Type.Enum(WEBHOOK_SUBSCRIPTIONS), {
  minItems: 1, maxItems: WEBHOOK_SUBSCRIPTIONS.length, uniqueItems: true,
  description: 'alerts (alert changes, the default), registry (registry changes: docs/api.md#data-exchange), or both.',
})

export const DeliverySchema = Type.Object({
  seq: Type.Integer({ description: 'The delivery id, sent as X-RH-Delivery.' }),
  alertId: Nullable(Type.String({ description: 'The alert it reports; null for a registry change.' })),
  ledgerSeq: Nullable(Type.Integer({ description: 'The registry ledger entry it reports; null for an alert.' })),
  event: Type.String(), createdAt: Type.String({ format: 'date-time' }), attempts: Type.Integer(),
  nextAttemptAt: Nullable(Type.String({ format: 'date-time' })), deliveredAt: Nullable(Type.String({ format: 'date-time' })),
  lastStatus: Nullable(Type.Integer()), lastError: Nullable(Type.String()),
})

export const alertRoutes = {
  'GET /alerts': { querystring: AlertListQuerySchema, response: { 200: AlertPageSchema, ...errors(400, 401, 403) } },
  'POST /alerts/stream/ticket': { response: { 201: StreamTicketSchema, ...errors(401, 403, 429, 503) } },
  'GET /alerts/stream': {
    querystring: AlertStreamQuerySchema,
    response: { 200: Type.String({ description: 'text/event-stream' }), ...errors(400, 401, 403, 503) },
  },
  'GET /alerts/:id': { params: IdParams, response: { 200: AlertWithHistorySchema, ...errors(401, 404) } },
  'POST /alerts/:id/acknowledge': {
    params: IdParams,
    body: Type.Object({ note: Type.Optional(Text(1000, { minLength: 1 })) }, { additionalProperties: false }),
    response: { 200: AlertSchema, ...errors(400, 401, 404, 409) },
  },
  'POST /alerts/:id/resolve': {
    params: IdParams,
    body: ResolveBodySchema,
    response: { 200: AlertSchema, ...errors(400, 401, 403, 404, 409) },
  },
  'GET /alerts/:id/assignees': { params: IdParams, response: { 200: Type.Array(AssigneeSchema), ...errors(401, 403, 404) } },
  'POST /alerts/:id/assign': { params: IdParams, body: AssignBodySchema, response: { 200: AlertSchema, ...errors(400, 401, 403, 404, 409) } },
  'POST /alerts/:id/feedback': { params: IdParams, body: FeedbackBodySchema, response: { 200: AlertSchema, ...errors(400, 401, 403, 404, 409) } },
  'POST /alerts/:id/verify': { params: IdParams, body: VerifyBodySchema, response: { 200: AlertSchema, ...errors(400, 401, 403, 404, 409) } },
  'POST /alerts/:id/comments': { params: IdParams, body: CommentBodySchema, response: { 201: AlertHistorySchema, ...errors(400, 401, 403, 404, 409) } },
  'GET /alerts/:id/evidence': { params: IdParams, response: { 200: EvidenceSchema, ...errors(401, 403, 404) } },
  'GET /alerts/export.csv': {
    querystring: AlertExportQuerySchema,
    response: { 200: Type.String({ description: 'text/csv; charset=utf-8, with a byte order mark' }), ...errors(400, 401, 403) },
  },
  'POST /handovers': { body: HandoverBodySchema, response: { 201: HandoverSchema, ...errors(400, 401, 403, 404) } },
  'GET /handovers/latest': {
    querystring: HandoverAreaQuerySchema,
    response: { 200: Type.Object({ handover: Nullable(HandoverSchema) }), ...errors(400, 401, 403, 404) },
  },
  'POST /handovers/:id/acknowledge': { params: IdParams, response: { 200: HandoverSchema, ...errors(401, 403, 404, 409) } },
  'GET /handovers/summary': { querystring: HandoverSummaryQuerySchema, response: { 200: HandoverSummarySchema, ...errors(400, 401, 403, 404) } },
  'POST /webhooks': {
    body: Type.Object({
      url: Text(2000, { minLength: 8, description: 'https URL of a public address (see docs/alerts.md).' }),
      areaId: IdParam,
      minSeverity: Type.Optional(Type.Enum(SEVERITIES, { description: 'Default info.' })),
      subscriptions: Type.Optional(Subscriptions),
    }, { additionalProperties: false }),
    response: { 201: Type.Object({ webhook: WebhookSchema, secret: Type.String({ description: 'Shown once: store it in the receiver now.' }) }), ...errors(400, 401, 403, 404) },
  },
  'GET /webhooks': { response: { 200: Type.Array(WebhookSchema), ...errors(401, 403) } },
  'PATCH /webhooks/:id': {
    params: IdParams,
    body: Type.Object({
      subscriptions: Type.Optional(Subscriptions),
      minSeverity: Type.Optional(Type.Enum(SEVERITIES, { description: 'The alert threshold.' })),
    }, { additionalProperties: false, minProperties: 1 }),
    response: { 200: WebhookSchema, ...errors(400, 401, 403, 404) },
  },
  'DELETE /webhooks/:id': { params: IdParams, response: { 204: Type.Null(), ...errors(401, 403, 404) } },
  'GET /webhooks/:id/deliveries': {
    params: IdParams,
    querystring: Type.Object({
      pending: Type.Optional(Type.Boolean({ description: 'Only deliveries not yet accepted.' })),
      beforeSeq: Type.Optional(SeqInput(1)),
      limit: Type.Optional(LimitInput(1000)),
    }, { additionalProperties: false }),
    response: { 200: Type.Array(DeliverySchema), ...errors(401, 403, 404) },
  },
} as const

export type Webhook = Static<typeof WebhookSchema>
export type Delivery = Static<typeof DeliverySchema>
