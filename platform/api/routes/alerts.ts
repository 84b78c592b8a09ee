import type { ServerResponse } from 'node:http'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import type { AlertService } from '../../alerts/alert-service.ts'
import type { LiveStream, LiveSubscriber } from '../../alerts/live-stream.ts'
import { ALERT_ACTIONS, ALERT_STATUSES } from '../../alerts/model.ts'
import { Errors } from '../../errors.ts'
import { ALERT_TYPES, SEVERITIES } from '../../pipeline/model.ts'
import type { StreamSession, StreamTickets } from '../../registry/stream-tickets.ts'
import { tokenHash, type Users } from '../../registry/users.ts'
import { bearerToken } from '../auth.ts'
import { DateTimeInput, DateTimeStr, errors, IdParam, IdParams, LimitInput, Nullable, Text } from '../schemas.ts'

const DateTime = DateTimeStr()

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
  jurisdiction: Type.Object({ district: Nullable(Type.String()), street: Nullable(Type.String()), community: Nullable(Type.String()), grid: Type.String() }),
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

const HistorySchema = Type.Object({
  seq: Type.Integer(), at: DateTime, actorId: Nullable(Type.String()), action: Type.Enum(ALERT_ACTIONS),
  note: Nullable(Type.String()), detail: Type.Record(Type.String(), Type.Unknown()),
})

const AlertWithHistorySchema = Type.Object({ ...AlertSchema.properties, history: Type.Array(HistorySchema) })

const ListQuery = Type.Object({
  status: Type.Optional(Type.Enum([...ALERT_STATUSES, 'live'], { description: 'live = open or acknowledged.' })),
  type: Type.Optional(Type.Enum(ALERT_TYPES)),
  buildingId: Type.Optional(IdParam),
  severity: Type.Optional(Type.Enum(SEVERITIES, { description: 'Exactly this severity.' })),
  minSeverity: Type.Optional(Type.Enum(SEVERITIES, { description: 'This severity or higher.' })),
  since: Type.Optional(DateTimeInput('Latest occurrence at or after this time.')),
  limit: Type.Optional(LimitInput(1000, 'Default 100.')),
  cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,16}$', description: 'nextCursor of the previous page.' })),
}, { additionalProperties: false })

export interface AlertRoutesOptions {
  alerts: AlertService
  live: LiveStream
  /** Resolves the stream's token and checks its session again at every heartbeat (registry.users). */
  users: Pick<Users, 'actorForToken' | 'actorForSession'>
  /** Stream tickets, for clients that cannot send headers (registry.streamTickets). */
  tickets: Pick<StreamTickets, 'issue' | 'redeem'>
  /** Interval of the stream's heartbeat comments; default 15 s. */
  heartbeatMs?: number
}

const TICKET = '^[A-Za-z0-9_-]{20,100}$'

export const alertRoutes: FastifyPluginAsyncTypebox<AlertRoutesOptions> = async (app, { alerts, live, users, tickets, heartbeatMs = 15_000 }) => {
  // Open streams would keep app.close() waiting: end them first.
  const streams = new Set<LiveSubscriber>()
  app.addHook('preClose', async () => {
    for (const s of [...streams]) s.close('server_shutdown')
  })

  app.get('/alerts', {
    schema: {
      tags: ['alerts'], summary: 'Alerts in your scope, newest first (landlords: their buildings; grid workers, police: their area; vendors: none)',
      querystring: ListQuery,
      response: { 200: Type.Object({ items: Type.Array(AlertSchema), nextCursor: Nullable(Type.String()) }), ...errors(400, 401, 403) },
    },
  }, async (req) => alerts.list(req.actor, req.query))

  app.post('/alerts/stream/ticket', {
    schema: {
      tags: ['alerts'], summary: 'A single-use ticket for GET /alerts/stream?ticket=, valid 60 s, for clients that cannot send headers (browser EventSource)',
      response: { 201: Type.Object({ ticket: Type.String(), expiresAt: Type.String({ format: 'date-time' }) }), ...errors(401, 403, 429, 503) },
    },
  }, async (req, reply) => {
    if (req.actor.role === 'vendor') throw new Errors.Forbidden('device vendors do not receive alerts')
    const token = bearerToken(req)
    if (token === undefined) throw new Errors.Unauthenticated('send Authorization: Bearer <token>')
    return reply.status(201).send(await tickets.issue(token, req.ip))
  })

  /** The session a stream request comes with: its bearer token, or a ticket taken now. */
  async function streamSession (token: string | undefined, query: { ticket?: string; access_token?: string }, ip: string): Promise<StreamSession> {
    if (query.access_token !== undefined) {
      throw new Errors.BadRequest('access_token is not accepted (a session token in a URL ends up in logs): send Authorization: Bearer <token>, ' +
        'or get a ticket from POST /alerts/stream/ticket and pass ?ticket=<ticket>')
    }
    if (token !== undefined) {
      const actor = await users.actorForToken(token)
      if (actor === undefined) throw new Errors.Unauthenticated('token unknown or expired; log in again')
      return { actor, sessionHash: tokenHash(token) }
    }
    if (query.ticket !== undefined) {
      const session = await tickets.redeem(query.ticket, ip)
      if (session === undefined) throw new Errors.Unauthenticated('ticket unknown, used, expired or issued to another address; get a new one')
      return session
    }
    throw new Errors.Unauthenticated('send Authorization: Bearer <token>, or ?ticket= from POST /alerts/stream/ticket')
  }

  app.get('/alerts/stream', {
    config: { public: true },
    schema: {
      tags: ['alerts'], summary: 'Live alert changes in your scope as Server-Sent Events',
      description: 'Each change is `event: alert` with data `{kind: opened|updated|acknowledged|resolved, alert}`; a comment line every 15 s keeps ' +
        'the connection open. Send `Authorization: Bearer <token>`, or, where headers cannot be set (browser EventSource), `?ticket=<ticket>` ' +
        'from POST /alerts/stream/ticket (once, within 60 s, from the same address). `?access_token=` is refused (400). ' +
        'A consumer too slow to keep up gets `event: close` with data `{reason: "slow_consumer"}` and is disconnected: reconnect and resync with GET /alerts?status=live.',
      querystring: Type.Object({
        ticket: Type.Optional(Type.String({ pattern: TICKET })),
        access_token: Type.Optional(Type.String({ description: 'No longer accepted: answered 400 with a pointer to tickets.' })),
      }, { additionalProperties: false }),
      response: { 200: Type.String({ description: 'text/event-stream' }), ...errors(400, 401, 403, 503) },
    },
  }, async (req, reply) => {
    const { actor, sessionHash } = await streamSession(bearerToken(req), req.query, req.ip)
    if (actor.role === 'vendor') throw new Errors.Forbidden('device vendors do not receive alerts')
    actor.ip = req.ip
    const sub = live.subscribe(actor)
    streams.add(sub)
    reply.hijack()
    const res = reply.raw
    res.on('error', () => sub.close('client_disconnected'))
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    })
    res.write('retry: 3000\n: connected\n\n')
    const heartbeat = setInterval(() => {
      res.write(': heartbeat\n\n')
      // A session that ended (logout, expiry, account disabled) ends the stream too.
      users.actorForSession(sessionHash).then((a) => { if (a === undefined) sub.close('session_ended') }, () => {})
    }, heartbeatMs)
    res.on('close', () => sub.close('client_disconnected'))
    void sub.closed.then((reason) => {
      streams.delete(sub)
      clearInterval(heartbeat)
      if (res.destroyed || res.writableEnded) return
      res.end(`event: close\ndata: ${JSON.stringify({ reason })}\n\n`)
      // A consumer that stopped reading would hold the socket open; cut it after a grace period.
      setTimeout(() => { if (!res.writableFinished) res.destroy() }, 5000).unref()
    })
    void pump(sub, res)
    return reply
  })

  app.get('/alerts/:id', {
    schema: { tags: ['alerts'], summary: 'One alert with its history (who acknowledged or resolved it, when, why)', params: IdParams, response: { 200: AlertWithHistorySchema, ...errors(401, 404) } },
  }, async (req) => alerts.get(req.actor, req.params.id))

  app.post('/alerts/:id/acknowledge', {
    schema: {
      tags: ['alerts'], summary: 'Acknowledge an open alert (anyone who sees it)',
      params: IdParams,
      body: Type.Object({ note: Type.Optional(Text(1000, { minLength: 1 })) }, { additionalProperties: false }),
      response: { 200: AlertSchema, ...errors(400, 401, 404, 409) },
    },
  }, async (req) => alerts.acknowledge(req.actor, req.params.id, req.body.note))

  app.post('/alerts/:id/resolve', {
    schema: {
      tags: ['alerts'], summary: 'Resolve an open or acknowledged alert with a note (police, grid workers, admin)',
      params: IdParams,
      body: Type.Object({ note: Text(1000, { minLength: 1 }) }, { additionalProperties: false }),
      response: { 200: AlertSchema, ...errors(400, 401, 403, 404, 409) },
    },
  }, async (req) => alerts.resolve(req.actor, req.params.id, req.body.note))
}

/** Writes changes as they come, waiting for the socket to drain (the subscriber's buffer absorbs the wait). */
async function pump (sub: LiveSubscriber, res: ServerResponse): Promise<void> {
  for await (const change of sub) {
    if (res.destroyed || res.writableEnded) break
    const ok = res.write(`event: alert\ndata: ${JSON.stringify({ kind: change.kind, alert: change.alert })}\n\n`)
    if (!ok) {
      await new Promise<void>((resolve) => {
        const done = (): void => { res.off('drain', done); res.off('close', done); resolve() }
        res.on('drain', done)
        res.on('close', done)
        void sub.closed.then(done)
      })
    }
  }
}
