import Type, { type Static } from 'typebox'
import { messageOptions } from './common.ts'

export const ERROR_REPLY_CODES = ['not_json', 'schema_invalid', 'unknown_channel', 'payload_too_large', 'seq_reused'] as const
export const MAX_REPORTED_ERRORS = 10

export const ValidationErrorSchema = Type.Object(
  {
    path: Type.String({ maxLength: 512, description: 'JSON Pointer (RFC 6901) to the offending value; "" is the whole message.' }),
    message: Type.String({ maxLength: 512, description: 'What is wrong there.' }),
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
    message: Type.String({ maxLength: 1024, description: 'Human-readable summary.' }),
    topic: Type.String({ maxLength: 512, description: 'The topic the rejected message was published to.' }),
    eventId: Type.Optional(Type.String({ maxLength: 64, description: 'eventId of the rejected message, when it had one.' })),
    requestId: Type.Optional(Type.String({ maxLength: 64, description: 'requestId of the rejected reply, when it had one.' })),
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
