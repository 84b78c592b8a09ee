import Type, { type Static } from 'typebox'
import { CommandTs, Door, messageOptions, RequestId, Text } from './common.ts'

export const OpenDoorSchema = Type.Object(
  {
    requestId: RequestId(),
    ts: CommandTs(),
    door: Door('The door to unlock.'),
    durationS: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 300, description: 'Seconds to keep the lock released; device default if absent.' }),
    ),
    reason: Type.Optional(Text('Why the door is opened remotely, for the device log.', { maxLength: 200 })),
  },
  messageOptions('open-door', 'OpenDoor', 'Unlock a door remotely. Topic ' +
    'rh/v1/{buildingId}/{deviceId}/command/open-door, QoS 1, not retained.'),
)

export type OpenDoor = Static<typeof OpenDoorSchema>
