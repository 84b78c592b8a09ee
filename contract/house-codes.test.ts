import { describe, expect, it } from 'vitest'
import { HOUSE_CODE_ALPHABET, HOUSE_CODE_PATTERN, printedHouseCode, readHouseCode } from './house-codes.ts'

describe('house codes', () => {
  it('the alphabet has no look-alikes and the pattern admits exactly it', () => {
    for (const c of '01OIL') expect(HOUSE_CODE_ALPHABET).not.toContain(c)
    const re = new RegExp(HOUSE_CODE_PATTERN)
    for (const c of HOUSE_CODE_ALPHABET) expect(re.test(c.repeat(8))).toBe(true)
    for (const c of '01OILa-') expect(re.test(c.repeat(8))).toBe(false)
  })

  it('reads a typed or scanned code: spaces, dashes and case do not matter; a console URL gives its code', () => {
    expect(readHouseCode('abcd-efgh')).toBe('ABCDEFGH')
    expect(readHouseCode(' ABCD EFGH ')).toBe('ABCDEFGH')
    expect(readHouseCode('https://rh.example.cn/#/h/ABCDEFGH')).toBe('ABCDEFGH')
    expect(readHouseCode('ABCDEFG')).toBeUndefined()
    expect(readHouseCode('ABCDEFG0')).toBeUndefined()
    expect(readHouseCode('https://rh.example.cn/#/h/')).toBeUndefined()
  })

  it('prints in two groups of four', () => {
    expect(printedHouseCode('ABCDEFGH')).toBe('ABCD-EFGH')
    expect(readHouseCode(printedHouseCode('ABCDEFGH'))).toBe('ABCDEFGH')
  })
})
