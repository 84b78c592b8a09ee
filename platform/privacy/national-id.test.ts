import { describe, expect, it } from 'vitest'
import { withCheckChar } from '../../test/support/id-numbers.ts'
import { gb11643CheckChar, validateIdNumber } from './national-id.ts'

const today = new Date('2026-11-22T00:00:00Z')

describe('validateIdNumber', () => {
  it('accepts published sample numbers and derives sex and birth date', () => {
    expect(validateIdNumber('resident_id', '11010519491231002X', today)).toEqual({ ok: true, normalized: '11010519491231002X', sex: 'female', birthDate: '1949-12-31' })
    const male = withCheckChar('44052419800101001')
    expect(validateIdNumber('resident_id', male, today)).toEqual({ ok: true, normalized: male, sex: 'male', birthDate: '1980-01-01' })
    // Valid checksum, but a birth year before 1900 is refused.
    expect(validateIdNumber('resident_id', '440524188001010014', today)).toMatchObject({ ok: false, code: 'id_birth_date' })
  })

  it('normalises spaces and a lower-case x', () => {
    const r = validateIdNumber('resident_id', ' 110105 19491231 002x ', today)
    expect(r.ok && r.normalized).toBe('11010519491231002X')
  })

  it('refuses a wrong check character, naming the problem but not the number', () => {
    const r = validateIdNumber('resident_id', '110105194912310021', today)
    expect(r).toMatchObject({ ok: false, code: 'id_checksum' })
    expect(JSON.stringify(r)).not.toContain('110105194912310021')
  })

  it('refuses impossible and future birth dates and unknown regions', () => {
    expect(validateIdNumber('resident_id', withCheckChar('44060419900230123'), today)).toMatchObject({ ok: false, code: 'id_birth_date' })
    expect(validateIdNumber('resident_id', withCheckChar('44060420270101123'), today)).toMatchObject({ ok: false, code: 'id_birth_date' })
    expect(validateIdNumber('resident_id', withCheckChar('99060419900101123'), today)).toMatchObject({ ok: false, code: 'id_region' })
    expect(validateIdNumber('resident_id', '4406041990010112', today)).toMatchObject({ ok: false, code: 'id_format' })
  })

  it('checks the other document types by their formats', () => {
    expect(validateIdNumber('hk_macao_tw_residence_permit', withCheckChar('81000019900101123'), today).ok).toBe(true)
    expect(validateIdNumber('hk_macao_tw_residence_permit', withCheckChar('44060419900101123'), today)).toMatchObject({ ok: false, code: 'id_region' })
    expect(validateIdNumber('foreign_permanent_resident', 'USA110090010', today).ok).toBe(false)
    expect(validateIdNumber('foreign_permanent_resident', 'USA110090010123', today).ok).toBe(true)
    expect(validateIdNumber('passport', 'e12345678', today)).toEqual({ ok: true, normalized: 'E12345678' })
    expect(validateIdNumber('passport', 'E1!', today).ok).toBe(false)
    expect(validateIdNumber('hk_macao_pass', 'H12345678', today).ok).toBe(true)
    expect(validateIdNumber('hk_macao_pass', 'X12345678', today).ok).toBe(false)
    expect(validateIdNumber('tw_pass', '12345678', today).ok).toBe(true)
    expect(validateIdNumber('drivers_licence', '12345678', today)).toMatchObject({ ok: false, code: 'id_type' })
  })

  it('computes the check character as the test helper does', () => {
    for (const s of ['44060419900101123', '11010519491231002', '36010219881121003']) {
      expect(s + gb11643CheckChar(s)).toBe(withCheckChar(s))
    }
  })
})
