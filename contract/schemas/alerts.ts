// Alerts as the API shows them: the alert, its history, the list query and
// page, the live stream's ticket and events. platform/alerts/ derives its
// types from these.

import Type, { type Static } from 'typebox'
import {
  ALERT_ACTIONS, ALERT_CHANGE_KINDS, ALERT_STAGES, ALERT_STATUSES, ALERT_TYPES, CLOSURE_REASONS, SEVERITIES, STREAM_CLOSE_REASONS,
} from '../vocabulary.ts'
import { DateTimeInput, DateTimeStr, IdParam, Int, LimitInput, Nullable, Text } from './fields.ts'

const DateTime = DateTimeStr()

/** Where an alert belongs: the areas above the building, for routing to dispatch. */
export const JurisdictionSchema = Type.Object({ district: Nullable(Type.String()), street: Nullable(Type.String()), community: Nullable(Type.String()), grid: Type.String() })

/** What an alert says, as data: worded per language by contract/alert-wording.ts (docs/alerts.md#reasons). */
export const AlertReasonSchema = Type.Object({
  code: Type.String({ description: 'One sentence of a rule, e.g. `unknown_credential.presented` (docs/alerts.md#reasons).' }),
  params: Type.Record(Type.String(), Type.Unknown(), {
    description: 'What the sentence needs: door, room number, masked credential, counts, seconds, ISO times; never a full card or ID number.',
  }),
})

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
  explanation: Type.String({ description: 'The English wording of `reason` when it was written.' }),
  reason: Type.Union([AlertReasonSchema, Type.Null()], {
    description: 'What the explanation says, as data, for wording it in the reader\'s language; null for alerts raised before it was kept (show `explanation`).',
  }),
  acknowledgedBy: Nullable(Type.String()),
  acknowledgedAt: Nullable(DateTime),
  resolvedBy: Nullable(Type.String()),
  resolvedAt: Nullable(DateTime),
  resolutionNote: Nullable(Type.String()),
  autoResolved: Type.Boolean({ description: 'Resolved by the platform because the condition cleared.' }),
  stage: Type.Enum(ALERT_STAGES, {
    description: 'Handling workflow: reported (发现上报) -> dispatched (指挥派遣) -> feedback (处置反馈) -> verified (任务核查) -> archived (事件归档, = resolved).',
  }),
  assigneeId: Nullable(Type.String({ description: 'The grid worker dispatched to it.' })),
  assigneeName: Nullable(Type.String({ description: 'Display name of the assignee.' })),
  assignedAt: Nullable(DateTime),
  closureReason: Nullable(Type.Enum(CLOSURE_REASONS, { description: 'Given by whoever resolved it; null when the platform resolved it.' })),
  escalationLevel: Type.Integer({ minimum: 0, maximum: 2, description: '0: with its own area; 1: raised to the street; 2: to the district, for want of an acknowledgement in time.' }),
  escalatedTo: Nullable(Type.String({ description: 'Id of the area it was last raised to.' })),
  escalatedAt: Nullable(DateTime),
})

export const AlertHistorySchema = Type.Object({
  seq: Type.Integer(), at: DateTime, actorId: Nullable(Type.String()),
  actorName: Nullable(Type.String({ description: 'Display name of the actor; null: the platform itself.' })),
  action: Type.Enum(ALERT_ACTIONS),
  note: Nullable(Type.String()), detail: Type.Record(Type.String(), Type.Unknown(), {
    description: 'By action: assigned {assigneeId, assigneeName, previousAssigneeId}; feedback {photoRef}; verified / verification_rejected ' +
      '{accepted}; resolved {closureReason} or {auto: true}; escalated_to_parent {fromLevel, toLevel, areaId, afterS}; escalated {from, to} (severity).',
  }),
})

export const AlertWithHistorySchema = Type.Object({ ...AlertSchema.properties, history: Type.Array(AlertHistorySchema) })

export const AlertListQuerySchema = Type.Object({
  status: Type.Optional(Type.Enum([...ALERT_STATUSES, 'live'], { description: 'live = open or acknowledged.' })),
  type: Type.Optional(Type.Enum(ALERT_TYPES)),
  buildingId: Type.Optional(IdParam),
  severity: Type.Optional(Type.Enum(SEVERITIES, { description: 'Exactly this severity.' })),
  minSeverity: Type.Optional(Type.Enum(SEVERITIES, { description: 'This severity or higher.' })),
  since: Type.Optional(DateTimeInput('Latest occurrence at or after this time.')),
  stage: Type.Optional(Type.Enum(ALERT_STAGES)),
  assignee: Type.Optional(Type.String({ pattern: '^(me|[A-Za-z0-9_-]{1,64})$', description: '`me`: the alerts assigned to you; or a user id.' })),
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

// ---------------------------------------------------------------- workflow requests

export const AssignBodySchema = Type.Object({
  assigneeId: IdParam,
  note: Type.Optional(Text(1000, { minLength: 1 })),
}, { additionalProperties: false })

export const FeedbackBodySchema = Type.Object({
  note: Text(2000, { minLength: 1, description: 'What the assignee found and did on site.' }),
  photoRef: Type.Optional(Text(500, { minLength: 1, description: 'A reference (URI, file id) to a photo kept elsewhere; never the image.' })),
}, { additionalProperties: false })

export const VerifyBodySchema = Type.Object({
  accepted: Type.Boolean({ description: 'true: verified; false: back to the assignee (stage dispatched).' }),
  note: Type.Optional(Text(1000, { minLength: 1 })),
}, { additionalProperties: false })

export const ResolveBodySchema = Type.Object({
  note: Text(1000, { minLength: 1 }),
  closureReason: Type.Enum(CLOSURE_REASONS),
}, { additionalProperties: false })

export const CommentBodySchema = Type.Object({ text: Text(2000, { minLength: 1 }) }, { additionalProperties: false })

/** A grid worker an alert may be assigned to. */
export const AssigneeSchema = Type.Object({ id: Type.String(), displayName: Type.String(), areaId: Type.String(), areaPath: Type.String() })

// ---------------------------------------------------------------- evidence

export const EvidenceEventSchema = Type.Object({
  ref: Type.String({ description: '`deviceId/eventId`.' }),
  deviceId: Type.String(),
  eventId: Type.String(),
  channel: Type.String({ description: 'event/access, event/door, event/line, event/person, status.' }),
  at: DateTime,
  door: Nullable(Type.String()),
  direction: Nullable(Type.String({ description: 'access, line crossing: in or out.' })),
  result: Nullable(Type.String({ description: 'access: granted or denied.' })),
  denyReason: Nullable(Type.String()),
  doorState: Nullable(Type.String({ description: 'door events: opened, closed, forced_open, held_open, tamper.' })),
  credential: Nullable(Type.Object({
    kind: Type.String(),
    masked: Type.String({ description: 'The value read, masked: first 2 and last 2 characters (PIN: "entered").' }),
    credentialId: Nullable(Type.String()),
  })),
  count: Nullable(Type.Integer({ description: 'Cameras: people counted.' })),
  snapshotRef: Nullable(Type.String({ description: 'Cameras: reference to a snapshot kept on the device or NVR.' })),
})

export const EvidenceSchema = Type.Object({
  alertId: Type.String(),
  events: Type.Array(EvidenceEventSchema, { description: 'The alert\'s evidence references resolved, in their order.' }),
  missing: Type.Array(Type.String(), { description: 'References no longer in the event log (retention).' }),
  timelines: Type.Array(Type.Object({
    door: Type.String(), from: DateTime, to: DateTime,
    events: Type.Array(EvidenceEventSchema),
  }), { description: 'Every event at the door of each evidence event, one minute either side (at most 3 doors).' }),
  room: Nullable(Type.Object({
    roomId: Type.String(), capacity: Type.Integer(), activeRegistrations: Type.Integer(),
  }, { description: 'Overcrowding: the room now.' })),
  lastPassage: Nullable(EvidenceEventSchema),
})

// ---------------------------------------------------------------- export

export const AlertExportQuerySchema = Type.Object({
  since: DateTimeInput('Resolved at or after this time.'),
  until: Type.Optional(DateTimeInput('Resolved before this time (default now); at most 366 days after since.')),
}, { additionalProperties: false })

// ---------------------------------------------------------------- handover

export const HandoverSchema = Type.Object({
  id: Type.String(),
  areaId: Type.String(),
  note: Type.String(),
  createdBy: Type.String(),
  createdByName: Type.String(),
  createdAt: DateTime,
  acknowledged: Type.Boolean(),
  acknowledgedBy: Nullable(Type.String()),
  acknowledgedByName: Nullable(Type.String()),
  acknowledgedAt: Nullable(DateTime),
})

export const HandoverBodySchema = Type.Object({
  note: Text(4000, { minLength: 1 }),
  areaId: Type.Optional(IdParam),
}, { additionalProperties: false })

export const HandoverAreaQuerySchema = Type.Object({
  areaId: Type.Optional(IdParam),
}, { additionalProperties: false })

export const HandoverSummaryQuerySchema = Type.Object({
  areaId: Type.Optional(IdParam),
  since: Type.Optional(DateTimeInput('Escalations since (default: the latest handover of the area, or 12 hours ago).')),
}, { additionalProperties: false })

export const HandoverSummarySchema = Type.Object({
  areaId: Type.String(),
  since: DateTime,
  liveAlerts: Type.Array(Type.Object({
    id: Type.String(), type: Type.Enum(ALERT_TYPES), severity: Type.Enum(SEVERITIES), status: Type.Enum(ALERT_STATUSES),
    stage: Type.Enum(ALERT_STAGES), buildingId: Type.String(), assigneeId: Nullable(Type.String()), assigneeName: Nullable(Type.String()),
    escalationLevel: Type.Integer(), createdAt: DateTime,
  }), { description: 'Open and acknowledged alerts of the area, oldest first, at most 500.' }),
  counts: Type.Object({ open: Type.Integer(), acknowledged: Type.Integer(), assigned: Type.Integer(), unassigned: Type.Integer() }),
  escalations: Type.Array(Type.Object({
    alertId: Type.String(), at: DateTime, toLevel: Type.Integer(), areaId: Nullable(Type.String()),
  }), { description: 'Escalations to a parent area since `since`.' }),
  offlineDevices: Int(0, 1_000_000, 'Devices of the area with a live device_offline alert.'),
})

export type Jurisdiction = Static<typeof JurisdictionSchema>
export type Alert = Static<typeof AlertSchema>
export type AlertHistoryEntry = Static<typeof AlertHistorySchema>
export type AlertWithHistory = Static<typeof AlertWithHistorySchema>
export type AlertListQuery = Static<typeof AlertListQuerySchema>
export type AlertPage = Static<typeof AlertPageSchema>
export type StreamTicket = Static<typeof StreamTicketSchema>
export type AlertStreamEvent = Static<typeof AlertStreamEventSchema>
export type AlertStreamClose = Static<typeof AlertStreamCloseSchema>
export type AssignBody = Static<typeof AssignBodySchema>
export type FeedbackBody = Static<typeof FeedbackBodySchema>
export type VerifyBody = Static<typeof VerifyBodySchema>
export type ResolveBody = Static<typeof ResolveBodySchema>
export type Assignee = Static<typeof AssigneeSchema>
export type EvidenceEvent = Static<typeof EvidenceEventSchema>
export type Evidence = Static<typeof EvidenceSchema>
export type AlertExportQuery = Static<typeof AlertExportQuerySchema>
export type Handover = Static<typeof HandoverSchema>
export type HandoverSummary = Static<typeof HandoverSummarySchema>
