// The columns of a tenant import (and of the register's export): each with its
// Chinese and English header (either is accepted), and how a cell is read
// and checked. A row becomes a registration to make, or a list of errors
// (row, column, code); nothing here touches the database.

import { IMPORT_ERROR_CODES, type ImportColumn, type ImportRowError } from '../../contract/routes/landlord-routes.ts'
import { DATE_PATTERN, TEXT_PATTERN } from '../../contract/schemas/fields.ts'
import type { PermitType } from '../../contract/schemas/registry.ts'
import { ID_TYPES, type IdType } from '../../contract/vocabulary.ts'
import { permitEndProblem } from '../policy/permit-rules.ts'
import { maskIdNumber } from '../privacy/mask.ts'
import { validateIdNumber } from '../privacy/national-id.ts'
import { maskValue } from '../pipeline/rules/rule.ts'
import { localDate, startOfLocalDay } from './time-zones.ts'

export type ColumnKey = 'room' | 'name' | 'idType' | 'idNumber' | 'sex' | 'phone' | 'arrivedAt' | 'leaseUntil' | 'permitValidUntil' | 'permitType' | 'minors' | 'card'
export type ImportErrorCode = (typeof IMPORT_ERROR_CODES)[number]

export const TENANT_COLUMNS: ReadonlyArray<ImportColumn & { key: ColumnKey }> = [
  { key: 'room', header: '房间号', required: true, description: 'Room number as the building lists it (GET /buildings/{id}/rooms), e.g. 101.' },
  { key: 'name', header: '姓名', required: true, description: 'Name as on the document, at most 100 characters.' },
  { key: 'idType', header: '证件类型', required: false, description: `Document type: ${ID_TYPES.join(', ')}, or its Chinese name (居民身份证, 护照, ...). Default: resident_id.` },
  { key: 'idNumber', header: '证件号码', required: true, description: 'Document number, as text (a spreadsheet cell formatted as a number loses digits: refused).' },
  { key: 'sex', header: '性别', required: false, description: '男/女 or male/female; checked against a resident ID number, which carries it.' },
  { key: 'phone', header: '联系电话', required: false, description: 'Phone, 5..20 digits, spaces, -, an optional leading +.' },
  { key: 'arrivedAt', header: '入住日期', required: false, description: 'Arrival date YYYY-MM-DD (also YYYY/MM/DD, or a date cell), in the building\'s time zone; not in the future. Default: now.' },
  { key: 'leaseUntil', header: '租约到期', required: false, description: 'End of the lease, YYYY-MM-DD.' },
  { key: 'permitValidUntil', header: '居住证有效期', required: false, description: 'The residence permit\'s last day, YYYY-MM-DD.' },
  {
    key: 'permitType', header: '居住证类型', required: false,
    description: '临时居住证/temporary (at most 6 months) or 居住证/residence (at most 3 years); needs the permit\'s last day.',
  },
  { key: 'minors', header: '随行未成年人', required: false, description: 'Accompanying children under 16, 0..20. Default 0.' },
  { key: 'card', header: '卡号', required: false, description: 'Access card number, 4..32 hex digits; issued with the registration.' },
]

/** Chinese names of the document types, as landlords write them. */
const ID_TYPE_NAMES: Record<string, IdType> = {
  居民身份证: 'resident_id', 身份证: 'resident_id',
  港澳台居民居住证: 'hk_macao_tw_residence_permit',
  外国人永久居留身份证: 'foreign_permanent_resident', 外国人永久居留证: 'foreign_permanent_resident',
  护照: 'passport',
  港澳居民来往内地通行证: 'hk_macao_pass', 回乡证: 'hk_macao_pass',
  台湾居民来往大陆通行证: 'tw_pass', 台胞证: 'tw_pass',
}

export const ID_TYPE_LABELS: Record<IdType, string> = {
  resident_id: '居民身份证', hk_macao_tw_residence_permit: '港澳台居民居住证', foreign_permanent_resident: '外国人永久居留身份证',
  passport: '护照', hk_macao_pass: '港澳居民来往内地通行证', tw_pass: '台湾居民来往大陆通行证',
}

/** The permit types as the register's export writes them. */
export const PERMIT_TYPE_LABELS: Record<PermitType, string> = { temporary: '临时居住证', residence: '居住证' }

const PERMIT_TYPE_NAMES: Record<string, PermitType> = { 临时居住证: 'temporary', temporary: 'temporary', 居住证: 'residence', residence: 'residence' }

const SEX_NAMES: Record<string, 'male' | 'female'> = { 男: 'male', 女: 'female', male: 'male', female: 'female', m: 'male', f: 'female' }

/** A cell as read: text from CSV; text, number, boolean or date from a spreadsheet. */
export type Cell = string | number | boolean | Date | null | undefined

/**
 * Which column of the file holds each key of `known` (English key or Chinese header); unknown headers are
 * ignored. Undefined keys: not in the file.
 */
export function mapHeaders<K extends string = ColumnKey> (
  headers: readonly Cell[], known: ReadonlyArray<{ key: K; header: string; required: boolean }> = TENANT_COLUMNS as never,
): { columns: Partial<Record<K, number>>; missing: string[] } {
  const columns: Partial<Record<K, number>> = {}
  headers.forEach((h, i) => {
    const t = typeof h === 'string' ? h.trim().toLowerCase() : ''
    const c = known.find((x) => x.key.toLowerCase() === t || x.header === t)
    if (c !== undefined && columns[c.key] === undefined) columns[c.key] = i
  })
  const missing = known.filter((c) => c.required && columns[c.key] === undefined).map((c) => `${c.header}/${c.key}`)
  return { columns, missing }
}

/** What a valid row registers. Kept sealed between preview and commit: it holds the ID number. */
export interface ParsedTenant {
  roomId: string
  roomNumber: string
  name: string
  idType: IdType
  idNumber: string
  sex: 'male' | 'female' | null
  phone: string | null
  /** The instant of arrival (start of the day in the building's zone), or null: the time of the commit. */
  arrivedAt: string | null
  arrivedOn: string | null
  leaseUntil: string | null
  permitValidUntil: string | null
  permitType: PermitType | null
  minors: number
  card: string | null
}

export interface RowContext {
  rooms: ReadonlyMap<string, string>
  timeZone: string
  now: Date
  /** ID numbers and cards seen in earlier rows of the file. */
  seenIds: Set<string>
  seenCards: Set<string>
}

const TEXT = new RegExp(TEXT_PATTERN)
const DATE = new RegExp(DATE_PATTERN)
const PHONE = /^\+?[0-9 -]{5,20}$/
const CARD = /^[0-9A-Fa-f]{4,32}$/

/** A text cell, trimmed; the apostrophe a spreadsheet export puts before formula-like text is dropped. */
export function text (c: Cell): string {
  if (c === null || c === undefined) return ''
  if (c instanceof Date) return c.toISOString().slice(0, 10)
  const s = String(c).trim()
  return /^'[=+\-@]/.test(s) ? s.slice(1) : s
}

/** YYYY-MM-DD from a date cell or text (YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD, YYYYMMDD), or undefined when it is none. */
function date (c: Cell): string | undefined {
  if (c instanceof Date) return Number.isNaN(c.getTime()) ? undefined : c.toISOString().slice(0, 10)
  const s = text(c)
  const m = /^(\d{4})[-/.]?(\d{1,2})[-/.]?(\d{1,2})$/.exec(s)
  if (m === null) return undefined
  const d = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`
  if (!DATE.test(d) || new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) !== d) return undefined
  return d
}

/** Reads one data row (`row`: its number in the file, the header being 1). */
export function parseTenantRow (
  cells: readonly Cell[], row: number, columns: Partial<Record<ColumnKey, number>>, ctx: RowContext,
): { tenant: ParsedTenant | null; errors: ImportRowError[] } {
  const errors: ImportRowError[] = []
  const fail = (column: ColumnKey, code: ImportErrorCode): undefined => { errors.push({ row, column, code }); return undefined }
  const cell = (k: ColumnKey): Cell => (columns[k] === undefined ? undefined : cells[columns[k]])
  const str = (k: ColumnKey, max: number, required: boolean): string | undefined => {
    const v = text(cell(k))
    if (v === '') return required ? fail(k, 'required') : undefined
    if (v.length > max) return fail(k, 'too_long')
    if (!TEXT.test(v)) return fail(k, 'invalid_text')
    return v
  }
  const optDate = (k: ColumnKey): string | null | undefined => {
    if (text(cell(k)) === '') return null
    return date(cell(k)) ?? fail(k, 'invalid_date')
  }

  const roomNumber = str('room', 20, true)
  const roomId = roomNumber === undefined ? undefined : ctx.rooms.get(roomNumber) ?? fail('room', 'unknown_room')
  const name = str('name', 100, true)

  const typeText = text(cell('idType'))
  const idType: IdType | undefined = typeText === '' ? 'resident_id'
    : (ID_TYPES as readonly string[]).includes(typeText) ? typeText as IdType : ID_TYPE_NAMES[typeText] ?? fail('idType', 'invalid_id_type')

  let idNumber: string | undefined
  let derivedSex: 'male' | 'female' | undefined
  const rawId = cell('idNumber')
  if (typeof rawId === 'number') fail('idNumber', 'id_number_not_text')
  else {
    const n = str('idNumber', 32, true)
    if (n !== undefined && idType !== undefined) {
      const checked = validateIdNumber(idType, n, ctx.now)
      if (!checked.ok) fail('idNumber', 'invalid_id_number')
      else if (ctx.seenIds.has(`${idType}:${checked.normalized}`)) fail('idNumber', 'duplicate_in_file')
      else {
        idNumber = checked.normalized
        derivedSex = checked.sex
        ctx.seenIds.add(`${idType}:${checked.normalized}`)
      }
    }
  }

  const sexText = text(cell('sex')).toLowerCase()
  let sex: 'male' | 'female' | null = derivedSex ?? null
  if (sexText !== '') {
    const given = SEX_NAMES[sexText]
    if (given === undefined) fail('sex', 'invalid_sex')
    else if (derivedSex !== undefined && given !== derivedSex) fail('sex', 'sex_mismatch')
    else sex = given
  }

  const phone = str('phone', 20, false)
  if (phone !== undefined && !PHONE.test(phone)) fail('phone', 'invalid_phone')

  const today = localDate(ctx.now.getTime(), ctx.timeZone)
  const arrivedOn = optDate('arrivedAt')
  if (arrivedOn != null && arrivedOn > today) fail('arrivedAt', 'future_date')
  const leaseUntil = optDate('leaseUntil')
  const permitValidUntil = optDate('permitValidUntil')
  const permitText = text(cell('permitType')).toLowerCase()
  let permitType: PermitType | null = null
  if (permitText !== '') {
    const given = PERMIT_TYPE_NAMES[permitText]
    if (given === undefined || permitValidUntil === null) fail('permitType', 'invalid_permit_type')
    else permitType = given
  }
  if (permitValidUntil != null && permitEndProblem(permitType, permitValidUntil, today) !== null) fail('permitValidUntil', 'permit_too_long')

  let minors = 0
  const minorsCell = cell('minors')
  if (text(minorsCell) !== '') {
    const n = typeof minorsCell === 'number' ? minorsCell : /^\d+$/.test(text(minorsCell)) ? Number(text(minorsCell)) : NaN
    if (!Number.isInteger(n) || n < 0 || n > 20) fail('minors', 'invalid_minors')
    else minors = n
  }

  const cardText = text(cell('card'))
  let card: string | null = null
  if (cardText !== '') {
    if (!CARD.test(cardText)) fail('card', 'invalid_card')
    else if (ctx.seenCards.has(cardText.toUpperCase())) fail('card', 'duplicate_card_in_file')
    else {
      card = cardText.toUpperCase()
      ctx.seenCards.add(card)
    }
  }

  if (errors.length > 0 || roomId === undefined || roomNumber === undefined || name === undefined || idType === undefined || idNumber === undefined) {
    return { tenant: null, errors }
  }
  // An arrival today is "now"; an earlier day starts at midnight in the building's zone.
  const arrivedAt = arrivedOn == null || arrivedOn === today ? null : new Date(startOfLocalDay(arrivedOn, ctx.timeZone)).toISOString()
  return {
    tenant: {
      roomId, roomNumber, name, idType, idNumber, sex, phone: phone ?? null, arrivedAt, arrivedOn: arrivedOn ?? null,
      leaseUntil: leaseUntil ?? null, permitValidUntil: permitValidUntil ?? null, permitType, minors, card,
    },
    errors,
  }
}

/** A parsed row as a preview shows it: ID number and card masked. */
export function shownTenant (t: ParsedTenant): {
  roomId: string; roomNumber: string; name: string; idType: IdType; idNumberMasked: string; sex: 'male' | 'female' | null; phone: string | null
  arrivedAt: string | null; leaseUntil: string | null; permitValidUntil: string | null; permitType: PermitType | null; minors: number; cardMasked: string | null
} {
  return {
    roomId: t.roomId, roomNumber: t.roomNumber, name: t.name, idType: t.idType, idNumberMasked: maskIdNumber(t.idType, t.idNumber), sex: t.sex,
    phone: t.phone, arrivedAt: t.arrivedOn, leaseUntil: t.leaseUntil, permitValidUntil: t.permitValidUntil,
    permitType: t.permitType ?? null, minors: t.minors,
    cardMasked: t.card === null ? null : maskValue(t.card),
  }
}
