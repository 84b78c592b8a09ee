// The JSON examples of the vendor spec (protocol/README.md) are checked here,
// so that the document cannot drift from the code. Convention (README section
// 13): every ```json block has, on the line just above it, one of
//
//   <!-- example: {channel} -->                  a message that must be accepted
//   <!-- counter-example: {channel} [{path}] -->  a message that must be refused
//                                                (with a violation at the JSON Pointer {path})
//   <!-- not-a-message -->                        other JSON, not checked
//
// where {channel} is the topic's last part: an uplink channel, `command/{name}`
// or `error`. Examples are decoded from their bytes with the platform's own
// validators (protocol/validate.ts), exactly as the broker or a device would,
// and validated against the published JSON Schema files with Ajv.

import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import type { TSchema } from 'typebox'
import { describe, expect, it } from 'vitest'
import { jsonSchemaFileName } from './json-schema.ts'
import { CommandSchemas, UplinkSchemas } from './messages.ts'
import { ErrorReplySchema, type ErrorReply } from './schemas/error-reply.ts'
import {
  COMMAND_NAMES,
  ERROR_CHANNEL,
  ID_PATTERN,
  isCommandName,
  isUplinkChannel,
  LAST_WILL_PAYLOAD,
  MAX_UPLINK_PAYLOAD_BYTES,
  TOPIC_ROOT,
  UPLINK_CHANNELS,
} from './topics.ts'
import { decodeCommand, decodeErrorReply, decodeUplink, errorReplyFor, type DecodeResult } from './validate.ts'

const README = fileURLToPath(new URL('./README.md', import.meta.url))
const SCHEMA_DIR = new URL('./schemas/json/', import.meta.url)

/** Every channel an example may name. */
const CHANNELS: readonly string[] = [...UPLINK_CHANNELS, ...COMMAND_NAMES.map((n) => `command/${n}`), ERROR_CHANNEL]

type Marker =
  | { kind: 'example'; channel: string }
  | { kind: 'counter-example'; channel: string; path?: string }
  | { kind: 'not-a-message' }

interface Block {
  /** 1-based line of the opening fence. */
  line: number
  marker: Marker | undefined
  text: string
}

const MARKER = /^<!-- (?:(example|counter-example): (\S+)(?: (\S+))?|(not-a-message)) -->$/
const ANY_MARKER = /^\s*<!--\s*(?:example|counter-example|not-a-message)\b/

function parseMarker (line: string | undefined): Marker | undefined {
  const m = line === undefined ? null : MARKER.exec(line.trim())
  if (m === null) return undefined
  if (m[4] !== undefined) return { kind: 'not-a-message' }
  if (m[1] === 'example') return { kind: 'example', channel: m[2]! }
  return m[3] === undefined ? { kind: 'counter-example', channel: m[2]! } : { kind: 'counter-example', channel: m[2]!, path: m[3] }
}

/** The ```json blocks of a Markdown text, with the marker on the line above each. */
function jsonBlocks (markdown: string): { blocks: Block[]; orphanMarkers: number[] } {
  const lines = markdown.split(/\r?\n/)
  const blocks: Block[] = []
  const orphanMarkers: number[] = []
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    if (ANY_MARKER.test(line) && lines[i + 1]?.trim() !== '```json') orphanMarkers.push(i + 1)
    if (line.trim() !== '```json') continue
    const start = i
    const body: string[] = []
    while (++i < lines.length && lines[i]!.trim() !== '```') body.push(lines[i]!)
    blocks.push({ line: start + 1, marker: parseMarker(lines[start - 1]), text: body.join('\n') })
  }
  return { blocks, orphanMarkers }
}

/** Decodes the example's bytes the way its receiver does. */
function decode (channel: string, text: string): DecodeResult<unknown> {
  const bytes = Buffer.from(text, 'utf8')
  if (channel === ERROR_CHANNEL) return decodeErrorReply(bytes)
  if (channel.startsWith('command/')) {
    const name = channel.slice('command/'.length)
    if (isCommandName(name)) return decodeCommand(name, bytes)
  }
  if (isUplinkChannel(channel)) return decodeUplink(channel, bytes)
  throw new RangeError(`not a channel: ${channel}`)
}

function schemaOf (channel: string): TSchema {
  if (channel === ERROR_CHANNEL) return ErrorReplySchema
  if (channel.startsWith('command/')) {
    const name = channel.slice('command/'.length)
    if (isCommandName(name)) return CommandSchemas[name]
  }
  if (isUplinkChannel(channel)) return UplinkSchemas[channel]
  throw new RangeError(`not a channel: ${channel}`)
}

// Ajv's strict mode stays on (unknown keywords, bad formats fail), except two
// lints the generated if/then/else rules trip by design: `required` naming a
// property declared in a sibling `properties` (strictRequired), and
// array/number keywords in a branch without its own `type` (strictTypes).
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, strictTypes: false })
addFormats.default(ajv)

type JsonSchemaValidator = ReturnType<typeof ajv.compile>
const jsonSchemaValidators = new Map<string, JsonSchemaValidator | Error>()
for (const channel of CHANNELS) {
  const file = jsonSchemaFileName(schemaOf(channel))
  try {
    jsonSchemaValidators.set(file, ajv.compile(JSON.parse(readFileSync(new URL(file, SCHEMA_DIR), 'utf8')) as object))
  } catch (err) {
    jsonSchemaValidators.set(file, err instanceof Error ? err : new Error(String(err)))
  }
}

function jsonSchemaValidator (channel: string): JsonSchemaValidator {
  const v = jsonSchemaValidators.get(jsonSchemaFileName(schemaOf(channel)))
  if (v === undefined || v instanceof Error) throw v ?? new Error(`no JSON Schema file for ${channel}`)
  return v
}

const markdown = readFileSync(README, 'utf8')
const { blocks, orphanMarkers } = jsonBlocks(markdown)
const label = (b: Block): string => `line ${b.line}: ${b.marker?.kind ?? 'unmarked'} ${b.marker && 'channel' in b.marker ? b.marker.channel : ''}`.trim()
const examples = blocks.filter((b) => b.marker?.kind === 'example')
const counterExamples = blocks.filter((b) => b.marker?.kind === 'counter-example')

describe('protocol/README.md examples', () => {
  it('has JSON Schema files that compile under Ajv (draft 2020-12, date-time format)', () => {
    const failed = [...jsonSchemaValidators].flatMap(([file, v]) => (v instanceof Error ? [`${file}: ${v.message}`] : []))
    expect(failed).toEqual([])
  })

  it('marks every json block, and every marker sits just above a json block', () => {
    expect(blocks.filter((b) => b.marker === undefined).map((b) => b.line)).toEqual([])
    expect(orphanMarkers).toEqual([])
  })

  it('names only channels of the protocol', () => {
    const named = blocks.flatMap((b) => (b.marker && 'channel' in b.marker ? [b.marker.channel] : []))
    expect(named.filter((c) => !CHANNELS.includes(c))).toEqual([])
  })

  it('has an example for every channel and at least one counter-example', () => {
    const covered = new Set(examples.map((b) => (b.marker as { channel: string }).channel))
    expect(CHANNELS.filter((c) => !covered.has(c))).toEqual([])
    expect(counterExamples.length).toBeGreaterThan(0)
  })

  describe.each(examples.map((b) => [label(b), b] as const))('%s', (_label, b) => {
    const channel = (b.marker as { channel: string }).channel

    it('is accepted by the platform validator', () => {
      const r = decode(channel, b.text)
      expect(r.ok ? [] : [r.code, r.message, r.errors]).toEqual([])
    })

    it('is valid against its JSON Schema file', () => {
      const validate = jsonSchemaValidator(channel)
      const ok = validate(JSON.parse(b.text))
      expect(ok ? [] : validate.errors).toEqual([])
    })
  })

  describe.each(counterExamples.map((b) => [label(b), b] as const))('%s', (_label, b) => {
    const marker = b.marker as { channel: string; path?: string }

    it('is refused by the platform validator for its schema, at the path named', () => {
      const r = decode(marker.channel, b.text)
      expect(r.ok).toBe(false)
      if (r.ok) return
      // A counter-example must be JSON: it exists to show a schema rule.
      expect(r.code).toBe('schema_invalid')
      if (marker.path !== undefined) expect(r.errors.map((e) => e.path)).toContain(marker.path)
    })

    it('is invalid against its JSON Schema file', () => {
      expect(jsonSchemaValidator(marker.channel)(JSON.parse(b.text))).toBe(false)
    })
  })
})

describe('protocol/README.md error replies', () => {
  it("shows the platform's exact error reply where it answers a counter-example", () => {
    const documented = blocks.filter((b) => b.marker?.kind === 'example' && b.marker.channel === ERROR_CHANNEL)
      .map((b) => JSON.parse(b.text) as ErrorReply)
    let compared = 0
    for (const b of counterExamples) {
      const channel = (b.marker as { channel: string }).channel
      if (!isUplinkChannel(channel)) continue
      const r = decodeUplink(channel, Buffer.from(b.text, 'utf8'))
      if (r.ok || r.eventId === undefined) continue
      const doc = documented.find((e) => e.eventId === r.eventId)
      if (doc === undefined) continue
      expect(doc).toEqual(errorReplyFor(doc.topic, r))
      compared++
    }
    expect(compared).toBeGreaterThan(0)
  })
})

describe('protocol/README.md facts', () => {
  it('states the constants of protocol/topics.ts as they are', () => {
    expect(markdown).toContain(`\`${TOPIC_ROOT}/{buildingId}/{deviceId}/`)
    expect(markdown).toContain(ID_PATTERN)
    expect(markdown).toContain(`\`${LAST_WILL_PAYLOAD}\``)
    expect(MAX_UPLINK_PAYLOAD_BYTES).toBe(65_536)
    expect(markdown).toContain('65,536 bytes (64 KiB)')
  })

  it('lists every channel in the topic table', () => {
    for (const c of CHANNELS) expect(markdown).toContain(`| \`${c}\` |`)
  })

  it('links only to sections that exist', () => {
    // GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens.
    const anchors = new Set(markdown.split('\n').filter((l) => /^#{1,6} /.test(l))
      .map((l) => l.replace(/^#+ /, '').toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-')))
    const links = [...markdown.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]!)
    expect(links.length).toBeGreaterThan(0)
    expect(links.filter((a) => !anchors.has(a))).toEqual([])
  })

  it('links the alert documentation', () => {
    expect(markdown).toContain('Alerts for dispatch centres (not for devices): [docs/alerts.md](../docs/alerts.md)')
  })
})

describe('the example checker', () => {
  it('can fail: a marked example that breaks its schema is reported', () => {
    const md = [
      '<!-- example: event/access -->',
      '```json',
      '{"eventId":"e1","seq":1,"ts":"2026-11-03T07:41:02Z","door":"gate","direction":"in",',
      ' "credential":{"kind":"pin","value":"1234"},"result":"granted"}',
      '```',
      '```json',
      '{}',
      '```',
      '<!-- example: event/acces -->',
      'text',
    ].join('\n')
    const parsed = jsonBlocks(md)
    expect(parsed.blocks.map((b) => b.marker)).toEqual([{ kind: 'example', channel: 'event/access' }, undefined])
    expect(parsed.orphanMarkers).toEqual([9])
    const r = decode('event/access', parsed.blocks[0]!.text)
    expect(r.ok).toBe(false)
    expect(jsonSchemaValidator('event/access')(JSON.parse(parsed.blocks[0]!.text))).toBe(false)
  })
})
