import Type, { type Static } from 'typebox'
import { DateTime, messageOptions, Seq, Token } from './common.ts'

export const HeartbeatSchema = Type.Object(
  {
    ts: DateTime('Device clock when the heartbeat was sent; the platform measures clock drift from it.'),
    seq: Type.Optional(Seq('The `seq` of the last event the device published, so the platform can notice lost events.')),
    uptimeS: Type.Integer({ minimum: 0, description: 'Seconds since the device booted.' }),
    firmware: Type.Optional(Token('Firmware version.', { maxLength: 64 })),
    allowlistVersion: Type.Optional(
      Type.Integer({ minimum: 0, description: 'Allow-list version the device holds; 0 when it has none.' }),
    ),
  },
  messageOptions('heartbeat', 'Heartbeat', 'Periodic liveness signal, every heartbeatS seconds (config). ' +
    'Topic rh/v1/{buildingId}/{deviceId}/heartbeat, QoS 0 or 1, not retained.'),
)

export type Heartbeat = Static<typeof HeartbeatSchema>
