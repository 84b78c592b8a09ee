// What the API needs from the broker: live connection state and counters per
// device, and a way to send a command.

import type { CommandName, CommandPayload } from '../../protocol/index.ts'

export interface DeviceCounters {
  connected: boolean
  accepted: number
  rejected: number
  rejectedByCode: Record<string, number>
  lastRejected: { at: string; code: string; topic: string; message: string } | null
  aclViolations: number
  authFailures: number
  lastConnectedAt: string | null
  lastDisconnectedAt: string | null
}

export interface DeviceConnectivity {
  counters (deviceId: string): DeviceCounters
  isConnected (deviceId: string): boolean
  sendCommand<N extends CommandName> (buildingId: string, deviceId: string, name: N, payload: CommandPayload<N>): Promise<void>
  /** Where devices connect, for provisioning responses. */
  endpoints (): { url: string; wsUrl: string | null }
}
