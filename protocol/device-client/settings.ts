// Device settings and the config command (protocol §8.3): absent fields keep
// their value, an unknown time zone refuses the whole command, nothing is
// applied half.

import { isKnownTimeZone, type Config } from '../index.ts'
import { errorBody, type ReplyBody } from './commands.ts'

export interface DeviceSettings {
  heartbeatS: number
  doorHeldOpenS: number
  timezone: string
  lineCountPeriodS: number
}

/** The settings after `config`, or the error reply that refuses it. */
export function applyConfig (current: DeviceSettings, c: Config): { ok: true; settings: DeviceSettings } | { ok: false; reply: ReplyBody } {
  if (c.timezone !== undefined && !isKnownTimeZone(c.timezone)) return { ok: false, reply: errorBody('invalid_command', `unknown time zone ${c.timezone}`) }
  return {
    ok: true,
    settings: {
      heartbeatS: c.heartbeatS ?? current.heartbeatS,
      doorHeldOpenS: c.doorHeldOpenS ?? current.doorHeldOpenS,
      timezone: c.timezone ?? current.timezone,
      lineCountPeriodS: c.lineCountPeriodS ?? current.lineCountPeriodS,
    },
  }
}
