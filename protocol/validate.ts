// Validation at the edge. Every validator is compiled once, at module load;
// the success path is one compiled check and one result object. Error
// details are only computed for rejected messages.

import { isUtf8 } from 'node:buffer'
import type { TSchema } from 'typebox'
import { Compile, type Validator } from 'typebox/compile'
import type { TLocalizedValidationError } from 'typebox/error'
import { CommandSchemas, UplinkSchemas, type CommandPayload, type UplinkPayload } from './messages.ts'
import { DATE_TIME_PATTERN, TEXT_PATTERN, TOKEN_PATTERN } from './schemas/common.ts'
import {
  ErrorReplySchema,
  MAX_REPORTED_ERRORS,
  type ErrorReply,
  type ValidationError,
} from './schemas/error-reply.ts'
import { MAX_UPLINK_PAYLOAD_BYTES, type CommandName, type UplinkChannel } from './topics.ts'

export type { ValidationError } from './schemas/error-reply.ts'

export type ValidationResult<T> =
  | { ok: true; value: T }
  | { ok: false; errors: ValidationError[] }

export type DecodeFailureCode = 'not_json' | 'schema_invalid' | 'payload_too_large'

export interface DecodeFailure {
  ok: false
  code: DecodeFailureCode
  message: string
  /** Schema violations (schema_invalid only; otherwise empty), at most 10. */
  errors: ValidationError[]
  /** `eventId` / `requestId` of the rejected message, when it was a JSON object carrying a short string there. */
  eventId?: string
  requestId?: string
}

export type DecodeResult<T> = { ok: true; value: T } | DecodeFailure

interface Checker {
  id: string
  schema: TSchema
  validator: Validator
}

function compile (schema: TSchema): Checker {
  const id = String((schema as { $id?: unknown }).$id)
  return { id, schema, validator: Compile(schema) as unknown as Validator }
}

function compileAll<K extends string> (schemas: Record<K, TSchema>): Record<K, Checker> {
  const out = {} as Record<K, Checker>
  for (const key of Object.keys(schemas) as K[]) out[key] = compile(schemas[key])
  return out
}

const uplinkCheckers: Readonly<Record<UplinkChannel, Checker>> = compileAll(UplinkSchemas)
const commandCheckers: Readonly<Record<CommandName, Checker>> = compileAll(CommandSchemas)
const errorReplyChecker = compile(ErrorReplySchema)

function check<T> (checker: Checker | undefined, what: string, value: unknown): ValidationResult<T> {
  if (checker === undefined) throw new RangeError(`no schema for ${what}`)
  if (checker.validator.Check(value)) return { ok: true, value: value as T }
  return { ok: false, errors: describeErrors(checker, value) }
}

/** Validates a parsed uplink payload against its channel schema. Throws RangeError for a channel not in UPLINK_CHANNELS. */
export function validateUplink<C extends UplinkChannel> (channel: C, value: unknown): ValidationResult<UplinkPayload<C>> {
  return check(uplinkCheckers[channel], `uplink channel ${channel}`, value)
}

/** Validates a command payload. Throws RangeError for a name not in COMMAND_NAMES. */
export function validateCommand<N extends CommandName> (name: N, value: unknown): ValidationResult<CommandPayload<N>> {
  return check(commandCheckers[name], `command ${name}`, value)
}

export function validateErrorReply (value: unknown): ValidationResult<ErrorReply> {
  return check(errorReplyChecker, 'error reply', value)
}

/**
 * Decodes an uplink PUBLISH payload: size limit, UTF-8, JSON, then the
 * channel schema. Never throws for bad input (only for a channel not in
 * UPLINK_CHANNELS).
 */
export function decodeUplink<C extends UplinkChannel> (
  channel: C,
  payload: Uint8Array,
  maxBytes: number = MAX_UPLINK_PAYLOAD_BYTES,
): DecodeResult<UplinkPayload<C>> {
  return decode(uplinkCheckers[channel], `uplink channel ${channel}`, payload, maxBytes)
}

/** Decodes a command payload as a device receives it. */
export function decodeCommand<N extends CommandName> (
  name: N,
  payload: Uint8Array,
  maxBytes: number = Infinity,
): DecodeResult<CommandPayload<N>> {
  return decode(commandCheckers[name], `command ${name}`, payload, maxBytes)
}

/** Decodes an error reply as a device receives it. */
export function decodeErrorReply (payload: Uint8Array): DecodeResult<ErrorReply> {
  return decode(errorReplyChecker, 'error reply', payload, Infinity)
}

function decode<T> (checker: Checker | undefined, what: string, payload: Uint8Array, maxBytes: number): DecodeResult<T> {
  if (checker === undefined) throw new RangeError(`no schema for ${what}`)
  if (payload.byteLength > maxBytes) {
    return failure('payload_too_large', `payload of ${payload.byteLength} bytes exceeds the ${maxBytes} byte limit`)
  }
  const buf = Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)
  if (!isUtf8(buf)) return failure('not_json', 'payload is not well-formed UTF-8')
  let value: unknown
  try {
    value = JSON.parse(buf.toString('utf8'))
  } catch (err) {
    return failure('not_json', `payload is not JSON: ${truncate((err as Error).message, 200)}`)
  }
  if (checker.validator.Check(value)) return { ok: true, value: value as T }
  const errors = describeErrors(checker, value)
  const result: DecodeFailure = {
    ok: false,
    code: 'schema_invalid',
    message: `payload does not match schema ${checker.id}`,
    errors,
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const { eventId, requestId } = value as Record<string, unknown>
    if (isEchoableId(eventId)) result.eventId = eventId
    if (isEchoableId(requestId)) result.requestId = requestId
  }
  return result
}

function failure (code: DecodeFailureCode, message: string): DecodeFailure {
  return { ok: false, code, message: storableText(message), errors: [] }
}

const TOKEN_REGEX = new RegExp(TOKEN_PATTERN)
const TEXT_REGEX = new RegExp(TEXT_PATTERN)

/** An eventId or requestId the error reply may carry back: one the protocol itself would accept. */
function isEchoableId (id: unknown): id is string {
  return typeof id === 'string' && id.length > 0 && id.length <= 64 && TOKEN_REGEX.test(id)
}

/**
 * Text the platform writes into an error reply can quote what the device sent (a property name, a parser's
 * excerpt): U+0000 and lone surrogates become U+FFFD, so the reply stays a valid message.
 */
export function storableText (s: string): string {
  // eslint-disable-next-line no-control-regex -- U+0000 is what this replaces
  return TEXT_REGEX.test(s) ? s : s.replace(/\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
}

/** The ErrorReply the platform publishes on the device's `error` topic for a rejected message. */
export function errorReplyFor (topic: string, rejected: DecodeFailure): ErrorReply {
  const reply: ErrorReply = { code: rejected.code, message: rejected.message, topic: storableText(truncate(topic, 512)) }
  if (rejected.eventId !== undefined) reply.eventId = rejected.eventId
  if (rejected.requestId !== undefined) reply.requestId = rejected.requestId
  if (rejected.errors.length > 0) reply.errors = rejected.errors
  return reply
}

/** The ErrorReply for a publish to a topic under the device that is not an uplink channel. */
export function unknownChannelReply (topic: string): ErrorReply {
  return { code: 'unknown_channel', message: 'not an uplink channel of protocol v1', topic: storableText(truncate(topic, 512)) }
}

// ---------------------------------------------------------------- error details

const DATE_TIME_MESSAGE = 'must be an RFC 3339 date-time with Z or offset, e.g. "2025-03-01T08:15:30.250+08:00"'
const PATTERN_MESSAGES = new Map<string, string>([
  [DATE_TIME_PATTERN, DATE_TIME_MESSAGE],
  [TEXT_PATTERN, 'must not contain U+0000 or an unpaired surrogate'],
  [TOKEN_PATTERN, 'must be one line without control characters (U+0000-U+001F, U+007F) or unpaired surrogates'],
])

/** Turns TypeBox errors into at most 10 `{path, message}` pairs with JSON Pointer paths. */
function describeErrors (checker: Checker, value: unknown): ValidationError[] {
  const out: ValidationError[] = []
  const seen = new Set<string>()
  const push = (path: string, message: string): void => {
    const key = `${path}\u0000${message}`
    if (seen.has(key) || out.length >= MAX_REPORTED_ERRORS) return
    seen.add(key)
    out.push({ path: storableText(truncate(path, 512)), message: storableText(truncate(message, 512)) })
  }
  for (const e of checker.validator.Errors(value)) {
    if (out.length >= MAX_REPORTED_ERRORS) break
    describeError(checker.schema, value, e, push)
  }
  if (out.length === 0) push('', 'does not match the schema')
  return out
}

function describeError (
  schema: TSchema,
  value: unknown,
  e: TLocalizedValidationError,
  push: (path: string, message: string) => void,
): void {
  const path = e.instancePath
  switch (e.keyword) {
    case 'required':
      for (const name of e.params.requiredProperties) push(`${path}/${escapePointer(name)}`, 'is required')
      return
    case 'additionalProperties':
      // Reported per property by the `false` schema that follows.
      for (const name of e.params.additionalProperties) push(`${path}/${escapePointer(name)}`, 'is not allowed')
      return
    case 'boolean':
      push(path, 'is not allowed')
      return
    case 'enum':
      push(path, `must be one of: ${e.params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`)
      return
    case 'const':
      push(path, `must be ${JSON.stringify(e.params.allowedValue)}`)
      return
    case 'format':
      push(path, e.params.format === 'date-time' ? DATE_TIME_MESSAGE : e.message)
      return
    case 'pattern':
      push(path, PATTERN_MESSAGES.get(String(e.params.pattern)) ?? e.message)
      return
    case 'if': {
      // Conditional rules carry their own description; prefer the branch that failed.
      const node = resolveSchemaPath(schema, e.schemaPath)
      const branch = node?.[e.params.failingKeyword]
      const text = describedBy(branch) ?? describedBy(node) ?? e.message
      // TypeBox reports no nested errors for a failing `then`: point at the
      // properties the branch constrains (missing required ones, present others).
      if (e.params.failingKeyword === 'then' && typeof branch === 'object' && branch !== null) {
        const target = resolvePointer(value, path)
        if (typeof target === 'object' && target !== null && !Array.isArray(target)) {
          const { required, properties } = branch as { required?: unknown; properties?: unknown }
          let pointed = false
          if (Array.isArray(required)) {
            for (const name of required) {
              if (typeof name === 'string' && !(name in target)) {
                push(`${path}/${escapePointer(name)}`, `is required: ${text}`)
                pointed = true
              }
            }
          }
          if (typeof properties === 'object' && properties !== null) {
            for (const name of Object.keys(properties)) {
              if (name in target) {
                push(`${path}/${escapePointer(name)}`, text)
                pointed = true
              }
            }
          }
          if (pointed) return
        }
      }
      push(path, text)
      return
    }
    default:
      push(path, e.message)
  }
}

function describedBy (node: unknown): string | undefined {
  if (typeof node !== 'object' || node === null) return undefined
  const d = (node as { description?: unknown }).description
  return typeof d === 'string' ? d : undefined
}

function resolveSchemaPath (schema: TSchema, schemaPath: string): Record<string, unknown> | undefined {
  let node: unknown = schema
  const tokens = schemaPath.replace(/^#\/?/, '')
  if (tokens !== '') {
    for (const raw of tokens.split('/')) {
      if (typeof node !== 'object' || node === null) return undefined
      node = (node as Record<string, unknown>)[raw.replace(/~1/g, '/').replace(/~0/g, '~')]
    }
  }
  return typeof node === 'object' && node !== null ? (node as Record<string, unknown>) : undefined
}

/** The value at a JSON Pointer inside `root`, or undefined. */
function resolvePointer (root: unknown, pointer: string): unknown {
  if (pointer === '') return root
  let node = root
  for (const raw of pointer.slice(1).split('/')) {
    if (typeof node !== 'object' || node === null) return undefined
    node = (node as Record<string, unknown>)[raw.replace(/~1/g, '/').replace(/~0/g, '~')]
  }
  return node
}

function escapePointer (token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1')
}

function truncate (s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`
}
