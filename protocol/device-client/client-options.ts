// What a DeviceClient is given: the credentials from provisioning, what its
// online status says about it, how it carries out commands, and the timing
// of its outbox, heartbeats and reconnects. Defaults are those the spec
// recommends (§5.3, §5.5, §10.3).

import type { CommandName, CommandPayloads, Config, Heartbeat } from '../index.ts'
import type { ReplyBody } from './commands.ts'
import type { EventBuffer } from './outbox.ts'
import type { DeviceSettings } from './settings.ts'

/** What provisioning (POST /buildings/{id}/devices) returned, and where to connect. */
export interface DeviceClientCredentials {
  /** mqtt://host:port or ws://host:port/mqtt */
  url: string
  buildingId: string
  deviceId: string
  /** The device's secret: the MQTT password. */
  password: string
}

/** Milliseconds since the epoch; a simulation may run it faster than real time. */
export interface DeviceClock {
  now (): number
}

/**
 * Deliberate violations of the protocol, each breaking exactly one requirement, so that a conformance kit can
 * be shown to catch it. Never set on a real device.
 * - `no_will`: connects without a last will (§5.3); `shutdown_will`: the will says `"reason":"shutdown"`;
 * - `seq_not_increasing`: every other event repeats the previous `seq`; `duplicate_event_ids`: every other
 *   event reuses the previous `eventId` (§10.1);
 * - `status_not_retained`: the online status goes out without retain (§7.6);
 * - `no_command_reply`: commands are carried out but never answered (§8);
 * - `no_heartbeat`: never heartbeats (§7.7); `no_replay`: throws the outbox away on reconnecting (§10.3).
 */
export const CLIENT_VIOLATIONS = [
  'no_will', 'shutdown_will', 'seq_not_increasing', 'status_not_retained', 'no_command_reply', 'duplicate_event_ids', 'no_heartbeat', 'no_replay',
] as const
export type ClientViolation = (typeof CLIENT_VIOLATIONS)[number]

/** Carries out a command other than config (the client applies config itself); its reply is published once. */
export type CommandCarrier = <N extends Exclude<CommandName, 'config'>>(name: N, command: CommandPayloads[N]) => ReplyBody | Promise<ReplyBody>

export interface DeviceLogEntry {
  deviceId: string
  level: 'info' | 'warn' | 'error'
  msg: string
  detail?: unknown
}

export interface DeviceClientOptions {
  credentials: DeviceClientCredentials
  /** The doors of the online status (§7.6). */
  doors: string[]
  firmware: string
  vendor: string
  model: string
  /** Heartbeat interval until a config command says otherwise, seconds (§7.7). */
  heartbeatS: number
  /** allowlist-sync and open-door (or `unsupported`); config is applied by the client. */
  execute: CommandCarrier
  /** Settings other than heartbeatS before any config (§8.3); default 60 s held open, Asia/Shanghai, 60 s periods. */
  settings?: Partial<Omit<DeviceSettings, 'heartbeatS'>>
  /** Default the system clock. Due times (heartbeats, retries) are looked at on every tick, never scheduled. */
  clock?: DeviceClock
  /** Real milliseconds between ticks; default 50. */
  tickMs?: number
  /** Events kept while offline; default 10,000 (then the oldest are dropped and counted). */
  bufferLimit?: number
  /** Where events wait for their PUBACK; default an in-memory Outbox of `bufferLimit` (a gateway gives its journal). */
  buffer?: EventBuffer
  /**
   * The seq and eventId of each new event; default a counter from `seqStart` and a random UUID. A gateway gives
   * numbers that survive its restarts.
   */
  nextIds?: () => { seq: number; eventId: string }
  /**
   * First `seq`; default the current Unix time in ms, so a restarted device never reuses a seq (§10.1) without
   * storing its counter (as long as it records fewer than 1,000 events a second on average).
   */
  seqStart?: number
  /** Reconnect back-off, seconds of `clock`: default 5 doubling (with up to 20 % jitter) to 300 (§5.5). */
  backoffMinS?: number
  backoffMaxS?: number
  /** MQTT keep-alive, real seconds; default 30. */
  keepaliveS?: number
  /** Kind-specific heartbeat fields (a reader's allowlistVersion). */
  heartbeatExtras?: () => Partial<Heartbeat>
  /** A config command was applied (`settings` already hold it). */
  onConfig?: (config: Config, now: number) => void
  /** Called first on every tick with the clock's time: the device's own timers. */
  onTick?: (now: number) => void
  /** Diagnostics: error replies from the platform, refused connections, failed commands. */
  onLog?: (entry: DeviceLogEntry) => void
  /** Conformance-kit self-tests only. */
  violations?: Iterable<ClientViolation>
}

/** Counters of a client's traffic. */
export interface DeviceClientCounters {
  /** Messages published (events, statuses, heartbeats, replies). */
  published: number
  /** QoS 1 messages the broker acknowledged. */
  acked: number
  /** Events recorded while the client was offline. */
  buffered: number
  /** Commands received. */
  commands: number
  /** Events dropped from a full outbox, or thrown away (`no_replay`). */
  dropped: number
  /** Messages received on the error topic (§9). */
  errorReplies: number
}
