import { randomUUID } from 'node:crypto'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ROUTES } from '../../../contract/routes/index.ts'
import { deviceSubscriptionFilters, deviceTopic, LAST_WILL_PAYLOAD, PROTOCOL_REVISION, UPLINK_CHANNELS } from '../../../protocol/index.ts'
import { Errors } from '../../errors.ts'
import { writeAudit } from '../../registry/audit-log.ts'
import { loadBuilding } from '../../registry/buildings.ts'
import type { IssuedDevice } from '../../registry/devices.ts'
import type { Registry } from '../../registry/registry.ts'
import type { DeviceConnectivity } from '../device-connectivity.ts'

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
      ...ROUTES['POST /buildings/:id/devices'],
    },
  }, async (req, reply) => {
    const issued = await registry.devices.provision(req.actor, req.params.id, req.body)
    return reply.status(201).send({ device: issued.device, mqtt: connection(issued) })
  })

  app.get('/buildings/:id/devices', {
    schema: { tags: ['devices'], summary: 'Devices of a building', ...ROUTES['GET /buildings/:id/devices'] },
  }, async (req) => registry.devices.list(req.actor, req.params.id))

  app.get('/broker/stats', {
    schema: {
      tags: ['devices'],
      summary: 'Broker-wide counters (admin): messages accepted and rejected, ACL violations, refused connections (unknown client, wrong secret, disabled, throttled, ...), MQTT protocol violations, the event log (journaled, in the database, behind), the pipeline (alerts committed and waiting, set aside, rule failures), live alert streams (open, refused by limit)',
      ...ROUTES['GET /broker/stats'],
    },
  }, async (req) => {
    if (req.actor.role !== 'admin') throw new Errors.Forbidden('only administrators read broker-wide counters')
    return devices.totals()
  })

  app.get('/devices', {
    schema: { tags: ['devices'], summary: 'Devices in your scope', ...ROUTES['GET /devices'] },
  }, async (req) => registry.devices.listAll(req.actor))

  app.get('/devices/:id', {
    schema: {
      tags: ['devices'],
      summary: 'A device with its live connection state and message counters (accepted, rejected by code, last rejection)',
      ...ROUTES['GET /devices/:id'],
    },
  }, async (req) => {
    const device = await registry.devices.get(req.actor, req.params.id)
    return { device, status: devices.counters(device.id) }
  })

  app.get('/devices/:id/commands', {
    schema: {
      tags: ['devices'],
      summary: 'The latest commands sent to a device (allow-list syncs, open-door, config) and what became of each: sent, ok, error (with the device\'s reason) or no_reply after 30 s',
      ...ROUTES['GET /devices/:id/commands'],
    },
  }, async (req) => {
    const device = await registry.devices.get(req.actor, req.params.id)
    return devices.commands(device.id)
  })

  app.patch('/devices/:id', {
    schema: {
      tags: ['devices'],
      summary: 'Disable (disconnects it and refuses its logins) or re-enable a device. A vendor can enable only a device its own organisation disabled (else 403 RH_DISABLED_BY_LANDLORD).',
      ...ROUTES['PATCH /devices/:id'],
    },
  }, async (req) => registry.devices.setEnabled(req.actor, req.params.id, req.body.enabled))

  app.delete('/devices/:id', {
    schema: {
      tags: ['devices'],
      summary: 'Delete a device (landlord of the building, admin): it is disconnected and its login, secret and allow-list key are gone at once. Its past events stay until the event retention removes them; the ledger and the audit log record the deletion.',
      ...ROUTES['DELETE /devices/:id'],
    },
  }, async (req, reply) => {
    await registry.devices.remove(req.actor, req.params.id)
    return reply.status(204).send(null)
  })

  app.post('/devices/:id/rotate-secret', {
    schema: {
      tags: ['devices'],
      summary: 'Issue a new secret and (readers) a new allow-list key, or keep the reader\'s key; the old secret stops working and a connected device is disconnected. A vendor\'s rotation with a new key (or of another vendor\'s device) needs the landlord\'s approval again; one that keeps the key keeps the approval.',
      ...ROUTES['POST /devices/:id/rotate-secret'],
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
      ...ROUTES['POST /devices/:id/approve'],
    },
  }, async (req) => registry.devices.approve(req.actor, req.params.id))

  app.post('/devices/:id/open-door', {
    schema: {
      tags: ['devices'],
      summary: 'Send an open-door command to a connected, approved reader (landlord, admin); GET /devices/{id}/commands shows its outcome',
      ...ROUTES['POST /devices/:id/open-door'],
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
