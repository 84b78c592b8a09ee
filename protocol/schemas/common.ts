// Building blocks shared by the message schemas. Each helper returns a fresh
// schema so that every field carries its own description.

import Type from 'typebox'
import { COMMAND_NAMES, ID_MAX_LENGTH, ID_PATTERN } from '../topics.ts'

/** `$id` prefix of every message schema. */
export const SCHEMA_ID_PREFIX = 'rh/v1/'

/**
 * RFC 3339 date-time, `T` and `Z` upper case, whole seconds or 1..3 fraction
 * digits, `Z` or a numeric offset. The `date-time` format is checked as well,
 * so impossible dates (2025-02-30) are refused; so is the year 0000, which
 * the calendar (and the database) does not have.
 */
export const DATE_TIME_PATTERN =
  '^(?!0000)[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,3})?(Z|[+-][0-9]{2}:[0-9]{2})$'

/** Largest `seq`: 2^53 - 1, the largest integer every JSON parser keeps exactly. */
export const MAX_SEQ = Number.MAX_SAFE_INTEGER

export const Id = (description: string) =>
  Type.String({ minLength: 1, maxLength: ID_MAX_LENGTH, pattern: ID_PATTERN, description })

export const DateTime = (description: string) =>
  Type.String({ format: 'date-time', pattern: DATE_TIME_PATTERN, maxLength: 29, description })

// What the stores can hold: PostgreSQL text and jsonb refuse U+0000, and a lone
// surrogate (half of a UTF-16 pair) is not Unicode at all, so it has no UTF-8
// form. A surrogate pair (an emoji, a rare CJK character) is fine. The patterns
// hold in both regex modes: in Unicode mode a pair is one code point outside
// the excluded range, in plain mode it matches the pair alternative.
const PAIR = '[\\ud800-\\udbff][\\udc00-\\udfff]'
/** Any text without U+0000 and without a lone surrogate. */
export const TEXT_PATTERN = `^(?:[^\\u0000\\ud800-\\udfff]|${PAIR})*$`
/** The same without any control character (U+0000-U+001F, U+007F): names, versions, references, card values. */
export const TOKEN_PATTERN = `^(?:[^\\u0000-\\u001f\\u007f\\ud800-\\udfff]|${PAIR})*$`

/** Free text (a message, a reason): bounded, no U+0000, no lone surrogate. */
export const Text = (description: string, o: { maxLength: number; minLength?: number }) =>
  Type.String({ ...(o.minLength === undefined ? {} : { minLength: o.minLength }), maxLength: o.maxLength, pattern: TEXT_PATTERN, description })

/**
 * A one-line value (a name, a version, a reference): bounded, no control character, no lone surrogate.
 * `notStarting` is a regex lookahead body the value must not match at its start (e.g. `data:`).
 */
export const Token = (description: string, o: { maxLength: number; minLength?: number; notStarting?: string }) =>
  Type.String({
    minLength: o.minLength ?? 1,
    maxLength: o.maxLength,
    pattern: o.notStarting === undefined ? TOKEN_PATTERN : `^(?!${o.notStarting})${TOKEN_PATTERN.slice(1)}`,
    description,
  })

export const EventId = () =>
  Token('Unique per device and never reused, for example a UUID. Together with `seq` it identifies a ' +
    'redelivered or replayed copy of the same event.', { maxLength: 64 })

export const Seq = (description = 'Per-device event sequence number. Strictly increasing across all event ' +
  'channels and across reboots: the firmware persists it before publishing.') =>
  Type.Integer({ minimum: 0, maximum: MAX_SEQ, description })

export const EventTs = () => DateTime('When the event happened, by the device clock (NTP-synchronised).')

/** Fields every event carries. Spread into an event's properties. */
export const eventFields = () => ({
  eventId: EventId(),
  seq: Seq(),
  ts: EventTs(),
})

export const Door = (description = 'Door id, as configured on the platform and listed in the device status.') =>
  Id(description)

export const CREDENTIAL_KINDS = ['card', 'ic_card', 'qr', 'face', 'pin'] as const
export const CredentialKind = () =>
  Type.Enum(CREDENTIAL_KINDS, {
    description: '`card`: proximity card; `ic_card`: IC residence-permit card; `qr`: QR code; ' +
      '`face`: face recognition; `pin`: PIN pad.',
  })

export const RequestId = (description = 'Chosen by the platform, unique per command; echoed in the reply.') =>
  Token(description, { maxLength: 64 })

export const CommandNameEnum = (description: string) => Type.Enum(COMMAND_NAMES, { description })

export const CommandTs = () => DateTime('When the platform issued the command, by the platform clock.')

/** Options every message schema carries. */
export const messageOptions = (name: string, title: string, description: string) => ({
  $id: `${SCHEMA_ID_PREFIX}${name}`,
  title,
  description,
  additionalProperties: false,
})
