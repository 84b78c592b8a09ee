// House codes as people type them: eight characters of an alphabet without
// look-alikes (no 0/O, 1/I/L), printed in two groups of four. The database
// makes them (migration 027); here they are read back from what a person
// typed or a QR code held (a bare code, or a console URL ending in /h/<code>).

export const HOUSE_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ'
export const HOUSE_CODE_PATTERN = '^[2-9A-HJKMNP-Z]{8}$'

/** The code in what was typed or scanned, upper-cased, without spaces or dashes; undefined when none. */
export function readHouseCode (input: string): string | undefined {
  const tail = /\/h\/([^/?#\s]+)\s*$/.exec(input)?.[1] ?? input
  const code = tail.replace(/[\s-]/g, '').toUpperCase()
  return new RegExp(HOUSE_CODE_PATTERN).test(code) ? code : undefined
}

/** As printed on a plate: `ABCD-EFGH`. */
export function printedHouseCode (code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`
}
