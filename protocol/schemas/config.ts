import Type, { type Static } from 'typebox'
import { CommandTs, messageOptions, RequestId } from './common.ts'

export const ConfigSchema = Type.Object(
  {
    requestId: RequestId(),
    ts: CommandTs(),
    heartbeatS: Type.Optional(
      Type.Integer({ minimum: 5, maximum: 3600, description: 'Seconds between heartbeats. Default 60.' }),
    ),
    doorHeldOpenS: Type.Optional(
      Type.Integer({ minimum: 5, maximum: 3600, description: 'Seconds a door may stay open before `held_open`. Default 60.' }),
    ),
    timezone: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        pattern: '^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*$',
        description: 'IANA time zone name (e.g. "Asia/Shanghai") in which allow-list windows are evaluated. ' +
          'Default "Asia/Shanghai".',
      }),
    ),
    lineCountPeriodS: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 3600, description: 'Line-crossing counting period in seconds. Default 60.' }),
    ),
  },
  messageOptions('config', 'Config', 'Change device settings. Absent fields keep their current value; the ' +
    'device persists what it applied. Topic rh/v1/{buildingId}/{deviceId}/command/config, QoS 1, not retained.'),
)

export type Config = Static<typeof ConfigSchema>
