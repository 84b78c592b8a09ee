// The checks of an identity document number a form can run before sending
// it. The platform checks again (platform/privacy/national-id.ts) with these.

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
