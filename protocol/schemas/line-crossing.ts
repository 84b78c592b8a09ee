import Type, { type Static } from 'typebox'
import { Door, eventFields, messageOptions } from './common.ts'

export const LineCrossingSchema = Type.Object(
  {
    ...eventFields(),
    door: Door('The door whose line the camera watches.'),
    in: Type.Integer({ minimum: 0, description: 'People who crossed the line inwards during the period.' }),
    out: Type.Integer({ minimum: 0, description: 'People who crossed the line outwards during the period.' }),
    periodS: Type.Integer({
      minimum: 1,
      maximum: 3600,
      description: 'Length of the counting period in seconds; the period ends at `ts`. Periods of one camera ' +
        'do not overlap.',
    }),
  },
  messageOptions('line-crossing', 'LineCrossing', 'A camera counted people crossing a door line. Sent once ' +
    'per period (config lineCountPeriodS), also when both counts are 0. Topic ' +
    'rh/v1/{buildingId}/{deviceId}/event/line, QoS 1, not retained.'),
)

export type LineCrossing = Static<typeof LineCrossingSchema>
