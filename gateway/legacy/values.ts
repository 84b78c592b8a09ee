// The helpers every legacy reader model shares: reading a field where the
// model says it is, mapping the reader's words to ours, card numbers in the
// representation the building registers, and the reader's time as an instant.
// Each returns a value or throws a FieldError that says what was wrong, for
// the refusal the reader gets and the count the gateway keeps.

export class FieldError extends Error {
  constructor (readonly field: string, message: string) {
    super(`${field}: ${message}`)
    this.name = 'FieldError'
  }
}

/** The value at a JSON pointer (RFC 6901) in a parsed body; undefined when absent. */
export function atPointer (body: unknown, pointer: string): unknown {
  if (pointer === '' || pointer === '/') return body
  let here: unknown = body
  for (const raw of pointer.replace(/^\//, '').split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~')
    if (here === null || typeof here !== 'object' || !Object.hasOwn(here, key)) return undefined
    here = (here as Record<string, unknown>)[key]
  }
  return here
}

/** A scalar as the text the reader wrote (numbers as their decimal digits). */
export function asText (field: string, v: unknown): string {
  if (typeof v === 'string') {
    if (v.length === 0) throw new FieldError(field, 'is empty')
    if (v.length > 128) throw new FieldError(field, 'is longer than 128 characters')
    return v
  }
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v)
  if (v === undefined) throw new FieldError(field, 'is missing')
  throw new FieldError(field, `is not text or a whole number (${typeof v})`)
}

/** The reader's value through the model's map; a value the map does not know is refused, never guessed. */
export function mapped (field: string, value: string, map: Readonly<Record<string, string>> | undefined): string {
  if (map === undefined) return value
  const ours = Object.hasOwn(map, value) ? map[value] : undefined
  if (ours === undefined) throw new FieldError(field, `value "${value.slice(0, 32)}" is not one the model knows (${Object.keys(map).join(', ')})`)
  return ours
}

export type CardForm = 'hex' | 'decimal' | 'wiegand26'

/**
 * A card number from the form the reader writes it in to the one the building registers (protocol §7.2: the
 * platform converts neither between decimal and hexadecimal nor between byte orders; the gateway does, as the
 * reader would have to). Converted hexadecimal comes out in upper case, in whole bytes; a number already in the
 * building's form is kept as read (upper case), leading zeros and all.
 */
export function cardNumber (value: string, from: CardForm, to: 'hex' | 'decimal', byteOrder: 'msb' | 'lsb' = 'msb'): string {
  let n: bigint
  const v = value.trim()
  if (from === 'hex') {
    if (!/^[0-9a-fA-F]{2,32}$/.test(v)) throw new FieldError('card', 'is not 2 to 32 hexadecimal digits')
    // Nothing to convert: the number as read, in upper case (leading zeros kept, as the card was registered).
    if (to === 'hex' && byteOrder === 'msb') return v.toUpperCase()
    const even = v.length % 2 === 0 ? v : `0${v}`
    const bytes = byteOrder === 'lsb' ? even.match(/../g)!.reverse().join('') : even
    n = BigInt(`0x${bytes}`)
  } else if (from === 'decimal') {
    if (!/^\d{1,39}$/.test(v)) throw new FieldError('card', 'is not 1 to 39 decimal digits')
    if (to === 'decimal') return v.length < 4 ? v.padStart(4, '0') : v
    n = BigInt(v)
  } else {
    // Wiegand 26: an 8-bit facility code and a 16-bit card number, written "facility,card".
    const m = /^(\d{1,3}),(\d{1,5})$/.exec(v)
    if (m === null) throw new FieldError('card', 'is not a Wiegand 26 "facility,card" pair')
    const facility = Number(m[1])
    const card = Number(m[2])
    if (facility > 255 || card > 65535) throw new FieldError('card', 'facility above 255 or card above 65535')
    n = BigInt(facility * 65536 + card)
  }
  if (to === 'decimal') {
    const d = n.toString(10)
    if (d.length < 4) return d.padStart(4, '0')
    return d
  }
  let h = n.toString(16).toUpperCase()
  if (h.length % 2 === 1) h = `0${h}`
  return h.length < 4 ? h.padStart(4, '0') : h
}

const PIECES = { YYYY: 4, MM: 2, DD: 2, HH: 2, mm: 2, ss: 2 } as const

/** The reader's time as ms since the epoch; local wall times are read in `timeZone`. */
export function readerTime (value: string, form: string, timeZone: string): number {
  if (form === 'iso') {
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/.test(value)) throw new FieldError('time', 'is not an ISO 8601 time with an offset')
    return checked(Date.parse(value))
  }
  if (form === 'epoch-s' || form === 'epoch-ms') {
    if (!/^\d{9,13}$/.test(value)) throw new FieldError('time', `is not a ${form === 'epoch-s' ? 'Unix time in seconds' : 'Unix time in milliseconds'}`)
    return checked(Number(value) * (form === 'epoch-s' ? 1000 : 1))
  }
  // A pattern: the pieces where the pattern has them, anything else must match literally.
  const parts: Partial<Record<keyof typeof PIECES, number>> = {}
  let i = 0
  for (let p = 0; p < form.length;) {
    const piece = (Object.keys(PIECES) as Array<keyof typeof PIECES>).find((k) => form.startsWith(k, p))
    if (piece !== undefined) {
      const digits = value.slice(i, i + PIECES[piece])
      if (!/^\d+$/.test(digits) || digits.length !== PIECES[piece]) throw new FieldError('time', `"${value.slice(0, 40)}" does not fit ${form}`)
      parts[piece] = Number(digits)
      i += PIECES[piece]
      p += piece.length
    } else {
      if (value[i] !== form[p]) throw new FieldError('time', `"${value.slice(0, 40)}" does not fit ${form}`)
      i++
      p++
    }
  }
  if (i !== value.length) throw new FieldError('time', `"${value.slice(0, 40)}" does not fit ${form}`)
  const { YYYY, MM, DD, HH = 0, mm = 0, ss = 0 } = parts
  if (YYYY === undefined || MM === undefined || DD === undefined) throw new FieldError('time', `the model's form ${form} has no full date`)
  if (MM < 1 || MM > 12 || DD < 1 || DD > 31 || HH > 23 || mm > 59 || ss > 59) throw new FieldError('time', `"${value.slice(0, 40)}" is not a real time`)
  const wall = Date.UTC(YYYY, MM - 1, DD, HH, mm, ss)
  if (new Date(wall).getUTCDate() !== DD) throw new FieldError('time', `"${value.slice(0, 40)}" is not a real date`)
  // The zone's offset at that wall time (looked at twice, for a change of offset in between).
  let t = wall - offsetMs(wall, timeZone)
  t = wall - offsetMs(t, timeZone)
  return t
}

function checked (t: number): number {
  if (!Number.isFinite(t)) throw new FieldError('time', 'is not a real time')
  return t
}

/** How far `timeZone` is ahead of UTC at instant `t`, in ms. */
function offsetMs (t: number, timeZone: string): number {
  const f = new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
  const p = Object.fromEntries(f.formatToParts(new Date(t)).map((x) => [x.type, x.value]))
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second))
  return asUtc - Math.floor(t / 1000) * 1000
}
