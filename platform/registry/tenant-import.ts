// Bulk import of tenants: a CSV or XLSX file becomes a preview (per row the
// registration it would make, or its errors), which changes nothing but is
// kept, sealed under the data key, for an hour; committing it registers each
// valid row in its own transaction (a row is made whole or not at all) and
// reports per row. Only whoever made the preview commits it, once.

import { randomBytes } from 'node:crypto'
import { readSheet } from 'read-excel-file/node'
import {
  CSV_TYPE, IMPORT_MAX_ROWS, IMPORT_PREVIEW_TTL_MINUTES, XLSX_TYPE, type ImportCommit, type ImportPreview,
} from '../../contract/routes/landlord-routes.ts'
import { Errors, isAppError } from '../errors.ts'
import type { Actor } from './access.ts'
import { writeAudit } from './audit-log.ts'
import { loadBuilding } from './buildings.ts'
import type { RegistryContext } from './context.ts'
import { decodeCsv, parseCsv } from './csv.ts'
import type { RegisterInput, Registrations } from './registrations.ts'
import { mapHeaders, parseTenantRow, shownTenant, type Cell, type ParsedTenant, type RowContext } from './tenant-columns.ts'

interface StoredRow { row: number; tenant: ParsedTenant | null; errors: ImportPreview['rows'][number]['errors'] }

const newPreviewId = (): string => `i-${randomBytes(9).toString('base64url')}`

/** The rows of a file by its content type; a file that is neither CSV nor XLSX is refused. */
export async function readRows (contentType: string | undefined, body: Buffer): Promise<Cell[][]> {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase()
  if (type === CSV_TYPE) return parseCsv(decodeCsv(body))
  if (type === XLSX_TYPE) {
    try {
      return await readSheet(body) as Cell[][]
    } catch {
      throw new Errors.BadRequest('the file is not a spreadsheet that can be read (.xlsx)')
    }
  }
  throw new Errors.BadRequest(`send the file as ${CSV_TYPE} or ${XLSX_TYPE}, not ${type === '' ? 'without a content type' : type}`)
}

/** What registering a tenant row sends (the exchange import registers rows the same way). */
export function registerInput (t: ParsedTenant): RegisterInput {
  return {
    resident: { name: t.name, idType: t.idType, idNumber: t.idNumber, ...(t.phone === null ? {} : { phone: t.phone }) },
    ...(t.arrivedAt === null ? {} : { arrivedAt: t.arrivedAt }),
    ...(t.permitValidUntil === null ? {} : { permitValidUntil: t.permitValidUntil }),
    ...(t.permitType == null ? {} : { permitType: t.permitType }),
    ...(t.leaseUntil === null ? {} : { leaseUntil: t.leaseUntil }),
    minors: t.minors,
    ...(t.card === null ? {} : { credentials: [{ kind: 'card' as const, value: t.card }] }),
  }
}

const isBlank = (cells: readonly Cell[]): boolean => cells.every((c) => c === null || c === undefined || (typeof c === 'string' && c.trim() === ''))

export class TenantImports {
  constructor (private readonly ctx: RegistryContext, private readonly registrations: Registrations) {}

  async preview (actor: Actor, buildingId: string, contentType: string | undefined, body: Buffer): Promise<ImportPreview> {
    const building = await loadBuilding(this.ctx.db, actor, buildingId, 'residents.write')
    const all = await readRows(contentType, body)
    const headerAt = all.findIndex((r) => !isBlank(r))
    if (headerAt < 0) throw new Errors.BadRequest('the file is empty: it needs a header row (GET /imports/template.csv)')
    const { columns, missing } = mapHeaders(all[headerAt]!)
    if (missing.length > 0) throw new Errors.BadRequest(`the header row lacks the column(s) ${missing.join(', ')} (GET /imports/template.csv)`)
    const data = all.slice(headerAt + 1).map((cells, i) => ({ cells, row: headerAt + 2 + i })).filter((r) => !isBlank(r.cells))
    if (data.length === 0) throw new Errors.BadRequest('the file has a header row and no tenants')
    if (data.length > IMPORT_MAX_ROWS) throw new Errors.BadRequest(`at most ${IMPORT_MAX_ROWS} rows per import; this file has ${data.length}`)
    const rooms = await this.ctx.db.query<{ id: string; number: string }>('select id, number from rooms where building_id = $1', [buildingId])
    const rowCtx: RowContext = {
      rooms: new Map(rooms.rows.map((r) => [r.number, r.id])), timeZone: building.time_zone, now: this.ctx.now(), seenIds: new Set(), seenCards: new Set(),
    }
    const stored: StoredRow[] = data.map(({ cells, row }) => ({ row, ...parseTenantRow(cells, row, columns, rowCtx) }))
    const id = newPreviewId()
    const expiresAt = new Date(this.ctx.now().getTime() + IMPORT_PREVIEW_TTL_MINUTES * 60_000)
    const valid = stored.filter((r) => r.tenant !== null).length
    await this.ctx.db.transaction(async (tx) => {
      await tx.query('delete from import_previews where expires_at < $1', [this.ctx.now()])
      await tx.query(
        'insert into import_previews (id, building_id, created_by, expires_at, rows_sealed) values ($1, $2, $3, $4, $5)',
        [id, buildingId, actor.id, expiresAt, this.ctx.vault.encrypt(JSON.stringify(stored))])
      await writeAudit(tx, actor, 'import.previewed', { type: 'building', id: buildingId }, { previewId: id, rows: stored.length, valid })
    })
    return {
      previewId: id,
      buildingId,
      expiresAt: expiresAt.toISOString(),
      valid,
      invalid: stored.length - valid,
      rows: stored.map((r) => ({ row: r.row, registration: r.tenant === null ? null : shownTenant(r.tenant), errors: r.errors })),
    }
  }

  async commit (actor: Actor, buildingId: string, previewId: string): Promise<ImportCommit> {
    await loadBuilding(this.ctx.db, actor, buildingId, 'residents.write')
    // Claimed in one statement: two commits of one preview cannot both run.
    const claimed = await this.ctx.db.query<{ rows_sealed: string }>(
      `update import_previews set committed_at = $4 where id = $1 and building_id = $2 and created_by = $3 and committed_at is null and expires_at > $4
       returning rows_sealed`, [previewId, buildingId, actor.id, this.ctx.now()])
    if (claimed.rows.length === 0) {
      const known = await this.ctx.db.query<{ committed_at: Date | null }>(
        'select committed_at from import_previews where id = $1 and building_id = $2 and created_by = $3', [previewId, buildingId, actor.id])
      if (known.rows[0]?.committed_at != null) throw new Errors.Conflict(`import ${previewId} was committed already`)
      throw new Errors.NotFound(`import ${previewId} (previews are kept for ${IMPORT_PREVIEW_TTL_MINUTES} minutes)`)
    }
    const stored = JSON.parse(this.ctx.vault.decrypt(claimed.rows[0]!.rows_sealed)) as StoredRow[]
    const rows: ImportCommit['rows'] = []
    try {
      for (const r of stored) {
        const t = r.tenant
        if (t === null) { rows.push({ row: r.row, status: 'skipped', registrationId: null, code: null }); continue }
        try {
          const result = await this.registrations.register(actor, t.roomId, registerInput(t))
          const pending = result.registration.status === 'pending'
          rows.push({ row: r.row, status: pending ? 'pending' : 'registered', registrationId: result.registration.id, code: null })
        } catch (err) {
          if (!isAppError(err) || err.code === 'RH_UNAVAILABLE') throw err
          rows.push({ row: r.row, status: 'failed', registrationId: null, code: err.code })
        }
      }
    } catch (err) {
      // The database went away mid-way: the rows done stay done; the preview may be committed again (done rows then fail with 409).
      await this.ctx.db.query('update import_previews set committed_at = null where id = $1', [previewId]).catch(() => {})
      throw err
    }
    const count = (s: ImportCommit['rows'][number]['status']): number => rows.filter((x) => x.status === s).length
    const out: ImportCommit = { previewId, registered: count('registered'), pending: count('pending'), failed: count('failed'), skipped: count('skipped'), rows }
    await this.ctx.db.query('update import_previews set rows_sealed = $2 where id = $1', [previewId, ''])
    await writeAudit(this.ctx.db, actor, 'import.committed', { type: 'building', id: buildingId },
      { previewId, registered: out.registered, pending: out.pending, failed: out.failed, skipped: out.skipped })
    return out
  }
}
