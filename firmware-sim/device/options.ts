// Options of the simulated firmware beyond the DeviceOptions of the contract,
// and the deliberate faults the conformance kit's self-test runs against.

import { CLIENT_VIOLATIONS, type ClientViolation, type DeviceClientCounters, type DeviceClientOptions } from '../../protocol/device-client/index.ts'
import type { DeviceOptions } from './device-api.ts'

export type { DeviceLogEntry } from '../../protocol/device-client/index.ts'

/**
 * Each fault breaks exactly one requirement of the protocol: the client's violations
 * (protocol/device-client/client-options.ts: `no_will`, `shutdown_will`, `seq_not_increasing`,
 * `status_not_retained`, `no_command_reply`, `duplicate_event_ids`, `no_heartbeat`, `no_replay`) and two of the
 * firmware's own:
 * - `bad_payload`: adds a field of its own to every event, which the schemas forbid (§2, §6);
 * - `ignores_key_id`: applies allow-lists computed with any key, not only its own (§8.1).
 */
export const DEVICE_FAULTS = [...CLIENT_VIOLATIONS, 'bad_payload', 'ignores_key_id'] as const
export type DeviceFault = (typeof DEVICE_FAULTS)[number]

export const isClientViolation = (f: DeviceFault): f is ClientViolation => (CLIENT_VIOLATIONS as readonly string[]).includes(f)

/**
 * The outbox size, first seq, back-off (on the simulation clock), keep-alive and the log are the client's own
 * options (protocol/device-client/client-options.ts), with its defaults.
 */
export interface SimDeviceExtras extends Pick<DeviceClientOptions, 'bufferLimit' | 'seqStart' | 'backoffMinS' | 'backoffMaxS' | 'keepaliveS' | 'onLog'> {
  /** Deliberate protocol violations (conformance self-test); none by default. */
  faults?: Iterable<DeviceFault>
  vendor?: string
  model?: string
  /** Real milliseconds between looks at the simulation clock; default 50. */
  tickMs?: number
  /** Cameras: line-crossing period until a config command says otherwise, simulation seconds; default 10. */
  lineCountPeriodS?: number
  /** Readers: how long a door stays open after a grant or open-door, simulation seconds; default 3. */
  doorOpenS?: number
}

export type SimDeviceOptions = DeviceOptions & SimDeviceExtras

/** Counters of the contract plus the events dropped from a full buffer and the error replies received. */
export type SimDeviceCounters = DeviceClientCounters

export interface ResolvedOptions {
  faults: ReadonlySet<DeviceFault>
  vendor: string
  model: string
  firmware: string
  tickMs: number
  lineCountPeriodS: number
  doorOpenS: number
}

export function resolveOptions (o: SimDeviceOptions, kind: 'reader' | 'camera'): ResolvedOptions {
  const faults = new Set<DeviceFault>(o.faults ?? [])
  for (const f of faults) if (!(DEVICE_FAULTS as readonly string[]).includes(f)) throw new RangeError(`unknown device fault ${JSON.stringify(f)}`)
  return {
    faults,
    vendor: o.vendor ?? 'RH Simulator',
    model: o.model ?? (kind === 'reader' ? 'SIM-R1' : 'SIM-C1'),
    firmware: o.firmware ?? 'sim-1.0.0',
    tickMs: o.tickMs ?? 50,
    lineCountPeriodS: o.lineCountPeriodS ?? 10,
    doorOpenS: o.doorOpenS ?? 3,
  }
}
