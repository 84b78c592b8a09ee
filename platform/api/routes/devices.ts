import { randomUUID } from 'node:crypto'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { COMMAND_NAMES, deviceSubscriptionFilters, deviceTopic, ID_PATTERN, LAST_WILL_PAYLOAD, PROTOCOL_REVISION, UPLINK_CHANNELS } from '../../../protocol/index.ts'
import { Errors } from '../../errors.ts'
import { writeAudit } from '../../registry/audit-log.ts'
import { loadBuilding } from '../../registry/buildings.ts'
import type { IssuedDevice } from '../../registry/devices.ts'
import { DEVICE_KINDS, KEY_ROTATIONS } from '../../registry/devices.ts'
import type { Registry } from '../../registry/registry.ts'
import type { DeviceConnectivity } from '../device-connectivity.ts'
import { DateTimeStr, DeviceSchema, DeviceStatsSchema, errors, IdParams, Int, MqttConnectionSchema, Nullable, Text } from '../schemas.ts'

const ProvisionedSchema = Type.Object({ device: DeviceSchema, mqtt: MqttConnectionSchema })

const CommandRecordSchema = Type.Object({
  requestId: Type.String(),
  command: Type.Enum(COMMAND_NAMES),
  sentAt: DateTimeStr(),
  status: Type.Enum(['sent', 'ok', 'error', 'no_reply'], { description: '`sent`: waiting for the reply; `no_reply`: none within 30 s.' }),
  repliedAt: Nullable(DateTimeStr()),
  error: Nullable(Type.Object({ code: Type.String(), message: Type.String() })),
})

export const deviceRoutes: FastifyPluginAsyncTypebox<{ registry: Registry; devices: DeviceConnectivity }> = async (app, { registry, devices }) => {
  const connection = ({ device, secret, allowlistKey }: IssuedDevice) => {
    const { url, wsUrl, tlsUrl, wssUrl } = devices.endpoints()
    return {
      url,
      wsUrl,
      tlsUrl,
      wssUrl,
      clientId: device.id,
      username: device.id,
      password: secret,
      allowlistKey,
      protocolRevision: PROTOCOL_REVISION,
      will: { topic: deviceTopic(device.buildingId, device.id, 'status'), payload: LAST_WILL_PAYLOAD, qos: 1 as const, retain: true as const },
      publish: UPLINK_CHANNELS.map((c) => deviceTopic(device.buildingId, device.id, c)),
      subscribe: [...deviceSubscriptionFilters(device.buildingId, device.id)],
    }
  }

  app.post('/buildings/:id/devices', {
    schema: {
      tags: ['devices'],
      summary: 'Provision a reader or camera. The response holds its MQTT credentials and, for a reader, its allow-list key; both are shown only this once. A vendor\'s device waits for approval (POST /devices/{id}/approve).',
      params: IdParams,
      body: Type.Object({
        id: Type.Optional(Type.String({ pattern: ID_PATTERN, description: 'Device id, also its MQTT client id. Administrators may choose it (e.g. a serial number); for everyone else the platform does: read it from the answer.' })),
        door: Type.String({ pattern: ID_PATTERN, description: 'The door the device guards or watches.' }),
        kind: Type.Enum(DEVICE_KINDS),
        vendor: Type.Optional(Text(100, { minLength: 1, description: 'Taken from the account for vendor users.' })),
        model: Text(100, { minLength: 1 }),
      }, { additionalProperties: false }),
      response: { 201: ProvisionedSchema, ...errors(400, 401, 403, 404, 409) },
    },
  }, async (req, reply) => {
    const issued = await registry.devices.provision(req.actor, req.params.id, req.body)
    return reply.status(201).send({ device: issued.device, mqtt: connection(issued) })
  })

  app.get('/buildings/:id/devices', {
    schema: { tags: ['devices'], summary: 'Devices of a building', params: IdParams, response: { 200: Type.Array(DeviceSchema), ...errors(401, 403, 404) } },
  }, async (req) => registry.devices.list(req.actor, req.params.id))

  app.get('/broker/stats', {
    schema: {
      tags: ['devices'],
      summary: 'Broker-wide counters (admin): messages accepted and rejected, ACL violations, refused connections (unknown client, wrong secret, disabled, throttled, ...), MQTT protocol violations, the event log (journaled, in the database, behind), the pipeline (alerts committed and waiting, set aside, rule failures), live alert streams (open, refused by limit)',
      response: {
        200: Type.Object({
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
        }),
        ...errors(401, 403),
      },
    },
  }, async (req) => {
    if (req.actor.role !== 'admin') throw new Errors.Forbidden('only administrators read broker-wide counters')
    return devices.totals()
  })

  app.get('/devices', {
    schema: { tags: ['devices'], summary: 'Devices in your scope', response: { 200: Type.Array(DeviceSchema), ...errors(401) } },
  }, async (req) => registry.devices.listAll(req.actor))

  app.get('/devices/:id', {
    schema: {
      tags: ['devices'], summary: 'A device with its live connection state and message counters (accepted, rejected by code, last rejection)',
      params: IdParams,
      response: { 200: Type.Object({ device: DeviceSchema, status: DeviceStatsSchema }), ...errors(401, 404) },
    },
  }, async (req) => {
    const device = await registry.devices.get(req.actor, req.params.id)
    return { device, status: devices.counters(device.id) }
  })

  app.get('/devices/:id/commands', {
    schema: {
      tags: ['devices'],
      summary: 'The latest commands sent to a device (allow-list syncs, open-door, config) and what became of each: sent, ok, error (with the device\'s reason) or no_reply after 30 s',
      params: IdParams,
      response: { 200: Type.Array(CommandRecordSchema), ...errors(401, 404) },
    },
  }, async (req) => {
    const device = await registry.devices.get(req.actor, req.params.id)
    return devices.commands(device.id)
  })

  app.patch('/devices/:id', {
    schema: {
      tags: ['devices'], summary: 'Disable (disconnects it and refuses its logins) or re-enable a device. A vendor can enable only a device its own organisation disabled (else 403 RH_DISABLED_BY_LANDLORD).',
      params: IdParams,
      body: Type.Object({ enabled: Type.Boolean() }, { additionalProperties: false }),
      response: { 200: DeviceSchema, ...errors(400, 401, 403, 404) },
    },
  }, async (req) => registry.devices.setEnabled(req.actor, req.params.id, req.body.enabled))

  app.post('/devices/:id/rotate-secret', {
    schema: {
      tags: ['devices'],
      summary: 'Issue a new secret and (readers) a new allow-list key, or keep the reader\'s key; the old secret stops working and a connected device is disconnected. A vendor\'s rotation with a new key (or of another vendor\'s device) needs the landlord\'s approval again; one that keeps the key keeps the approval.',
      params: IdParams,
      body: Type.Object({
        allowlistKey: Type.Optional(Type.Enum(KEY_ROTATIONS, { description: '`new` (default): issue a new allow-list key with the secret; `keep`: the reader keeps the key it holds (the answer\'s `allowlistKey` is null).' })),
      }, { additionalProperties: false, description: 'Optional: no body is `{}`.' }),
      response: { 200: ProvisionedSchema, ...errors(400, 401, 403, 404) },
    },
    // The body is optional: none reads as `{}` (checked like any other).
    preValidation: async (req) => { req.body ??= {} },
  }, async (req) => {
    const issued = await registry.devices.rotateSecret(req.actor, req.params.id, req.body.allowlistKey)
    return { device: issued.device, mqtt: connection(issued) }
  })

  app.post('/devices/:id/approve', {
    schema: {
      tags: ['devices'],
      summary: 'Approve a device a vendor provisioned (landlord of the building, admin): it then receives the allow-list and door commands, and its events are judged. Audited; in the building ledger.',
      params: IdParams, response: { 200: DeviceSchema, ...errors(401, 403, 404) },
    },
  }, async (req) => registry.devices.approve(req.actor, req.params.id))

  app.post('/devices/:id/open-door', {
    schema: {
      tags: ['devices'], summary: 'Send an open-door command to a connected, approved reader (landlord, admin); GET /devices/{id}/commands shows its outcome',
      params: IdParams,
      body: Type.Object({
        durationS: Type.Optional(Int(1, 300)),
        reason: Text(200, { minLength: 1 }),
      }, { additionalProperties: false }),
      response: { 202: Type.Object({ requestId: Type.String() }), ...errors(400, 401, 403, 404, 409) },
    },
  }, async (req, reply) => {
    const device = await registry.devices.get(req.actor, req.params.id)
    // Opening doors is for those who manage the building.
    await loadBuilding(registry.ctx.db, req.actor, device.buildingId, 'building.manage')
    if (device.kind !== 'reader') throw new Errors.BadRequest('only readers open doors')
    if (!device.approved) throw new Errors.DeviceNotApproved(`device ${device.id} waits for the landlord's approval`)
    if (!devices.isConnected(device.id)) throw new Errors.Conflict(`device ${device.id} is not connected`)
    const requestId = randomUUID()
    const payload: { requestId: string; ts: string; door: string; reason: string; durationS?: number } = {
      requestId, ts: new Date().toISOString(), door: device.door, reason: req.body.reason,
    }
    if (req.body.durationS !== undefined) payload.durationS = req.body.durationS
    // Who opened which door, and why, outlives the in-memory command log: written before the command goes out.
    await writeAudit(registry.ctx.db, req.actor, 'device.open_door', { type: 'device', id: device.id }, {
      buildingId: device.buildingId, door: device.door, reason: req.body.reason, ...(req.body.durationS === undefined ? {} : { durationS: req.body.durationS }), requestId,
    })
    await devices.sendCommand(device.buildingId, device.id, 'open-door', payload)
    return reply.status(202).send({ requestId })
  })
}
