// Bulk import of tenants (a CSV or XLSX body: a preview, then its commit), the
// import template and the list of its columns, and the export of a building's
// register (CSV, XLSX; ID numbers masked, audited).

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyError, FastifyReply } from 'fastify'
import { CSV_TYPE, IMPORT_MAX_BYTES, XLSX_TYPE } from '../../../contract/routes/landlord-routes.ts'
import { ROUTES } from '../../../contract/routes/index.ts'
import { Errors } from '../../errors.ts'
import { registerRows, renderRows, templateRows, type FileFormat } from '../../registry/register-files.ts'
import type { Registry } from '../../registry/registry.ts'
import { TENANT_COLUMNS } from '../../registry/tenant-columns.ts'
import { TenantImports } from '../../registry/tenant-import.ts'
import { errorHandler } from '../error-handler.ts'

export const FILE_TYPES: Record<FileFormat, string> = { csv: `${CSV_TYPE}; charset=utf-8`, xlsx: XLSX_TYPE }

/** Fastify's own refusals of a body (too large, a content type no parser takes), as the catalogue's coded 400. */
export function bodyRefusal (err: FastifyError): Error {
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new Errors.BadRequest(`the file is larger than ${IMPORT_MAX_BYTES / 1024 / 1024} MB`)
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || err.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH' || err.code === 'FST_ERR_CTP_EMPTY_TYPE') {
    return new Errors.BadRequest(`send the file as ${CSV_TYPE} or ${XLSX_TYPE}`)
  }
  return err
}

export const sendFile = (reply: FastifyReply, format: FileFormat, name: string, file: Buffer): FastifyReply =>
  reply.type(FILE_TYPES[format]).header('content-disposition', `attachment; filename="${name}.${format}"`).header('cache-control', 'no-store').send(file)

export const tenantFileRoutes: FastifyPluginAsyncTypebox<{ registry: Registry }> = async (app, { registry }) => {
  const imports = new TenantImports(registry.ctx, registry.registrations)
  // This plugin's routes only: the raw file, bounded.
  app.addContentTypeParser([CSV_TYPE, XLSX_TYPE], { parseAs: 'buffer', bodyLimit: IMPORT_MAX_BYTES }, (_req, body, done) => { done(null, body) })
  app.setErrorHandler((err: FastifyError, req, reply) => errorHandler(bodyRefusal(err) as FastifyError, req, reply))

  app.get('/imports/columns', {
    schema: { tags: ['landlord'], summary: 'The columns of a tenant import, with their Chinese and English headers', ...ROUTES['GET /imports/columns'] },
  }, async () => TENANT_COLUMNS.map((c) => ({ key: c.key, header: c.header, required: c.required, description: c.description })))

  for (const format of ['csv', 'xlsx'] as const) {
    app.get(`/imports/template.${format}`, {
      schema: { tags: ['landlord'], summary: `The tenant import template (${format.toUpperCase()})`, ...ROUTES[`GET /imports/template.${format}`] },
    }, async (_req, reply) => sendFile(reply, format, 'tenants-template', await renderRows(templateRows(), format, '租户')))

    app.get(`/buildings/:id/register.${format}`, {
      schema: {
        tags: ['landlord'],
        summary: `The register of active registrations (${format.toUpperCase()}), ID numbers masked; audited`,
        ...ROUTES[`GET /buildings/:id/register.${format}`],
      },
    }, async (req, reply) => {
      const rows = await registerRows(registry.ctx, req.actor, req.params.id, format)
      return sendFile(reply, format, `register-${req.params.id}`, await renderRows(rows, format, '登记'))
    })
  }

  app.post('/buildings/:id/imports', {
    bodyLimit: IMPORT_MAX_BYTES,
    schema: {
      tags: ['landlord'],
      summary: 'Preview a bulk import of tenants from a CSV or XLSX file: per row the registration or its errors; changes nothing',
      consumes: [CSV_TYPE, XLSX_TYPE],
      ...ROUTES['POST /buildings/:id/imports'],
    },
  }, async (req, reply) => {
    if (!Buffer.isBuffer(req.body)) throw new Errors.BadRequest(`send the file as ${CSV_TYPE} or ${XLSX_TYPE}`)
    return reply.status(201).send(await imports.preview(req.actor, req.params.id, req.headers['content-type'], req.body))
  })

  app.post('/buildings/:id/imports/:previewId/commit', {
    schema: {
      tags: ['landlord'],
      summary: 'Register the valid rows of a preview, each in its own transaction; the answer reports per row',
      ...ROUTES['POST /buildings/:id/imports/:previewId/commit'],
    },
  }, async (req) => imports.commit(req.actor, req.params.id, req.params.previewId))
}
