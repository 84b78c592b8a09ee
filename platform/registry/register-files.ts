// The register as a file, and the import template: CSV (UTF-8 with a byte
// order mark) and XLSX (every cell text, so a spreadsheet keeps an ID
// number's digits), with the import's Chinese headers. The register holds the
// active registrations of one building, ID numbers masked; each export is
// audited as a read of personal data.

import writeXlsxFile from 'write-excel-file/node'
import type { IdType } from '../../contract/vocabulary.ts'
import type { Actor } from './access.ts'
import { writeAudit } from './audit-log.ts'
import { loadBuilding } from './buildings.ts'
import type { RegistryContext } from './context.ts'
import { writeCsv } from './csv.ts'
import { ID_TYPE_LABELS, PERMIT_TYPE_LABELS, TENANT_COLUMNS } from './tenant-columns.ts'
import { localDate } from './time-zones.ts'

export type FileFormat = 'csv' | 'xlsx'
type Rows = Array<Array<string | number | null>>

const SEX_LABELS = { male: '男', female: '女' } as const

/** The import template: the header row and one example tenant (the ID number is the standard's sample, female). */
export function templateRows (): Rows {
  return [
    TENANT_COLUMNS.map((c) => c.header),
    ['101', '张三', ID_TYPE_LABELS.resident_id, '11010519491231002X', '女', '13800000000', '2026-01-15', '2026-12-31', '2027-01-14', PERMIT_TYPE_LABELS.residence, 0, ''],
  ]
}

/** The register's rows: the import's columns (but the card), ID numbers masked. */
export async function registerRows (ctx: RegistryContext, actor: Actor, buildingId: string, format: FileFormat): Promise<Rows> {
  const building = await loadBuilding(ctx.db, actor, buildingId, 'residents.read')
  const r = await ctx.db.query<{
    number: string; name: string; id_type: IdType; id_masked: string; sex: 'male' | 'female' | null; phone: string | null
    arrived_at: Date; lease_until: string | null; permit_valid_until: string | null; permit_type: 'temporary' | 'residence' | null; minors: number
  }>(
    `select r.number, coalesce(d.name, p.name) as name, p.id_type, p.id_masked, p.sex, d.phone, g.arrived_at,
            g.lease_until::text as lease_until, g.permit_valid_until::text as permit_valid_until, g.permit_type, g.minors
       from registrations g join rooms r on r.id = g.room_id join residents p on p.id = g.resident_id
       left join registration_details d on d.registration_id = g.id
      where g.building_id = $1 and g.status = 'active' order by r.number, g.arrived_at, g.id`, [buildingId])
  const header = TENANT_COLUMNS.filter((c) => c.key !== 'card').map((c) => c.header)
  const rows: Rows = [header, ...r.rows.map((x) => [
    x.number, x.name, ID_TYPE_LABELS[x.id_type] ?? x.id_type, x.id_masked, x.sex === null ? null : SEX_LABELS[x.sex], x.phone,
    localDate(new Date(x.arrived_at).getTime(), building.time_zone), x.lease_until, x.permit_valid_until,
    x.permit_type === null ? null : PERMIT_TYPE_LABELS[x.permit_type], x.minors,
  ])]
  // Who lived where: a read of personal data, audited once per export.
  await writeAudit(ctx.db, actor, 'register.exported', { type: 'building', id: buildingId }, { format, returned: r.rows.length })
  return rows
}

/** The rows as a file of the format. */
export async function renderRows (rows: Rows, format: FileFormat, sheet: string): Promise<Buffer> {
  if (format === 'csv') return writeCsv(rows)
  const data = rows.map((row, i) => row.map((v) => (v === null ? null
    : typeof v === 'number' ? { value: v, type: Number } : { value: v, type: String, format: '@', ...(i === 0 ? { fontWeight: 'bold' as const } : {}) })))
  return await writeXlsxFile(data, { sheet, columns: rows[0]!.map(() => ({ width: 16 })), stickyRowsCount: 1 }).toBuffer()
}
