// Every route of the REST API with its schemas, keyed by `METHOD /path`
// (Fastify's path syntax). The server and the client share this table.

import { alertRoutes } from './alert-routes.ts'
import { deviceRoutes } from './device-routes.ts'
import { exchangeRoutes } from './exchange-routes.ts'
import { healthRoutes } from './health-routes.ts'
import { kpiRoutes } from './kpi-routes.ts'
import { landlordRoutes } from './landlord-routes.ts'
import { patrolRoutes } from './patrol-routes.ts'
import { permitRoutes } from './permit-routes.ts'
import { policyRoutes } from './policy-routes.ts'
import { protocolRoutes } from './protocol-routes.ts'
import { recordRoutes } from './record-routes.ts'
import { registryRoutes } from './registry-routes.ts'

export const ROUTES = {
  ...healthRoutes, ...registryRoutes, ...deviceRoutes, ...recordRoutes, ...alertRoutes, ...protocolRoutes, ...landlordRoutes, ...policyRoutes,
  ...exchangeRoutes, ...patrolRoutes, ...permitRoutes, ...kpiRoutes,
} as const
export type Routes = typeof ROUTES
export type RouteKey = keyof Routes

export * from './alert-routes.ts'
export * from './device-routes.ts'
export * from './exchange-routes.ts'
export * from './health-routes.ts'
export * from './kpi-routes.ts'
export * from './landlord-routes.ts'
export * from './patrol-routes.ts'
export * from './permit-routes.ts'
export * from './protocol-routes.ts'
export * from './record-routes.ts'
export * from './registry-routes.ts'
