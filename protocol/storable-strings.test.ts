// Every string a message may carry must be one the stores can hold: bounded in
// length, without U+0000 (PostgreSQL text and jsonb refuse it) and without a
// lone surrogate (not Unicode, so not UTF-8). Walks the JSON Schema of every
// message, so a field added later without the shared helpers fails here.

import { describe, expect, it } from 'vitest'
import { AllSchemas } from './messages.ts'

interface Node { [key: string]: unknown }
interface StringField { path: string; node: Node }

/** The string schemas of a message, by where they sit; if/then/else branches only refine them and are skipped. */
function stringFields (node: unknown, path: string, out: StringField[], free: string[]): void {
  if (typeof node !== 'object' || node === null) return
  const n = node as Node
  if (n.type === 'string' && n.enum === undefined && n.const === undefined) out.push({ path, node: n })
  if (n.additionalProperties === true) free.push(path)
  const props = n.properties as Record<string, unknown> | undefined
  for (const [k, v] of Object.entries(props ?? {})) stringFields(v, `${path}/${k}`, out, free)
  if (typeof n.additionalProperties === 'object') stringFields(n.additionalProperties, `${path}/*`, out, free)
  if (typeof n.items === 'object') stringFields(n.items, `${path}/[]`, out, free)
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const list = n[key]
    if (Array.isArray(list)) list.forEach((s, i) => stringFields(s, `${path}<${key}${i}>`, out, free))
  }
}

/** Does the string schema let this value through (length and pattern; formats do not concern these values)? */
function admits (node: Node, value: string): boolean {
  const length = [...value].length
  if (typeof node.minLength === 'number' && length < node.minLength) return false
  if (typeof node.maxLength === 'number' && length > node.maxLength) return false
  if (typeof node.pattern !== 'string') return true
  // Checked as JSON Schema validators do (Ajv: Unicode mode) and as a plain ECMAScript regex (TypeBox).
  return new RegExp(node.pattern, 'u').test(value) && new RegExp(node.pattern).test(value)
}

describe.each(AllSchemas.map((s) => [String((s as { $id?: unknown }).$id), s] as const))('%s', (_id, schema) => {
  const fields: StringField[] = []
  const free: string[] = []
  stringFields(JSON.parse(JSON.stringify(schema)), '', fields, free)

  it('has no free-form object (its strings would go unchecked)', () => {
    expect(free).toEqual([])
  })

  it('bounds the length of every string', () => {
    expect(fields.filter((f) => typeof f.node.maxLength !== 'number').map((f) => f.path)).toEqual([])
  })

  it('refuses U+0000 and lone surrogates in every string', () => {
    const bad = ['a\u0000b', '\u0000', 'a\ud800b', 'a\udc00', '\ud83d']
    const leaks = fields.flatMap((f) => bad.filter((v) => admits(f.node, v)).map((v) => `${f.path} admits ${JSON.stringify(v)}`))
    expect(leaks).toEqual([])
  })
})

describe('the string walk', () => {
  it('finds nested strings and flags unchecked ones', () => {
    const fields: StringField[] = []
    const free: string[] = []
    stringFields({
      type: 'object',
      properties: {
        a: { type: 'string', maxLength: 4 },
        b: { type: 'array', items: { type: 'object', properties: { c: { type: 'string', pattern: '^x$', maxLength: 1 } } } },
        d: { type: 'object', additionalProperties: true },
      },
    }, '', fields, free)
    expect(fields.map((f) => f.path)).toEqual(['/a', '/b/[]/c'])
    expect(free).toEqual(['/d'])
    expect(admits(fields[0]!.node, 'a\u0000b')).toBe(true)
    expect(admits(fields[1]!.node, 'x')).toBe(true)
    expect(admits(fields[1]!.node, 'y')).toBe(false)
  })
})
