import { describe, expect, it } from 'vitest'
import { birthDecade, maskIdNumber, maskName, maskPhone } from './mask.ts'

describe('masks', () => {
  it('18-character ID numbers keep their first 2 characters only', () => {
    expect(maskIdNumber('resident_id', '11010519491231002X')).toBe('11****************')
    expect(maskIdNumber('hk_macao_tw_residence_permit', '810000198806121234')).toBe('81****************')
    expect(maskIdNumber('foreign_permanent_resident', '911234199503034567')).toBe('91****************')
    expect(maskIdNumber('resident_id', '')).toBe('')
  })
  it('other documents keep their first character, and their length is not shown', () => {
    expect(maskIdNumber('passport', 'E12345678')).toBe('E********')
    expect(maskIdNumber('passport', 'A1234')).toBe('A********')
    expect(maskIdNumber('passport', 'X12345678901234567890')).toBe('X********')
    expect(maskIdNumber('foreign_permanent_resident', 'USA123456789012')).toBe('U********')
    expect(maskIdNumber('tw_pass', '12345678')).toBe('1********')
  })
  it('shows the birth decade instead of the date', () => {
    expect(birthDecade('1993-07-14')).toBe(1990)
    expect(birthDecade('2000-01-01')).toBe(2000)
    expect(birthDecade('1909-12-31')).toBe(1900)
    expect(birthDecade(null)).toBeNull()
  })
  it('names keep the family name or initials', () => {
    expect(maskName('张三')).toBe('张*')
    expect(maskName('欧阳娜娜')).toBe('欧阳**')
    expect(maskName('John Smith')).toBe('J*** S****')
    expect(maskName('')).toBe('')
  })
  it('phones keep the first 3 and last 4 of a mobile number', () => {
    expect(maskPhone('13812345678')).toBe('138****5678')
    expect(maskPhone('+86 20 1234 5678')).toBe('862*******78')
    expect(maskPhone('123')).toBe('***')
  })
})
