import Type, { type Static } from 'typebox'
import { DateTime, Door, messageOptions, Token } from './common.ts'

export const DeviceStatusSchema = Type.Object(
  {
    state: Type.Enum(['online', 'offline'], { description: 'Availability of the device.' }),
    ts: Type.Optional(DateTime('Device clock when the status was published; required when online.')),
    firmware: Type.Optional(Token('Firmware version.', { maxLength: 64 })),
    vendor: Type.Optional(Token('Manufacturer.', { maxLength: 64 })),
    model: Type.Optional(Token('Device model.', { maxLength: 64 })),
    reason: Type.Optional(
      Type.Enum(['lwt', 'shutdown', 'reboot', 'disabled', 'secret_rotated'], {
        description: 'Why the device went offline: `lwt` in the last will (set by the device, published by the ' +
          'broker), `shutdown` or `reboot` when the device says so itself before disconnecting; `disabled` and ' +
          '`secret_rotated` only from the platform, in place of the will, when an operator disabled the device ' +
          'or rotated its secret (a device publishing either is refused).',
      }),
    ),
    doors: Type.Optional(
      Type.Array(Door('A door this device controls or watches.'), {
        maxItems: 64,
        uniqueItems: true,
        description: 'The doors this device controls or watches.',
      }),
    ),
  },
  {
    ...messageOptions('device-status', 'DeviceStatus', 'Availability of the device. Topic ' +
      'rh/v1/{buildingId}/{deviceId}/status, QoS 1, RETAINED. The same topic carries the last will ' +
      '{"state":"offline","reason":"lwt"}.'),
    if: { properties: { state: { const: 'online' } } },
    then: {
      description: 'An online status carries ts, and no reason (reasons say why a device went offline).',
      required: ['ts'],
      not: { required: ['reason'] },
    },
  },
)

export type DeviceStatus = Static<typeof DeviceStatusSchema>
