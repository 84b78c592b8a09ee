import { describe, expect, it } from 'vitest'
import { maskIdNumber, maskName, maskPhone } from './mask.ts'

describe('masks', () => {
  it('ID numbers keep the first 3 and last 4', () => {
    expect(maskIdNumber('11010519491231002X')).toBe('110***********002X')
    expect(maskIdNumber('E12345678')).toBe('E******78')
    expect(maskIdNumber('')).toBe('')
    expect(maskIdNumber('AB')).toBe('**')
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
