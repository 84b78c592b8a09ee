// How the kit reaches the device: as its broker (listen mode) or as one more
// client of the broker it uses (broker mode).

import type { CommandName } from '../../protocol/index.ts'
import type { Observation } from './observation.ts'

export interface Transport {
  readonly observation: Observation
  /** Where the kit listens or which broker it uses, for the report. */
  readonly endpoint: string
  start (): Promise<void>
  /** Index of the device's live connection (listen mode), -1 if none or unknown. */
  currentConnection (): number
  sendCommand (name: CommandName, payload: object): Promise<void>
  /** Listen mode only: drops the connection (no DISCONNECT) so the broker publishes the will. */
  dropConnection?: () => void
  /** Listen mode only: refuse (CONNACK 3) the device's attempts while set. */
  refuseConnections?: (refuse: boolean) => void
  /** Reads what is only available at the end (broker mode: the retained status). */
  finish (): Promise<void>
  close (): Promise<void>
}
