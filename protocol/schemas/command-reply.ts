import Type, { type Static } from 'typebox'
import { CommandNameEnum, messageOptions, RequestId, Text } from './common.ts'

/** Error codes a device uses in a reply. Others matching the pattern are allowed and logged as they are. */
export const REPLY_ERROR_CODES = [
  'version_gap',
  'wrong_key',
  'invalid_command',
  'unknown_door',
  'busy',
  'unsupported',
  'storage_full',
  'internal',
] as const

export const ReplyErrorSchema = Type.Object(
  {
    code: Type.String({
      minLength: 1,
      maxLength: 64,
      pattern: '^[a-z][a-z0-9_]*$',
      description: 'Machine-readable snake_case code: version_gap, wrong_key, invalid_command, unknown_door, busy, ' +
        'unsupported, storage_full, internal.',
    }),
    message: Text('Human-readable explanation.', { maxLength: 500 }),
  },
  { additionalProperties: false, description: 'Why the command failed.' },
)

const CommandReplyBaseSchema = Type.Object(
  {
    requestId: RequestId('The requestId of the command this replies to.'),
    command: CommandNameEnum('The command this replies to.'),
    status: Type.Enum(['ok', 'error'], { description: '`ok`: the command was carried out; `error`: it was not.' }),
    data: Type.Optional(
      Type.Object({}, {
        // Flat: every value the platform receives is checked, however it is nested.
        additionalProperties: Type.Union([
          Text('A text value.', { maxLength: 500 }),
          Type.Number({ description: 'A number.' }),
          Type.Boolean({ description: 'A flag.' }),
        ]),
        maxProperties: 32,
        description: 'Command-specific result: a flat object of at most 32 fields, each a text (at most 500 ' +
          'characters), a number or a boolean. allowlist-sync: {"version": <allow-list version now held>}.',
      }),
    ),
    error: Type.Optional(ReplyErrorSchema),
  },
  {
    ...messageOptions('command-reply', 'CommandReply', 'Acknowledgement of a command, sent once the device ' +
      'has carried it out or failed to. Topic rh/v1/{buildingId}/{deviceId}/reply, QoS 1, not retained.'),
    allOf: [
      {
        description: 'status "error" requires error; status "ok" forbids it.',
        if: { properties: { status: { const: 'error' } } },
        then: { required: ['error'] },
        else: { properties: { error: false } },
      },
      {
        description: 'A successful allowlist-sync reply carries data.version, the allow-list version now held.',
        if: { properties: { command: { const: 'allowlist-sync' }, status: { const: 'ok' } } },
        then: {
          required: ['data'],
          properties: {
            data: {
              type: 'object',
              required: ['version'],
              properties: { version: { type: 'integer', minimum: 1 } },
            },
          },
        },
      },
    ],
  },
)
export const CommandReplySchema = CommandReplyBaseSchema

type ReplyBase = Omit<Static<typeof CommandReplyBaseSchema>, 'status' | 'error'>
export type ReplyError = Static<typeof ReplyErrorSchema>
/** A reply: `error` present exactly when status is "error" (the schema's if/then rules, as a type). */
export type CommandReply =
  | (ReplyBase & { status: 'ok'; error?: never })
  | (ReplyBase & { status: 'error'; error: ReplyError })
export type ReplyErrorCode = (typeof REPLY_ERROR_CODES)[number]
