import Type, { type Static } from 'typebox'
import { Door, eventFields, messageOptions } from './common.ts'

export const DOOR_STATES = ['opened', 'closed', 'forced_open', 'held_open', 'tamper'] as const

export const DoorEventSchema = Type.Object(
  {
    ...eventFields(),
    door: Door(),
    state: Type.Enum(DOOR_STATES, {
      description: '`opened`: the door contact opened after a grant or exit button; `closed`: it closed again; ' +
        '`forced_open`: it opened without a grant; `held_open`: still open after the configured doorHeldOpenS; ' +
        '`tamper`: the reader or lock housing was opened or its wiring cut.',
    }),
    durationS: Type.Optional(
      Type.Integer({
        minimum: 0,
        description: 'Seconds the door has been open; sent with `held_open` and `closed`.',
      }),
    ),
  },
  messageOptions('door-event', 'DoorEvent', 'A door changed state. Topic ' +
    'rh/v1/{buildingId}/{deviceId}/event/door, QoS 1, not retained.'),
)

export type DoorEvent = Static<typeof DoorEventSchema>
export type DoorState = (typeof DOOR_STATES)[number]
