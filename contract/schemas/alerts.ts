// Alerts as the API shows them: the alert, its history, the list query and
// page, the live stream's ticket and events. platform/alerts/ derives its
// types from these.

import Type, { type Static } from 'typebox'
import { ALERT_ACTIONS, ALERT_CHANGE_KINDS, ALERT_STATUSES, ALERT_TYPES, SEVERITIES, STREAM_CLOSE_REASONS } from '../vocabulary.ts'
import { DateTimeInput, DateTimeStr, IdParam, LimitInput, Nullable } from './fields.ts'

const DateTime = DateTimeStr()

/** Where an alert belongs: the areas above the building, for routing to dispatch. */
export const JurisdictionSchema = Type.Object({ district: Nullable(Type.String()), street: Nullable(Type.String()), community: Nullable(Type.String()), grid: Type.String() })

export const AlertSchema = Type.Object({
  id: Type.String(),
  dedupKey: Type.String({ description: 'The condition: one live alert per key.' }),
  type: Type.Enum(ALERT_TYPES),
  severity: Type.Enum(SEVERITIES),
  status: Type.Enum(ALERT_STATUSES),
  buildingId: Type.String(),
  roomId: Nullable(Type.String()),
  door: Nullable(Type.String()),
  deviceId: Nullable(Type.String()),
  credentialId: Nullable(Type.String()),
  residentId: Nullable(Type.String()),
  jurisdiction: JurisdictionSchema,
  areaPath: Type.String(),
  count: Type.Integer({ description: 'Occurrences folded into this alert.' }),
  level: Nullable(Type.Integer({
    description: 'Conditions: how big the condition is now (people inside, registrations, seconds open or off), kept up to date while the alert is live; null for incidents.',
  })),
  firstAt: Type.String({ format: 'date-time', description: 'Event time (device clock) of the first occurrence.' }),
  lastAt: Type.String({ format: 'date-time', description: 'Event time of the latest occurrence.' }),
  createdAt: DateTime,
  updatedAt: DateTime,
  evidence: Type.Array(Type.String(), { description: '`deviceId/eventId` of the events behind it, most recent last, at most 20.' }),
  explanation: Type.String(),
  acknowledgedBy: Nullable(Type.String()),
  acknowledgedAt: Nullable(DateTime),
  resolvedBy: Nullable(Type.String()),
  resolvedAt: Nullable(DateTime),
  resolutionNote: Nullable(Type.String()),
  autoResolved: Type.Boolean({ description: 'Resolved by the platform because the condition cleared.' }),
})

export const AlertHistorySchema = Type.Object({
  seq: Type.Integer(), at: DateTime, actorId: Nullable(Type.String()), action: Type.Enum(ALERT_ACTIONS),
  note: Nullable(Type.String()), detail: Type.Record(Type.String(), Type.Unknown()),
})

export const AlertWithHistorySchema = Type.Object({ ...AlertSchema.properties, history: Type.Array(AlertHistorySchema) })

export const AlertListQuerySchema = Type.Object({
  status: Type.Optional(Type.Enum([...ALERT_STATUSES, 'live'], { description: 'live = open or acknowledged.' })),
  type: Type.Optional(Type.Enum(ALERT_TYPES)),
  buildingId: Type.Optional(IdParam),
  severity: Type.Optional(Type.Enum(SEVERITIES, { description: 'Exactly this severity.' })),
  minSeverity: Type.Optional(Type.Enum(SEVERITIES, { description: 'This severity or higher.' })),
  since: Type.Optional(DateTimeInput('Latest occurrence at or after this time.')),
  limit: Type.Optional(LimitInput(1000, 'Default 100.')),
  cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,16}$', description: 'nextCursor of the previous page.' })),
}, { additionalProperties: false })

export const AlertPageSchema = Type.Object({ items: Type.Array(AlertSchema), nextCursor: Nullable(Type.String()) })

export const StreamTicketSchema = Type.Object({ ticket: Type.String(), expiresAt: Type.String({ format: 'date-time' }) })

export const STREAM_TICKET_PATTERN = '^[A-Za-z0-9_-]{20,100}$'

export const AlertStreamQuerySchema = Type.Object({
  ticket: Type.Optional(Type.String({ pattern: STREAM_TICKET_PATTERN })),
  access_token: Type.Optional(Type.String({ description: 'No longer accepted: answered 400 with a pointer to tickets.' })),
}, { additionalProperties: false })

/** Data of the stream's `event: alert`. */
export const AlertStreamEventSchema = Type.Object({ kind: Type.Enum(ALERT_CHANGE_KINDS), alert: AlertSchema })

/** Data of the stream's `event: close`, sent before the platform ends it. */
export const AlertStreamCloseSchema = Type.Object({ reason: Type.Enum(STREAM_CLOSE_REASONS) })

export type Jurisdiction = Static<typeof JurisdictionSchema>
export type Alert = Static<typeof AlertSchema>
export type AlertHistoryEntry = Static<typeof AlertHistorySchema>
export type AlertWithHistory = Static<typeof AlertWithHistorySchema>
export type AlertListQuery = Static<typeof AlertListQuerySchema>
export type AlertPage = Static<typeof AlertPageSchema>
export type StreamTicket = Static<typeof StreamTicketSchema>
export type AlertStreamEvent = Static<typeof AlertStreamEventSchema>
export type AlertStreamClose = Static<typeof AlertStreamCloseSchema>
