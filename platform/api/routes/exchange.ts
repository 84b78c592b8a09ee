// Data exchange with other departments: export and import of buildings,
// rooms, registrations and residents (CSV, XLSX, JSON), and access events as
// police platforms take them (JSON pages and CSV). See docs/api.md#data-exchange.

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyError } from 'fastify'
import { CSV_TYPE, IMPORT_MAX_BYTES, XLSX_TYPE } from '../../../contract/routes/landlord-routes.ts'
import { EXCHANGE_COLUMNS } from '../../exchange/exchange-columns.ts'
import { ROUTES } from '../../../contract/routes/index.ts'
import { Errors } from '../../errors.ts'
import { accessRecordRows, AccessRecords } from '../../exchange/access-records.ts'
import { exportDataset, exportRows } from '../../exchange/exchange-export.ts'
import { ExchangeImports } from '../../exchange/exchange-import.ts'
import { jsonRows } from '../../exchange/exchange-columns.ts'
import type { EventHistory } from '../../events/event-history.ts'
import { renderRows } from '../../registry/register-files.ts'
import type { Registry } from '../../registry/registry.ts'
import { writeCsv } from '../../registry/csv.ts'
import { readRows } from '../../registry/tenant-import.ts'
import { errorHandler } from '../error-handler.ts'
import { bodyRefusal, sendFile } from './tenant-files.ts'

export const exchangeRoutes: FastifyPluginAsyncTypebox<{ registry: Registry; history: EventHistory }> = async (app, { registry, history }) => {
  const imports = new ExchangeImports(registry.ctx)
  // Read when a request comes: the OpenAPI document is built from an app without an event log.
  const records = new AccessRecords(registry.ctx, async () => await history.caughtUp())
  app.addContentTypeParser([CSV_TYPE, XLSX_TYPE], { parseAs: 'buffer', bodyLimit: IMPORT_MAX_BYTES }, (_req, body, done) => { done(null, body) })
  app.setErrorHandler((err: FastifyError, req, reply) => errorHandler(bodyRefusal(err) as FastifyError, req, reply))

  app.get('/exchange/:dataset', {
    schema: {
      tags: ['exchange'],
      summary: 'Export buildings, rooms, registrations or residents (JSON, CSV, XLSX): police for their jurisdiction, admin all; ID numbers masked unless asked whole with a reason; audited',
      ...ROUTES['GET /exchange/:dataset'],
    },
  }, async (req, reply) => {
    const file = await exportDataset(registry.ctx, req.actor, req.params.dataset, req.query)
    const format = req.query.format ?? 'json'
    if (format === 'json') return reply.header('cache-control', 'no-store').send(file)
    return sendFile(reply, format, `${req.params.dataset}-${file.exportedAt.slice(0, 10)}`, await renderRows(exportRows(file), format, req.params.dataset))
  })

  app.post('/exchange/:dataset/import', {
    bodyLimit: IMPORT_MAX_BYTES,
    schema: {
      tags: ['exchange'],
      summary: 'Import buildings, rooms or registrations (CSV, XLSX, JSON), all or nothing; rows matched by stable keys, so the same file twice changes nothing. Admin only',
      consumes: [CSV_TYPE, XLSX_TYPE],
      ...ROUTES['POST /exchange/:dataset/import'],
    },
  }, async (req) => {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
    let rows
    if (type === 'application/json') {
      rows = jsonRows(req.body, EXCHANGE_COLUMNS[req.params.dataset])
      if (rows === null) throw new Errors.BadRequest('send JSON as {"rows": [{"buildingId": "...", ...}]}')
    } else {
      if (!Buffer.isBuffer(req.body)) throw new Errors.BadRequest(`send the file as ${CSV_TYPE}, ${XLSX_TYPE} or application/json`)
      rows = await readRows(req.headers['content-type'], req.body)
    }
    return imports.run(req.actor, req.params.dataset, rows, { dryRun: req.query.dryRun === true })
  })

  app.get('/access-records', {
    schema: {
      tags: ['exchange'],
      summary: 'Access events of an area or a building as records for police platforms: who (masked by role), their house, when and how; paginated; audited',
      ...ROUTES['GET /access-records'],
    },
  }, async (req) => records.list(req.actor, req.query))

  app.get('/access-records.csv', {
    schema: { tags: ['exchange'], summary: 'The same records as CSV, one page at a time; audited', ...ROUTES['GET /access-records.csv'] },
  }, async (req, reply) => {
    const page = await records.list(req.actor, req.query)
    if (page.nextAfterLogSeq !== null) reply.header('x-next-after-log-seq', String(page.nextAfterLogSeq))
    return sendFile(reply, 'csv', 'access-records', writeCsv(accessRecordRows(page.items)))
  })
}
