// A legacy reader model: what one vendor's reader sends and expects, as data
// (a small JSON file in gateway/legacy/models/), so that supporting another
// model is a new file, not an edit to the gateway. The shared helpers
// (values.ts) do the rest: card numbers, times, pointers, value maps.
//
// A model names where each field of an access event is in the reader's
// message (a JSON pointer for HTTP push, a named group of the line pattern
// for a line protocol), how the value is written, and what the reader wants
// back when its message was kept or refused, and when it asks whether a card
// may open.

import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import Type, { type Static } from 'typebox'
import { Compile } from 'typebox/compile'

const Text = Type.String({ minLength: 1, maxLength: 200 })
const ValueMap = Type.Record(Type.String({ maxLength: 64 }), Type.String({ minLength: 1, maxLength: 64 }), { description: 'the reader\'s value → ours' })

const Field = Type.Object({
  /** HTTP push: a JSON pointer into the body (`/data/cardNo`); line protocol: a named group of the pattern. */
  at: Type.String({ minLength: 1, maxLength: 200 }),
  map: Type.Optional(ValueMap),
}, { additionalProperties: false })

const CardField = Type.Object({
  at: Type.String({ minLength: 1, maxLength: 200 }),
  /** How the reader writes the number: hexadecimal, decimal, or a Wiegand 26 frame as facility,card. */
  form: Type.Union([Type.Literal('hex'), Type.Literal('decimal'), Type.Literal('wiegand26')]),
  /** `lsb`: the reader sends the bytes of a hexadecimal number least significant first. */
  byteOrder: Type.Optional(Type.Union([Type.Literal('msb'), Type.Literal('lsb')])),
}, { additionalProperties: false })

const TimeField = Type.Object({
  at: Type.String({ minLength: 1, maxLength: 200 }),
  /**
   * `iso` (with its offset), `epoch-s`, `epoch-ms`, or a local wall time in the site's time zone written as a
   * pattern of YYYY MM DD HH mm ss and any separators (`YYYY-MM-DD HH:mm:ss`, `YYYYMMDDHHmmss`).
   */
  form: Type.String({ minLength: 3, maxLength: 40 }),
  /** The reader may leave the time out: the gateway's time of receipt is used (and counted). */
  optional: Type.Optional(Type.Boolean()),
}, { additionalProperties: false })

const Reply = Type.Object({
  status: Type.Integer({ minimum: 200, maximum: 599 }),
  /** Sent as JSON; strings may hold {error} and, in a verify answer, {open} (true/false) or {openText} (model's words). */
  body: Type.Unknown(),
}, { additionalProperties: false })

export const ReaderModelSchema = Type.Object({
  name: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' }),
  description: Text,
  transport: Type.Union([Type.Literal('http-push'), Type.Literal('tcp-line')]),
  http: Type.Optional(Type.Object({
    /** Where the reader POSTs a swipe. */
    eventPath: Type.String({ pattern: '^/[\\x21-\\x7e]{0,199}$' }),
    /** Where it POSTs "may this card open?" (online verification); absent: it decides by itself. */
    verifyPath: Type.Optional(Type.String({ pattern: '^/[\\x21-\\x7e]{0,199}$' })),
    /** The pointer to the reader's serial number, which the site config ties to a device. */
    serialAt: Type.String({ minLength: 1, maxLength: 200 }),
    kept: Reply,
    refused: Reply,
    verifyAnswer: Type.Optional(Reply),
  }, { additionalProperties: false })),
  line: Type.Optional(Type.Object({
    /** A regular expression with named groups for a swipe line. */
    eventPattern: Type.String({ minLength: 1, maxLength: 500 }),
    /** For "may this card open?" lines; absent: the reader decides by itself. */
    verifyPattern: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    /** The group holding the reader's serial number, which the site config ties to a device. */
    serialAt: Type.String({ minLength: 1, maxLength: 64 }),
    /** What to write back; may hold {error}, {open} or {openText}. `\r\n` ends each line we write. */
    kept: Type.String({ maxLength: 200 }),
    refused: Type.String({ maxLength: 200 }),
    verifyAnswer: Type.Optional(Type.String({ maxLength: 200 })),
  }, { additionalProperties: false })),
  /** Words for {openText}: what the reader wants for yes and no. */
  openWords: Type.Optional(Type.Object({ yes: Type.String({ maxLength: 32 }), no: Type.String({ maxLength: 32 }) }, { additionalProperties: false })),
  fields: Type.Object({
    card: CardField,
    /** The reader's door number; the site config names our door for it. */
    door: Field,
    /** Absent: the site config says which way each door's reader faces. */
    direction: Type.Optional(Field),
    /** Absent: the reader only asks (verification) and reports nothing itself. */
    result: Field,
    reason: Type.Optional(Field),
    time: TimeField,
  }, { additionalProperties: false }),
}, { additionalProperties: false })

export type ReaderModel = Static<typeof ReaderModelSchema>

/** The models shipped in gateway/legacy/models/, by name. */
export function shippedModels (): Map<string, ReaderModel> {
  const dir = join(import.meta.dirname, 'models')
  const out = new Map<string, ReaderModel>()
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.json')).sort()) {
    const m = readerModel(JSON.parse(readFileSync(join(dir, f), 'utf8')), f)
    if (`${m.name}.json` !== f) throw new Error(`reader model ${f}: its name is ${m.name}; the file must be called ${m.name}.json`)
    out.set(m.name, m)
  }
  return out
}

const check = Compile(ReaderModelSchema)

/** Checks a model file's content; the error names the path and what is wrong. */
export function readerModel (data: unknown, source: string): ReaderModel {
  if (!check.Check(data)) {
    const first = [...check.Errors(data)].slice(0, 3).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ')
    throw new Error(`reader model ${source}: ${first}`)
  }
  const m = data as ReaderModel
  if (m.transport === 'http-push' && m.http === undefined) throw new Error(`reader model ${source}: transport http-push needs "http"`)
  if (m.transport === 'tcp-line' && m.line === undefined) throw new Error(`reader model ${source}: transport tcp-line needs "line"`)
  if (m.line !== undefined) {
    for (const [name, pattern] of [['eventPattern', m.line.eventPattern], ['verifyPattern', m.line.verifyPattern]] as const) {
      if (pattern === undefined) continue
      try {
        new RegExp(pattern) // eslint-disable-line no-new
      } catch (err) {
        throw new Error(`reader model ${source}: line.${name} is not a regular expression: ${(err as Error).message}`)
      }
    }
  }
  return m
}
