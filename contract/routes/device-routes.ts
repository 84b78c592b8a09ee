// Request and response schemas of the device routes, keyed by `METHOD /path`
// (see registry-routes.ts).

import Type, { type Static } from 'typebox'
import { COMMAND_NAMES, ID_PATTERN } from '../../protocol/topics.ts'
import { COMMAND_STATUSES, DEVICE_KINDS, KEY_ROTATIONS, READER_FACINGS } from '../vocabulary.ts'
import { DateTimeStr, errors, IdParams, Int, Nullable, Text } from '../schemas/fields.ts'
import { DeviceSchema, DeviceStatsSchema, MqttConnectionSchema } from '../schemas/registry.ts'

export const ProvisionedSchema = Type.Object({ device: DeviceSchema, mqtt: MqttConnectionSchema })

export const CommandRecordSchema = Type.Object({
  requestId: Type.String(),
  command: Type.Enum(COMMAND_NAMES),
  sentAt: DateTimeStr(),
  status: Type.Enum(COMMAND_STATUSES, { description: '`sent`: waiting for the reply; `no_reply`: none within 30 s.' }),
  repliedAt: Nullable(DateTimeStr()),
  error: Nullable(Type.Object({ code: Type.String(), message: Type.String() })),
})

/** GET /broker/stats (admin). */
export const BrokerStatsSchema = Type.Object({
  accepted: Type.Integer(),
  rejected: Type.Record(Type.String(), Type.Integer()),
  aclViolations: Type.Record(Type.String(), Type.Integer()),
  refusedConnections: Type.Record(Type.String(), Type.Integer()),
  guardViolations: Type.Record(Type.String(), Type.Integer()),
  connectedDevices: Type.Integer(),
  trackedDevices: Type.Integer(),
  connectedPeople: Type.Integer({ description: 'dispatch connections (people receiving alerts)' }),
  endedPersonSessions: Type.Integer({ description: 'people disconnected because their session token stopped being valid' }),
  eventLog: Type.Optional(Type.Object({
    journaled: Type.Integer({ description: 'events made durable in the journal and acknowledged' }),
    inDatabase: Type.Integer({ description: 'events copied into the database since the start (a replayed journal included)' }),
    behind: Type.Integer({ description: 'journaled events not in the database yet' }),
    oldestBehindMs: Type.Integer({ description: 'how long the oldest of them has waited for the database, ms' }),
    backlogFull: Type.Boolean({ description: 'so many wait that acknowledgements are held until the database catches up' }),
    duplicates: Type.Integer({ description: 'copies dropped (redeliveries, replays)' }),
    seqReused: Type.Integer({ description: 'events refused because their seq was used before' }),
    setAside: Type.Integer({ description: 'events whose values the database refused, kept in DATA_DIR/journal/unindexable.jsonl' }),
    databaseErrors: Type.Integer({ description: 'failed attempts to copy into the database (retried)' }),
    journalFailed: Type.Boolean({ description: 'a journal write failed: no event is acknowledged until the platform restarts' }),
    journalError: Nullable(Type.String({ description: 'the system error of that failure, e.g. ENOSPC (disk full) or EIO' })),
  })),
  pipeline: Type.Optional(Type.Object({
    events: Type.Integer({ description: 'events judged since the start (a replay included)' }),
    committed: Type.Integer({ description: 'alert candidates committed since the start' }),
    commitFailures: Type.Integer({ description: 'failed commit attempts (retried; or split when the database refused values)' }),
    uncommitted: Type.Integer({ description: 'alert candidates waiting to be committed' }),
    oldestUncommittedMs: Type.Integer({ description: 'how long the oldest of them has waited, ms' }),
    commitFailingMs: Type.Integer({ description: 'how long commits have been failing without a success, ms' }),
    setAside: Type.Integer({ description: 'alert candidates the database refused, kept in the pipeline_set_aside table (all runs)' }),
    ruleFailures: Type.Record(Type.String(), Type.Integer(), { description: 'inputs each rule failed on (threw), by rule; `state` is the state tracker' }),
    enrichFailures: Type.Integer({ description: 'events that could not be prepared for the rules (none judged them)' }),
    rulesStopped: Type.Boolean({ description: 'the rules stopped: nothing is judged until the platform restarts' }),
  })),
  liveStreams: Type.Optional(Type.Object({
    open: Type.Integer({ description: 'open GET /alerts/stream connections' }),
    dropped: Type.Integer({ description: 'streams closed because the console fell too far behind' }),
    refused: Type.Object({
      account: Type.Integer({ description: 'refused: the account had STREAM_MAX_PER_ACCOUNT open' }),
      address: Type.Integer({ description: 'refused: the address had STREAM_MAX_PER_ADDRESS open' }),
      total: Type.Integer({ description: 'refused: STREAM_MAX_TOTAL were open' }),
    }),
    limits: Type.Object({ perAccount: Type.Integer(), perAddress: Type.Integer(), total: Type.Integer() }),
  }, { description: 'the live alert stream (SSE) and its connection limits' })),
})

export const deviceRoutes = {
  'POST /buildings/:id/devices': {
    params: IdParams,
    body: Type.Object({
      id: Type.Optional(Type.String({ pattern: ID_PATTERN, description: 'Device id, also its MQTT client id. Administrators may choose it (e.g. a serial number); for everyone else the platform does: read it from the answer.' })),
      door: Type.String({ pattern: ID_PATTERN, description: 'The door the device guards or watches.' }),
      kind: Type.Enum(DEVICE_KINDS),
      faces: Type.Optional(Type.Enum(READER_FACINGS, { description: 'Readers only: which side of the door it reads, `in` (a reader outside, an exit button inside), `out` or `both` (default). A camera with it is refused (400).' })),
      vendor: Type.Optional(Text(100, { minLength: 1, description: 'Taken from the account for vendor users.' })),
      model: Text(100, { minLength: 1 }),
    }, { additionalProperties: false }),
    response: { 201: ProvisionedSchema, ...errors(400, 401, 403, 404, 409) },
  },
  'GET /buildings/:id/devices': { params: IdParams, response: { 200: Type.Array(DeviceSchema), ...errors(401, 403, 404) } },
  'GET /broker/stats': { response: { 200: BrokerStatsSchema, ...errors(401, 403) } },
  'GET /devices': { response: { 200: Type.Array(DeviceSchema), ...errors(401) } },
  'GET /devices/:id': { params: IdParams, response: { 200: Type.Object({ device: DeviceSchema, status: DeviceStatsSchema }), ...errors(401, 404) } },
  'GET /devices/:id/commands': { params: IdParams, response: { 200: Type.Array(CommandRecordSchema), ...errors(401, 404) } },
  'PATCH /devices/:id': {
    params: IdParams,
    body: Type.Object({ enabled: Type.Boolean() }, { additionalProperties: false }),
    response: { 200: DeviceSchema, ...errors(400, 401, 403, 404) },
  },
  'DELETE /devices/:id': { params: IdParams, response: { 204: Type.Null(), ...errors(401, 403, 404) } },
  'POST /devices/:id/rotate-secret': {
    params: IdParams,
    body: Type.Object({
      allowlistKey: Type.Optional(Type.Enum(KEY_ROTATIONS, { description: '`new` (default): issue a new allow-list key with the secret; `keep`: the reader keeps the key it holds (the answer\'s `allowlistKey` is null).' })),
    }, { additionalProperties: false, description: 'Optional: no body is `{}`.' }),
    response: { 200: ProvisionedSchema, ...errors(400, 401, 403, 404) },
  },
  'POST /devices/:id/approve': { params: IdParams, response: { 200: DeviceSchema, ...errors(401, 403, 404) } },
  'POST /devices/:id/open-door': {
    params: IdParams,
    body: Type.Object({
      durationS: Type.Optional(Int(1, 300)),
      reason: Text(200, { minLength: 1 }),
    }, { additionalProperties: false }),
    response: { 202: Type.Object({ requestId: Type.String() }), ...errors(400, 401, 403, 404, 409) },
  },
} as const

export type Provisioned = Static<typeof ProvisionedSchema>
export type CommandRecord = Static<typeof CommandRecordSchema>
export type BrokerStats = Static<typeof BrokerStatsSchema>
