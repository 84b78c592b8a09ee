// Identity documents, checked before anything is stored, by the platform and
// by a console's form as the number is typed (the same code, so both judge
// alike). The PRC resident identity card number (GB 11643-1999) carries a
// birth date, sex and an ISO 7064 MOD 11-2 check character; other documents
// get format checks.

import { ID_TYPES, type IdType } from './vocabulary.ts'

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const CHECK_CHARS = '10X98765432'

/** The GB 11643 (ISO 7064 MOD 11-2) check character for the first 17 digits of a resident ID number. */
export function gb11643CheckChar (first17: string): string {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!
  return CHECK_CHARS[sum % 11]!
}

/** Spaces and dashes out, upper case: the form the checks and the platform store. */
export function normalizeIdNumber (raw: string): string {
  return raw.replace(/[\s-]/g, '').toUpperCase()
}

export type IdCheck =
  | { ok: true; normalized: string; sex?: 'male' | 'female'; birthDate?: string }
  | { ok: false; code: 'id_type' | 'id_format' | 'id_checksum' | 'id_birth_date' | 'id_region'; message: string }

/** Province-level codes (first two digits) of GB/T 2260, plus 81/82/83 (HK, Macao, Taiwan residence permits) and 91 (2023 foreign permanent residence cards). */
const REGION_PREFIXES = new Set([
  '11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37',
  '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65',
  '71', '81', '82', '83', '91',
])

function realDate (y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d))
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d
}

/** 18-character numbers with region, birth date, sequence and check character. */
function check18 (n: string, today: Date, prefixes?: readonly string[]): IdCheck {
  if (!/^\d{17}[\dX]$/.test(n)) return { ok: false, code: 'id_format', message: 'must be 17 digits followed by a digit or X' }
  const region = n.slice(0, 2)
  if (!REGION_PREFIXES.has(region) || (prefixes !== undefined && !prefixes.some((p) => n.startsWith(p)))) {
    return { ok: false, code: 'id_region', message: 'the region code (first digits) is not valid for this document type' }
  }
  const y = Number(n.slice(6, 10))
  const m = Number(n.slice(10, 12))
  const d = Number(n.slice(12, 14))
  const birth = `${n.slice(6, 10)}-${n.slice(10, 12)}-${n.slice(12, 14)}`
  if (y < 1900 || !realDate(y, m, d) || birth > today.toISOString().slice(0, 10)) {
    return { ok: false, code: 'id_birth_date', message: 'the birth date in the number is not a real past date' }
  }
  if (gb11643CheckChar(n.slice(0, 17)) !== n[17]) {
    return { ok: false, code: 'id_checksum', message: 'the check character does not match (mistyped digit?)' }
  }
  return { ok: true, normalized: n, sex: Number(n[16]) % 2 === 1 ? 'male' : 'female', birthDate: birth }
}

/** Checks and normalises an ID number; messages never repeat the number. */
export function validateIdNumber (type: string, raw: string, today: Date = new Date()): IdCheck {
  const n = normalizeIdNumber(raw)
  switch (type as IdType) {
    case 'resident_id':
      return check18(n, today)
    case 'hk_macao_tw_residence_permit':
      return check18(n, today, ['81', '82', '83'])
    case 'foreign_permanent_resident':
      if (/^[A-Z]{3}\d{12}$/.test(n)) return { ok: true, normalized: n }
      if (n.startsWith('9')) return check18(n, today, ['9'])
      return { ok: false, code: 'id_format', message: 'must be 3 letters and 12 digits, or the 18-character format starting with 9' }
    case 'passport':
      return /^[A-Z0-9]{5,20}$/.test(n) ? { ok: true, normalized: n } : { ok: false, code: 'id_format', message: 'must be 5..20 letters and digits' }
    case 'hk_macao_pass':
      return /^[HM]\d{8,10}$/.test(n) ? { ok: true, normalized: n } : { ok: false, code: 'id_format', message: 'must be H or M followed by 8..10 digits' }
    case 'tw_pass':
      return /^(\d{8}|[A-Z]\d{8})$/.test(n) ? { ok: true, normalized: n } : { ok: false, code: 'id_format', message: 'must be 8 digits, or a letter and 8 digits' }
    default:
      return { ok: false, code: 'id_type', message: `unknown document type; use one of ${ID_TYPES.join(', ')}` }
  }
}
