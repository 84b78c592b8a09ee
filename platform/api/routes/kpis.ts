// The KPIs (docs/policy.md "KPIs"): today's figures with the snapshots over a
// range, the cases behind one KPI, the monthly report, and the figures as a
// CSV or Excel file.

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ROUTES } from '../../../contract/routes/index.ts'
import { kpiFileRows } from '../../policy/kpi-files.ts'
import type { Kpis } from '../../policy/kpi-service.ts'
import { renderRows } from '../../registry/register-files.ts'
import { sendFile } from './tenant-files.ts'

export const kpiRoutes: FastifyPluginAsyncTypebox<{ kpis: Kpis }> = async (app, { kpis }) => {
  app.get('/kpis', {
    schema: { tags: ['policy'], summary: 'KPIs of an area, a building, or everything in your scope: today\'s figures, one level down, and daily snapshots', ...ROUTES['GET /kpis'] },
  }, async (req) => kpis.live(req.actor, req.query))

  app.get('/kpis/cases', {
    schema: { tags: ['policy'], summary: 'The cases behind one KPI (ids, room, resident\'s name masked); audited', ...ROUTES['GET /kpis/cases'] },
  }, async (req) => kpis.cases(req.actor, req.query))

  app.get('/kpis/monthly', {
    schema: { tags: ['policy'], summary: 'The monthly KPI report of an area or building', ...ROUTES['GET /kpis/monthly'] },
  }, async (req) => kpis.monthly(req.actor, req.query))

  for (const format of ['csv', 'xlsx'] as const) {
    app.get(`/kpis.${format}`, {
      schema: { tags: ['policy'], summary: `The KPIs as a file (${format.toUpperCase()})`, ...ROUTES[`GET /kpis.${format}`] },
    }, async (req, reply) => {
      const view = await kpis.live(req.actor, req.query)
      return sendFile(reply, format, `kpis-${view.subject.id}`, await renderRows(kpiFileRows(view), format, 'KPI'))
    })
  }
}
