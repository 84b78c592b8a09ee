// Options of the simulated firmware beyond the DeviceOptions of the contract,
// and the deliberate faults the conformance kit's self-test runs against.

import type { DeviceOptions } from './device-api.ts'

/**
 * Each fault breaks exactly one requirement of the protocol:
 * - `no_will`: connects without a last will (§5.3);
 * - `shutdown_will`: sets a last will that says `"reason":"shutdown"`, so a power cut would read as a planned
 *   stop (§5.3; the platform refuses the CONNECT);
 * - `seq_not_increasing`: every other event repeats the previous `seq` (§10.1);
 * - `status_not_retained`: publishes its online status without the retain flag (§7.6);
 * - `no_command_reply`: carries commands out but never replies (§8);
 * - `bad_payload`: adds a field of its own to every event, which the schemas forbid (§2, §6);
 * - `duplicate_event_ids`: every other event reuses the previous `eventId` (§10.1);
 * - `no_heartbeat`: never sends a heartbeat (§7.7);
 * - `no_replay`: throws its buffered events away when it reconnects (§10.3);
 * - `ignores_key_id`: applies allow-lists computed with any key, not only its own (§8.1).
 */
export const DEVICE_FAULTS = [
  'no_will',
  'shutdown_will',
  'seq_not_increasing',
  'status_not_retained',
  'no_command_reply',
  'bad_payload',
  'duplicate_event_ids',
  'no_heartbeat',
  'no_replay',
  'ignores_key_id',
] as const
export type DeviceFault = (typeof DEVICE_FAULTS)[number]

export interface SimDeviceExtras {
  /** Deliberate protocol violations (conformance self-test); none by default. */
  faults?: Iterable<DeviceFault>
  vendor?: string
  model?: string
  /** Real milliseconds between looks at the simulation clock; default 50. */
  tickMs?: number
  /** Events the device keeps while offline; default 10,000 (then the oldest are dropped and counted). */
  bufferLimit?: number
  /** First `seq`; default the current Unix time in ms, so a re-created device never reuses a seq (§10.1). */
  seqStart?: number
  /** Reconnect back-off after a lost connection or refused attempt, simulation seconds; default 5 doubling to 300 (§5.5). */
  backoffMinS?: number
  backoffMaxS?: number
  /** MQTT keep-alive, real seconds; default 30. */
  keepaliveS?: number
  /** Cameras: line-crossing period until a config command says otherwise, simulation seconds; default 10. */
  lineCountPeriodS?: number
  /** Readers: how long a door stays open after a grant or open-door, simulation seconds; default 3. */
  doorOpenS?: number
  /** Diagnostics (error replies from the platform, refused connections, failed commands). */
  onLog?: (entry: DeviceLogEntry) => void
}

export interface DeviceLogEntry {
  deviceId: string
  level: 'info' | 'warn' | 'error'
  msg: string
  detail?: unknown
}

export type SimDeviceOptions = DeviceOptions & SimDeviceExtras

/** Counters of the contract plus the events dropped from a full buffer and the error replies received. */
export interface SimDeviceCounters {
  published: number
  acked: number
  /** Events recorded while the device was offline. */
  buffered: number
  commands: number
  dropped: number
  errorReplies: number
}

export interface ResolvedOptions {
  faults: ReadonlySet<DeviceFault>
  vendor: string
  model: string
  firmware: string
  tickMs: number
  bufferLimit: number
  seqStart: number
  backoffMinS: number
  backoffMaxS: number
  keepaliveS: number
  lineCountPeriodS: number
  doorOpenS: number
}

export function resolveOptions (o: SimDeviceOptions, kind: 'reader' | 'camera'): ResolvedOptions {
  const faults = new Set<DeviceFault>(o.faults ?? [])
  for (const f of faults) if (!(DEVICE_FAULTS as readonly string[]).includes(f)) throw new RangeError(`unknown device fault ${JSON.stringify(f)}`)
  if (!(o.heartbeatS >= 1)) throw new RangeError(`heartbeatS must be at least 1, not ${o.heartbeatS}`)
  return {
    faults,
    vendor: o.vendor ?? 'RH Simulator',
    model: o.model ?? (kind === 'reader' ? 'SIM-R1' : 'SIM-C1'),
    firmware: o.firmware ?? 'sim-1.0.0',
    tickMs: o.tickMs ?? 50,
    bufferLimit: o.bufferLimit ?? 10_000,
    seqStart: o.seqStart ?? Date.now(),
    backoffMinS: o.backoffMinS ?? 5,
    backoffMaxS: o.backoffMaxS ?? 300,
    keepaliveS: o.keepaliveS ?? 30,
    lineCountPeriodS: o.lineCountPeriodS ?? 10,
    doorOpenS: o.doorOpenS ?? 3,
  }
}
