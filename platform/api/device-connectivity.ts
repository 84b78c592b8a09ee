// What the API needs from the broker: live connection state and counters per
// device, and a way to send a command.

import type { LiveStreamStats } from '../alerts/live-stream.ts'
import type { EventLogCounters } from '../events/event-log.ts'
import type { PipelineStats } from '../pipeline/pipeline.ts'
import type { CommandName, CommandPayload } from '../../protocol/index.ts'
import type { CommandRecord } from '../devices/command-log.ts'

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

export interface BrokerCounters {
  accepted: number
  rejected: Record<string, number>
  aclViolations: Record<string, number>
  refusedConnections: Record<string, number>
  guardViolations: Record<string, number>
  connectedDevices: number
  trackedDevices: number
  connectedPeople: number
  endedPersonSessions: number
  eventLog?: EventLogCounters
  liveStreams?: LiveStreamStats
  pipeline?: PipelineStats
}

export interface DeviceConnectivity {
  counters (deviceId: string): DeviceCounters
  /** Broker-wide counters: accepted, rejected by code, ACL violations, refused connections by reason, guard violations. */
  totals (): BrokerCounters
  isConnected (deviceId: string): boolean
  sendCommand<N extends CommandName> (buildingId: string, deviceId: string, name: N, payload: CommandPayload<N>): Promise<void>
  /** The latest commands sent to the device and what became of them, newest first. */
  commands (deviceId: string): CommandRecord[]
  /** Where devices connect, for provisioning responses. */
  endpoints (): { url: string; wsUrl: string | null; tlsUrl: string | null; wssUrl: string | null }
}
