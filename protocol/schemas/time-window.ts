// A weekly time window of a credential (allow-list entries, REST credentials).

import Type, { type Static } from 'typebox'

export const TIME_OF_DAY_PATTERN = '^([01][0-9]|2[0-3]):[0-5][0-9]$'

export const TimeWindowSchema = Type.Object(
  {
    days: Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), {
      minItems: 1,
      maxItems: 7,
      uniqueItems: true,
      description: 'ISO weekdays the window applies to: 1 = Monday .. 7 = Sunday.',
    }),
    from: Type.String({ pattern: TIME_OF_DAY_PATTERN, maxLength: 5, description: 'Start, local time "HH:MM", inclusive.' }),
    to: Type.String({
      pattern: TIME_OF_DAY_PATTERN,
      maxLength: 5,
      description: 'End, local time "HH:MM", exclusive. If `to` is not after `from` the window runs past ' +
        'midnight into the next day.',
    }),
  },
  { additionalProperties: false, description: 'A weekly time window, in the device timezone (config).' },
)

export type TimeWindow = Static<typeof TimeWindowSchema>
