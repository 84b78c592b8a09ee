// What personal data looks like on screen.
//
// An ID number is masked so that what any role sees of a person (the masked
// number, sex, birth decade; a household address may give away the region)
// still leaves at least a million numbers it could be:
// - 18-character numbers (resident ID card, Hong Kong/Macao/Taiwan residence
//   permit, the 2023 foreign permanent residence card) are region (6) + birth
//   date (8) + sequence (3, its parity the sex) + check character. Shown: the
//   first 2 characters. Hidden: the rest of the region (taken as known, to be
//   safe), the birth date within its decade (3,652 days), the sequence within
//   the sex (500), and the check character, which follows from the others:
//   3,652 x 500 = 1,826,000 candidates.
// - Other documents (passports, travel permits, the older foreign permanent
//   residence card): the first character and a fixed 8 asterisks, so that not
//   even the length is shown; 7 or more hidden characters remain (at least
//   10^7 candidates for digits).
// docs/api.md gives the same table; platform/privacy/masked-view.test.ts counts.

import type { IdType } from './national-id.ts'

const EIGHTEEN_CHARACTER_LAYOUT: readonly string[] = ['resident_id', 'hk_macao_tw_residence_permit', 'foreign_permanent_resident'] satisfies IdType[]

/** `44****************` for 18-character numbers; `E********` (length hidden) for the others. */
export function maskIdNumber (idType: string, n: string): string {
  if (n.length === 0) return ''
  if (n.length === 18 && EIGHTEEN_CHARACTER_LAYOUT.includes(idType)) return n.slice(0, 2) + '*'.repeat(16)
  return n.slice(0, 1) + '*'.repeat(8)
}

/** The first year of the decade of a birth date (`1993-07-14` → 1990): the age hint shown instead of the date. */
export function birthDecade (birthDate: string | null): number | null {
  if (birthDate === null) return null
  const year = Number(birthDate.slice(0, 4))
  return Number.isInteger(year) ? year - (year % 10) : null
}

/** `张*`, `欧阳**`; Latin names keep each word's first letter: `J*** S****`. */
export function maskName (name: string): string {
  const t = name.trim()
  if (t === '') return ''
  if (/[\u3400-\u9fff]/.test(t)) {
    const chars = [...t]
    const keep = chars.length >= 4 ? 2 : 1
    return chars.slice(0, keep).join('') + '*'.repeat(chars.length - keep)
  }
  return t.split(/\s+/).map((w) => w[0] + '*'.repeat(Math.max(0, [...w].length - 1))).join(' ')
}

/** `138****5678`; other lengths keep the first 3 and last 2. */
export function maskPhone (phone: string): string {
  const d = phone.replace(/\D/g, '')
  if (d.length === 11) return `${d.slice(0, 3)}****${d.slice(7)}`
  if (d.length <= 5) return '*'.repeat(d.length)
  return d.slice(0, 3) + '*'.repeat(d.length - 5) + d.slice(-2)
}
