import type { ServerResponse } from 'node:http'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ROUTES } from '../../../contract/routes/index.ts'
import { AlertEvidence } from '../../alerts/alert-evidence.ts'
import { exportResolvedCsv } from '../../alerts/alert-export.ts'
import type { AlertService } from '../../alerts/alert-service.ts'
import { Handovers } from '../../alerts/handovers.ts'
import { EventHistory } from '../../events/event-history.ts'
import type { LiveStream, LiveSubscriber } from '../../alerts/live-stream.ts'
import { Errors } from '../../errors.ts'
import type { StreamSession, StreamTickets } from '../../registry/stream-tickets.ts'
import { tokenHash, type Users } from '../../registry/users.ts'
import { sessionToken } from '../session-cookie.ts'

export interface AlertRoutesOptions {
  alerts: AlertService
  live: LiveStream
  /** Resolves the stream's token and checks its session again at every heartbeat (registry.users). */
  users: Pick<Users, 'actorForToken' | 'actorForSession'>
  /** Stream tickets, for clients that cannot send headers (registry.streamTickets). */
  tickets: Pick<StreamTickets, 'issue' | 'redeem'>
  /** Interval of the stream's heartbeat comments; default 15 s. */
  heartbeatMs?: number
  /** The event history the evidence timelines come from (default: one on the alerts' database that does not wait for the log). */
  history?: Pick<EventHistory, 'door'>
}

export const alertRoutes: FastifyPluginAsyncTypebox<AlertRoutesOptions> = async (app, { alerts, live, users, tickets, heartbeatMs = 15_000, history }) => {
  const evidence = new AlertEvidence(alerts.database, history ?? new EventHistory(alerts.database))
  const handovers = new Handovers(alerts.database, alerts.clock)

  // Open streams would keep app.close() waiting: end them first.
  const streams = new Set<LiveSubscriber>()
  app.addHook('preClose', async () => {
    for (const s of [...streams]) s.close('server_shutdown')
  })

  app.get('/alerts', {
    schema: {
      tags: ['alerts'],
      summary: 'Alerts in your scope, newest first (landlords: their buildings; grid workers, police: their area; vendors: none)',
      ...ROUTES['GET /alerts'],
    },
  }, async (req) => alerts.list(req.actor, req.query))

  app.post('/alerts/stream/ticket', {
    schema: {
      tags: ['alerts'],
      summary: 'A single-use ticket for GET /alerts/stream?ticket=, valid 60 s, for clients that cannot send headers (browser EventSource)',
      ...ROUTES['POST /alerts/stream/ticket'],
    },
  }, async (req, reply) => {
    if (req.actor.role === 'vendor') throw new Errors.Forbidden('device vendors do not receive alerts')
    const token = sessionToken(req)
    if (token === undefined) throw new Errors.Unauthenticated('send Authorization: Bearer <token>, or the session cookie')
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
      tags: ['alerts'],
      summary: 'Live alert changes in your scope as Server-Sent Events',
      description: 'Each change is `event: alert` with data `{kind, alert}` (kind: opened, updated, acknowledged, resolved, assigned, feedback, ' +
        'verified, verification_rejected, commented, escalated_to_parent); a comment line every 15 s keeps ' +
        'the connection open. Send `Authorization: Bearer <token>`, or, where headers cannot be set (browser EventSource), `?ticket=<ticket>` ' +
        'from POST /alerts/stream/ticket (once, within 60 s, from the same address). `?access_token=` is refused (400). ' +
        'A consumer too slow to keep up gets `event: close` with data `{reason: "slow_consumer"}` and is disconnected: reconnect and resync with GET /alerts?status=live.',
      ...ROUTES['GET /alerts/stream'],
    },
  }, async (req, reply) => {
    const { actor, sessionHash } = await streamSession(sessionToken(req), req.query, req.ip)
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
    schema: { tags: ['alerts'], summary: 'One alert with its history (who acknowledged or resolved it, when, why)', ...ROUTES['GET /alerts/:id'] },
  }, async (req) => alerts.get(req.actor, req.params.id))

  app.post('/alerts/:id/acknowledge', {
    schema: {
      tags: ['alerts'],
      summary: 'Acknowledge an open alert (anyone who sees it)',
      ...ROUTES['POST /alerts/:id/acknowledge'],
    },
  }, async (req) => alerts.acknowledge(req.actor, req.params.id, req.body.note))

  app.post('/alerts/:id/resolve', {
    schema: {
      tags: ['alerts'],
      summary: 'Resolve an open or acknowledged alert with a note (police, grid workers, admin)',
      ...ROUTES['POST /alerts/:id/resolve'],
    },
  }, async (req) => alerts.resolve(req.actor, req.params.id, req.body.note, req.body.closureReason))

  app.get('/alerts/:id/assignees', {
    schema: { tags: ['alerts'], summary: 'Grid workers the alert may be assigned to (police, admin)', ...ROUTES['GET /alerts/:id/assignees'] },
  }, async (req) => alerts.assignees(req.actor, req.params.id))

  app.post('/alerts/:id/assign', {
    schema: {
      tags: ['alerts'],
      summary: 'Dispatch (指挥派遣) a reported or dispatched alert to a grid worker of its area (police, admin); acknowledges an open alert',
      ...ROUTES['POST /alerts/:id/assign'],
    },
  }, async (req) => alerts.assign(req.actor, req.params.id, req.body.assigneeId, req.body.note))

  app.post('/alerts/:id/feedback', {
    schema: { tags: ['alerts'], summary: 'On-site feedback (处置反馈) by the assignee', ...ROUTES['POST /alerts/:id/feedback'] },
  }, async (req) => alerts.feedback(req.actor, req.params.id, req.body.note, req.body.photoRef))

  app.post('/alerts/:id/verify', {
    schema: {
      tags: ['alerts'],
      summary: 'Verify (任务核查) the feedback (police, admin): accepted -> verified, rejected -> back to dispatched',
      ...ROUTES['POST /alerts/:id/verify'],
    },
  }, async (req) => alerts.verify(req.actor, req.params.id, req.body.accepted, req.body.note))

  app.post('/alerts/:id/comments', {
    schema: { tags: ['alerts'], summary: 'Add a comment to the alert\'s history', ...ROUTES['POST /alerts/:id/comments'] },
  }, async (req, reply) => reply.status(201).send(await alerts.comment(req.actor, req.params.id, req.body.text)))

  app.get('/alerts/:id/evidence', {
    schema: {
      tags: ['alerts'],
      summary: 'The events behind the alert, the timeline at their doors one minute either side, and what a condition is about now',
      description: 'Movement records are personal data: the read is written to the audit log (alert.evidence.read, and events.door.read per timeline).',
      ...ROUTES['GET /alerts/:id/evidence'],
    },
  }, async (req) => evidence.get(req.actor, req.params.id))

  app.get('/alerts/export.csv', {
    schema: {
      tags: ['alerts'],
      summary: 'Alerts resolved in a time range, in your scope, as CSV (UTF-8 with BOM; English column names and codes)',
      ...ROUTES['GET /alerts/export.csv'],
    },
  }, async (req, reply) => {
    const csv = await exportResolvedCsv(alerts.database, req.actor, req.query, alerts.clock())
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="alerts.csv"')
      .send(csv)
  })

  app.post('/handovers', {
    schema: { tags: ['alerts'], summary: 'Write the shift handover note of your area (police; admin with areaId)', ...ROUTES['POST /handovers'] },
  }, async (req, reply) => reply.status(201).send(await handovers.create(req.actor, req.body)))

  app.get('/handovers/latest', {
    schema: { tags: ['alerts'], summary: 'The latest handover note of your area, who wrote it, whether it was acknowledged', ...ROUTES['GET /handovers/latest'] },
  }, async (req) => handovers.latest(req.actor, req.query))

  app.post('/handovers/:id/acknowledge', {
    schema: { tags: ['alerts'], summary: 'Acknowledge a handover note (the next shift: police of the area other than its writer, admin)', ...ROUTES['POST /handovers/:id/acknowledge'] },
  }, async (req) => handovers.acknowledge(req.actor, req.params.id))

  app.get('/handovers/summary', {
    schema: {
      tags: ['alerts'],
      summary: 'What the next shift takes over: live alerts with owner and stage, escalations since, devices offline',
      ...ROUTES['GET /handovers/summary'],
    },
  }, async (req) => handovers.summary(req.actor, req.query))
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
