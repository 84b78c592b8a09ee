// Sends every device the settings the platform judges it by, once per
// connection, as soon as it listens for its commands: the heartbeat interval
// the offline rule expects (RULE_HEARTBEAT_S) and the time zone credential
// windows are read in. A device that came back after a reset gets them again
// without anyone asking.

import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import type { CommandName, CommandPayload } from '../../protocol/index.ts'
import type { DevicePresenceListener } from '../broker/ports.ts'

export interface ConfigSender {
  sendCommand<N extends CommandName> (buildingId: string, deviceId: string, name: N, payload: CommandPayload<N>): Promise<void>
}

export interface DeviceSettings {
  heartbeatS: number
  timezone: string
}

export class DeviceConfigPusher implements DevicePresenceListener {
  readonly counters = { sent: 0, failed: 0 }

  constructor (private readonly deps: { sender: ConfigSender; settings: DeviceSettings; logger: Pick<Logger, 'warn'>; now?: () => number }) {}

  commandsSubscribed (device: { deviceId: string; buildingId: string }): void {
    const { heartbeatS, timezone } = this.deps.settings
    const payload: CommandPayload<'config'> = {
      requestId: randomUUID(), ts: new Date(this.deps.now?.() ?? Date.now()).toISOString(), heartbeatS, timezone,
    }
    this.deps.sender.sendCommand(device.buildingId, device.deviceId, 'config', payload).then(
      () => { this.counters.sent++ },
      (err: unknown) => {
        this.counters.failed++
        this.deps.logger.warn({ err, deviceId: device.deviceId }, 'could not send the device its settings')
      })
  }
}

/** One presence listener that forwards each call to several, in order; a failing one does not stop the others. */
export function presenceListeners (...listeners: DevicePresenceListener[]): DevicePresenceListener {
  const each = (call: (l: DevicePresenceListener) => void): void => {
    for (const l of listeners) {
      try { call(l) } catch { /* the broker's relay logs listener failures; one must not silence the next */ }
    }
  }
  return {
    deviceConnected: (d) => each((l) => l.deviceConnected?.(d)),
    commandsSubscribed: (d) => each((l) => l.commandsSubscribed?.(d)),
    deviceDisconnected: (d) => each((l) => l.deviceDisconnected?.(d)),
  }
}
