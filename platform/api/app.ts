// The HTTP API as a Fastify app built from plugins. `platform.ts` makes it
// listen; tests call `app.inject`.

import cookie from '@fastify/cookie'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { HTTP_DEFAULTS } from '../config.ts'
import { ERROR_CODES } from '../errors.ts'
import { logRequest } from '../logger.ts'
import type { Actor } from '../registry/access.ts'
import type { AlertService } from '../alerts/alert-service.ts'
import type { LiveStream } from '../alerts/live-stream.ts'
import type { Webhooks } from '../alerts/webhooks.ts'
import type { EventHistory } from '../events/event-history.ts'
import type { GradeProposals } from '../policy/grade-proposals.ts'
import type { HouseScores } from '../policy/house-scores.ts'
import type { Patrols } from '../policy/patrols.ts'
import { PermitWatch } from '../policy/permit-watch.ts'
import { Reconciliations } from '../policy/reconciliation.ts'
import { VacancyProposals } from '../policy/vacancy.ts'
import type { Kpis } from '../policy/kpi-service.ts'
import type { Registry } from '../registry/registry.ts'
import { authPlugin } from './auth.ts'
import { CONSOLE_DIST } from '../console/console-build.ts'
import { consoleRoutes } from '../console/console-routes.ts'
import type { DeviceConnectivity } from './device-connectivity.ts'
import { errorHandler } from './error-handler.ts'
import { RequestLog } from './request-log.ts'
import { alertRoutes } from './routes/alerts.ts'
import { areaRoutes } from './routes/areas.ts'
import { auditRoutes } from './routes/audit.ts'
import { authRoutes } from './routes/auth.ts'
import { buildingRoutes } from './routes/buildings.ts'
import { deviceRoutes } from './routes/devices.ts'
import { eventRoutes } from './routes/events.ts'
import { healthRoutes, type HealthCheck, type LivenessCheck } from './routes/health.ts'
import { kpiRoutes } from './routes/kpis.ts'
import { landlordRoutes } from './routes/landlord.ts'
import { tenantFileRoutes } from './routes/tenant-files.ts'
import { exchangeRoutes } from './routes/exchange.ts'
import { NO_PRESENCE, type PresenceReader } from '../registry/presence-port.ts'
import { moveRoutes } from './routes/moves.ts'
import { patrolRoutes } from './routes/patrols.ts'
import { permitRoutes } from './routes/permits.ts'
import { policyRoutes } from './routes/policy.ts'
import { protocolRoutes } from './routes/protocol.ts'
import { registrationRoutes } from './routes/registrations.ts'
import { residentRoutes } from './routes/residents.ts'
import { roomRoutes } from './routes/rooms.ts'
import { userRoutes } from './routes/users.ts'
import { visitorPassRoutes } from './routes/visitor-passes.ts'
import { webhookRoutes } from './routes/webhooks.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated person; set by the auth plugin on every non-public route. */
    actor: Actor
  }
  interface FastifyContextConfig {
    /** Route needs no bearer token. */
    public?: boolean
  }
}

export interface AppDeps {
  registry: Registry
  alerts: AlertService
  live: LiveStream
  webhooks: Webhooks
  history: EventHistory
  devices: DeviceConnectivity
  /** What the pipeline believes about presence (occupancy, the inbox); default: nothing known. */
  presence?: PresenceReader
  /** House scores, grade proposals, door plates and patrols (docs/policy.md). */
  policy: { scores: HouseScores; proposals: GradeProposals; patrols: Patrols }
  /** The KPIs (docs/policy.md "KPIs"). */
  kpis: Kpis
  health: HealthCheck
  /** GET /health/live: the process serves and its event loop turns. */
  liveness: LivenessCheck
  logger?: Logger
  version?: string
  /** The built consoles served at `/`; default dashboards/dist (see platform/console/). */
  consoleDist?: string
  /** Limits of the HTTP server (HTTP_MAX_CONNECTIONS, HTTP_REQUEST_TIMEOUT_S) and the trusted proxies (TRUST_PROXY); defaults HTTP_DEFAULTS. */
  server?: { maxConnections: number; requestTimeoutMs: number; trustProxy: readonly string[] }
}

export type App = FastifyInstance<any, any, any, any, TypeBoxTypeProvider>

export async function buildApp (deps: AppDeps): Promise<App> {
  const { maxConnections, requestTimeoutMs, trustProxy } = deps.server ?? HTTP_DEFAULTS
  const app = Fastify({
    // A client that never finishes its request (slowloris) is cut off; Fastify's default is no limit at all.
    // Streams are not affected: the timeout ends once the request is in. Idle keep-alive sockets are closed
    // after Fastify's 72 s, longer than the idle timeout of common load balancers.
    requestTimeout: requestTimeoutMs,
    http: {
      headersTimeout: Math.min(requestTimeoutMs, 10_000),
      // How often Node looks for requests past their timeout (its default, 30 s, would let them run on).
      connectionsCheckingInterval: Math.min(requestTimeoutMs, 5_000),
    },
    // Request lines never carry credentials: URLs are redacted, headers left out (logger.ts).
    loggerInstance: deps.logger?.child({}, { serializers: { req: logRequest } }),
    // One line per request, at debug (request-log.ts).
    logController: new RequestLog(),
    // request.ip is the socket's address, or the X-Forwarded-For address a trusted proxy (TRUST_PROXY) names:
    // the login throttle, the stream limits and the audit's address all count on it.
    trustProxy: trustProxy.length === 0 ? false : [...trustProxy],
    bodyLimit: 256 * 1024,
    // Reject unknown fields instead of silently dropping them.
    ajv: { customOptions: { removeAdditional: false, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>()

  // Sockets beyond this are closed by Node as soon as they are accepted.
  app.server.maxConnections = maxConnections

  app.setErrorHandler(errorHandler)
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ statusCode: 404, code: 'RH_NOT_FOUND', error: 'Not Found', message: `no route ${request.method} ${request.url}` })
  })

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Rental-block access platform API',
        version: deps.version ?? '0.1.0',
        description: 'Registry of buildings, rooms, residents and devices; register on arrival, deregister on departure; ' +
          'alerts with their lifecycle, webhooks and a live stream for dispatch. ' +
          `Errors are {statusCode, code, error, message}; codes: ${[...ERROR_CODES, 'RH_VALIDATION', 'RH_INTERNAL'].join(', ')}.`,
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })
  await app.register(cookie)
  await app.register(authPlugin, { users: deps.registry.users })

  await app.register(healthRoutes, { health: deps.health, liveness: deps.liveness })
  await app.register(authRoutes, { registry: deps.registry })
  await app.register(userRoutes, { registry: deps.registry })
  await app.register(areaRoutes, { registry: deps.registry })
  await app.register(buildingRoutes, { registry: deps.registry })
  await app.register(roomRoutes, { registry: deps.registry })
  await app.register(registrationRoutes, { registry: deps.registry })
  await app.register(residentRoutes, { registry: deps.registry })
  await app.register(moveRoutes, { registry: deps.registry })
  await app.register(visitorPassRoutes, { registry: deps.registry })
  await app.register(deviceRoutes, { registry: deps.registry, devices: deps.devices })
  await app.register(auditRoutes, { registry: deps.registry })
  await app.register(eventRoutes, { history: deps.history })
  await app.register(policyRoutes, deps.policy)
  await app.register(patrolRoutes, { patrols: deps.policy.patrols })
  // Stateless services over the registry: the jobs in platform.ts use their own instances.
  await app.register(permitRoutes, {
    permits: new PermitWatch(deps.registry.ctx), vacancy: new VacancyProposals(deps.registry.ctx), reconciliations: new Reconciliations(deps.registry.ctx),
  })
  await app.register(kpiRoutes, { kpis: deps.kpis })
  await app.register(alertRoutes, { alerts: deps.alerts, live: deps.live, users: deps.registry.users, tickets: deps.registry.streamTickets, history: deps.history })
  await app.register(webhookRoutes, { webhooks: deps.webhooks })
  await app.register(protocolRoutes)
  await app.register(landlordRoutes, { registry: deps.registry, presence: deps.presence ?? NO_PRESENCE })
  await app.register(tenantFileRoutes, { registry: deps.registry })
  await app.register(exchangeRoutes, { registry: deps.registry, history: deps.history })
  await app.register(consoleRoutes, { dist: deps.consoleDist ?? CONSOLE_DIST })
  await app.ready()
  return app
}
