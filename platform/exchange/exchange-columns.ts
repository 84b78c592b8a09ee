// The columns of the exchange files (export and import of buildings, rooms,
// registrations; residents export only) and how a building or room row is
// read. A registration row is a tenant row (tenant-columns.ts) with the
// building it is in. Headers are the English keys; the Chinese header of a
// column is accepted as well. Each row has a stable key, the same in every
// file, by which an import finds what it already made: importing a file
// again changes nothing. Nothing here touches the database.

import type { ExchangeDataset, ExchangeRowError } from '../../contract/routes/exchange-routes.ts'
import { TEXT_PATTERN } from '../../contract/schemas/fields.ts'
import { ID_PATTERN } from '../../protocol/topics.ts'
import { maskIdNumber } from '../privacy/mask.ts'
import { TENANT_COLUMNS, text, type Cell, type ParsedTenant } from '../registry/tenant-columns.ts'

export interface ExchangeColumn { key: string; header: string; required: boolean; description: string; exportOnly?: boolean }

const col = (key: string, header: string, required: boolean, description: string, exportOnly = false): ExchangeColumn =>
  ({ key, header, required, description, ...(exportOnly ? { exportOnly } : {}) })

const BUILDING_ID = col('buildingId', '楼栋编号', true, 'The building id (key), as the registry knows it.')

export const EXCHANGE_COLUMNS: Record<ExchangeDataset, readonly ExchangeColumn[]> = {
  buildings: [
    BUILDING_ID,
    col('name', '楼栋名称', true, 'Name, at most 200 characters.'),
    col('address', '地址', true, 'Address, at most 500 characters.'),
    col('gridId', '网格编号', true, 'The grid (area id) the building belongs to; an import does not move a building to another grid.'),
    col('landlord', '房东账号', false, 'The landlord\'s user name; an import does not hand a building to another landlord.'),
    col('timeZone', '时区', false, 'IANA time zone. Default Asia/Shanghai.'),
    col('areaPath', '辖区路径', false, 'The jurisdiction path.', true),
    col('grade', '等级', false, 'The house grade (trusted, normal, focus, strict); set by police, not imported.', true),
    col('responsibilitySigned', '治安责任书', false, 'Date the security responsibility agreement was signed.', true),
    col('rooms', '房间数', false, 'Rooms in the building.', true),
  ],
  rooms: [
    BUILDING_ID,
    col('number', '房间号', true, 'Room number (key within the building), at most 20 characters.'),
    col('capacity', '核定人数', true, 'How many people may live in it, 1..100.'),
    col('roomId', '房间编号', false, 'The room id the registry gave it.', true),
  ],
  registrations: [
    BUILDING_ID,
    ...TENANT_COLUMNS.map((c) => col(c.key, c.header, c.required, c.description)),
    col('registrationId', '登记编号', false, 'The registration id.', true),
    col('residentId', '人员编号', false, 'The resident id (stable per person).', true),
    col('status', '状态', false, 'active or pending (waits for the person\'s move).', true),
  ],
  residents: [
    col('residentId', '人员编号', true, 'The resident id (stable per person).'),
    col('idType', '证件类型', true, 'Document type.'),
    col('idNumber', '证件号码', true, 'Masked unless exported whole.'),
    col('name', '姓名', true, 'Name as registered.'),
    col('sex', '性别', false, 'male or female.'),
    col('birthDecade', '出生年代', false, 'The decade of birth (1990 for 1993).'),
    col('buildingId', '楼栋编号', true, 'Where they are registered now.'),
    col('room', '房间号', true, 'Room number.'),
    col('registrationId', '登记编号', true, 'Their current registration.'),
    col('arrivedAt', '入住日期', true, 'Arrival date in the building\'s time zone.'),
  ],
}

/** Columns an import reads for a dataset. */
export const importColumns = (dataset: ExchangeDataset): ExchangeColumn[] => EXCHANGE_COLUMNS[dataset].filter((c) => c.exportOnly !== true)

type Columns = Partial<Record<string, number>>
const TEXT = new RegExp(TEXT_PATTERN)
const ID = new RegExp(ID_PATTERN)

/** Reads cells by key; records an error per column. */
function rowReader (cells: readonly Cell[], row: number, columns: Columns, errors: ExchangeRowError[]) {
  const fail = (column: string, code: string): undefined => { errors.push({ row, column, code, message: null }); return undefined }
  const cell = (k: string): Cell => (columns[k] === undefined ? undefined : cells[columns[k]])
  const str = (k: string, max: number, required: boolean): string | undefined => {
    const v = text(cell(k))
    if (v === '') return required ? fail(k, 'required') : undefined
    if (v.length > max) return fail(k, 'too_long')
    if (!TEXT.test(v)) return fail(k, 'invalid_text')
    return v
  }
  const id = (k: string, required: boolean): string | undefined => {
    const v = str(k, 64, required)
    if (v === undefined) return undefined
    return ID.test(v) ? v : fail(k, 'invalid_id')
  }
  return { fail, cell, str, id }
}

export interface BuildingInput { id: string; name: string; address: string; gridId: string; landlord: string | null; timeZone: string | null }
export interface RoomInput { buildingId: string; number: string; capacity: number }

/** One building row; `seen` holds the keys of earlier rows of the file. */
export function parseBuildingRow (cells: readonly Cell[], row: number, columns: Columns, seen: Set<string>): { input: BuildingInput | null; errors: ExchangeRowError[] } {
  const errors: ExchangeRowError[] = []
  const r = rowReader(cells, row, columns, errors)
  const id = r.id('buildingId', true)
  if (id !== undefined && seen.has(id)) r.fail('buildingId', 'duplicate_in_file')
  if (id !== undefined) seen.add(id)
  const name = r.str('name', 200, true)
  const address = r.str('address', 500, true)
  const gridId = r.id('gridId', true)
  const landlord = r.str('landlord', 64, false)
  const timeZone = r.str('timeZone', 64, false)
  if (errors.length > 0 || id === undefined || name === undefined || address === undefined || gridId === undefined) return { input: null, errors }
  return { input: { id, name, address, gridId, landlord: landlord ?? null, timeZone: timeZone ?? null }, errors }
}

/** One room row. */
export function parseRoomRow (cells: readonly Cell[], row: number, columns: Columns, seen: Set<string>): { input: RoomInput | null; errors: ExchangeRowError[] } {
  const errors: ExchangeRowError[] = []
  const r = rowReader(cells, row, columns, errors)
  const buildingId = r.id('buildingId', true)
  const number = r.str('number', 20, true)
  if (buildingId !== undefined && number !== undefined) {
    if (seen.has(`${buildingId}/${number}`)) r.fail('number', 'duplicate_in_file')
    seen.add(`${buildingId}/${number}`)
  }
  const c = r.cell('capacity')
  const n = typeof c === 'number' ? c : /^\d+$/.test(text(c)) ? Number(text(c)) : NaN
  let capacity: number | undefined
  if (text(c) === '') r.fail('capacity', 'required')
  else if (!Number.isInteger(n) || n < 1 || n > 100) r.fail('capacity', 'invalid_capacity')
  else capacity = n
  if (errors.length > 0 || buildingId === undefined || number === undefined || capacity === undefined) return { input: null, errors }
  return { input: { buildingId, number, capacity }, errors }
}

/** The stable key of a row, as the import report shows it (the ID number masked). */
export function rowKey (dataset: 'buildings' | 'rooms' | 'registrations', v: BuildingInput | RoomInput | (ParsedTenant & { buildingId: string })): string {
  if (dataset === 'buildings') return (v as BuildingInput).id
  if (dataset === 'rooms') return `${(v as RoomInput).buildingId}/${(v as RoomInput).number}`
  const t = v as ParsedTenant & { buildingId: string }
  return `${t.buildingId}/${t.roomNumber}/${t.idType}/${maskIdNumber(t.idType, t.idNumber)}`
}

/**
 * A JSON body (`{rows: [{key: value}]}` or the array itself) as the rows of a file: a header row of the
 * dataset's keys present in any row, then one row per object. Null when it is not that shape.
 */
export function jsonRows (body: unknown, columns: readonly ExchangeColumn[]): Cell[][] | null {
  const list = Array.isArray(body) ? body : (body !== null && typeof body === 'object' && Array.isArray((body as { rows?: unknown }).rows)) ? (body as { rows: unknown[] }).rows : null
  if (list === null || !list.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x))) return null
  const objects = list as Array<Record<string, unknown>>
  const keys = columns.map((c) => c.key).filter((k) => objects.some((o) => k in o))
  const cell = (v: unknown): Cell => (v === null || v === undefined ? null : typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : JSON.stringify(v))
  return [keys, ...objects.map((o) => keys.map((k) => cell(o[k])))]
}
