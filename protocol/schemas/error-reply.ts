import Type, { type Static } from 'typebox'
import { messageOptions, Text, Token } from './common.ts'

export const ERROR_REPLY_CODES = ['not_json', 'schema_invalid', 'unknown_channel', 'payload_too_large', 'seq_reused'] as const
export const MAX_REPORTED_ERRORS = 10

export const ValidationErrorSchema = Type.Object(
  {
    path: Text('JSON Pointer (RFC 6901) to the offending value; "" is the whole message.', { maxLength: 512 }),
    message: Text('What is wrong there.', { maxLength: 512 }),
  },
  { additionalProperties: false },
)

export const ErrorReplySchema = Type.Object(
  {
    code: Type.Enum(ERROR_REPLY_CODES, {
      description: '`not_json`: the payload is not UTF-8 JSON; `schema_invalid`: valid JSON that breaks the ' +
        'channel schema; `unknown_channel`: a topic under the device that is not an uplink channel; ' +
        '`payload_too_large`: over the payload limit; `seq_reused`: an event with a new eventId but a seq this ' +
        'device already used for another event (its counter went back, e.g. after a reset without persisting it).',
    }),
    message: Text('Human-readable summary.', { maxLength: 1024 }),
    topic: Text('The topic the rejected message was published to.', { maxLength: 512 }),
    eventId: Type.Optional(Token('eventId of the rejected message, when it had one.', { maxLength: 64 })),
    requestId: Type.Optional(Token('requestId of the rejected reply, when it had one.', { maxLength: 64 })),
    errors: Type.Optional(
      Type.Array(ValidationErrorSchema, {
        maxItems: MAX_REPORTED_ERRORS,
        description: 'The first schema violations found (at most 10).',
      }),
    ),
  },
  messageOptions('error-reply', 'ErrorReply', 'The platform rejected a message the device published; the ' +
    'message was acknowledged and dropped. Topic rh/v1/{buildingId}/{deviceId}/error, QoS 0, not retained.'),
)

export type ErrorReply = Static<typeof ErrorReplySchema>
export type ErrorReplyCode = (typeof ERROR_REPLY_CODES)[number]
export type ValidationError = Static<typeof ValidationErrorSchema>
