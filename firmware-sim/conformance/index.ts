// The vendor conformance kit: checks a device (real or simulated) against the
// device protocol rh/v1 and reports per requirement. `runConformance` is the
// whole run; firmware-sim/conformance.ts is its command line.

import { parseAllowlistKey } from '../../protocol/index.ts'
import { BrokerTransport } from './broker-transport.ts'
import { KIT_ALLOWLIST_KEY } from './commands.ts'
import { ListenTransport } from './listen-transport.ts'
import { newObservation, type DeviceKind } from './observation.ts'
import { buildReport, type ConformanceReport } from './report.ts'
import { evaluate, REQUIREMENTS } from './requirements.ts'
import { Session } from './session.ts'
import type { Transport } from './transport.ts'

export { REQUIREMENTS, type Requirement, type RequirementResult } from './requirements.ts'
export { KIT_ALLOWLIST_KEY, KIT_CREDENTIALS } from './commands.ts'
export { formatReport, type ConformanceReport } from './report.ts'
export type { Verdict } from './result.ts'
export type { DeviceKind } from './observation.ts'

export interface ConformanceOptions {
  deviceId: string
  buildingId: string
  kind: DeviceKind
  /** Listen mode (the default): the kit is the device's broker. */
  listen?: { port: number; host?: string }
  /** Broker mode: the kit joins the broker the device is connected to. */
  broker?: { url: string; username?: string; password?: string }
  /** The reader's door for open-door; default the first door of its online status. */
  door?: string
  /** heartbeatS the kit configures; default 5 (the smallest allowed). */
  heartbeatS?: number
  /** lineCountPeriodS the kit configures on cameras; default 5. */
  lineCountPeriodS?: number
  /** Heartbeat intervals (and line periods) to measure; default 3. */
  intervals?: number
  /** Real ms a command may wait for its reply; default 10,000. */
  replyTimeoutMs?: number
  /** Real ms to wait for the device at the start; default 120,000. */
  connectTimeoutMs?: number
  /** Seconds (kit clock) the kit refuses the device after dropping it; default 20. */
  outageS?: number
  /** Seconds (kit clock) after the drop by which the device must be back; default 120. */
  reconnectTimeoutS?: number
  /** Seconds (kit clock) the old heartbeat or line schedule may still run after config; default 65. */
  graceS?: number
  /** Seconds (kit clock) to watch the replay after the device is back; default 5. */
  replayWaitS?: number
  /** Largest accepted clock difference, seconds; default 5. */
  clockToleranceS?: number
  /** Readers: the allow-list key the reader holds, 64 hex digits; default the kit's test key (KIT_ALLOWLIST_KEY). */
  allowlistKey?: string
  /** Requirement ids not to judge; `reconnect` also skips the outage step. */
  skip?: Iterable<string>
  /** The kit's clock, ms; default Date.now. Tests with simulated devices pass their simulation clock. */
  clock?: () => number
  /** Readers: called once the allow-lists are in place: present the kit's credentials (KIT_CREDENTIALS) now. */
  presentCredentials?: () => Promise<void>
  /** Called once the kit has dropped the device's connection: make the device record events now. */
  duringOutage?: () => Promise<void>
  /** Asks the operator to act and waits for confirmation (--interactive). */
  prompt?: (text: string) => Promise<void>
  /** Progress lines. */
  log?: (line: string) => void
  /** Listen mode: called once the kit listens (with the port actually bound). */
  onListening?: (address: { host: string; port: number }) => void
}

export const DEFAULT_LISTEN_PORT = 1885

export async function runConformance (o: ConformanceOptions): Promise<ConformanceReport> {
  const clock = o.clock ?? Date.now
  const skip = new Set(o.skip ?? [])
  const known = new Set(REQUIREMENTS.map((r) => r.id))
  for (const id of skip) if (!known.has(id)) throw new RangeError(`unknown requirement ${JSON.stringify(id)} in skip`)
  const mode = o.broker !== undefined ? 'broker' : 'listen'
  const allowlistKey = o.allowlistKey ?? KIT_ALLOWLIST_KEY
  parseAllowlistKey(allowlistKey) // a bad key stops the run before anything is sent
  const obs = newObservation(mode, o.kind, o.deviceId, o.buildingId)
  const transport: Transport = o.broker !== undefined
    ? new BrokerTransport({ ...o.broker, observation: obs, clock })
    : new ListenTransport({ host: o.listen?.host ?? '0.0.0.0', port: o.listen?.port ?? DEFAULT_LISTEN_PORT, observation: obs, clock })
  const replyTimeoutMs = o.replyTimeoutMs ?? 10_000
  const intervals = o.intervals ?? 3
  const startedAt = new Date().toISOString()
  let aborted: string | undefined
  try {
    await transport.start()
    if (transport instanceof ListenTransport) o.onListening?.(transport.address)
    aborted = await new Session(transport, {
      ...(o.door === undefined ? {} : { door: o.door }),
      heartbeatS: o.heartbeatS ?? 5,
      lineCountPeriodS: o.lineCountPeriodS ?? 5,
      intervals,
      replyTimeoutMs,
      connectTimeoutMs: o.connectTimeoutMs ?? 120_000,
      outageS: o.outageS ?? 20,
      reconnectTimeoutS: o.reconnectTimeoutS ?? 120,
      graceS: o.graceS ?? 65,
      replayWaitS: o.replayWaitS ?? 5,
      reconnect: !skip.has('reconnect'),
      clock,
      allowlistKey,
      ...(o.presentCredentials === undefined ? {} : { presentCredentials: o.presentCredentials }),
      ...(o.duringOutage === undefined ? {} : { duringOutage: o.duringOutage }),
      ...(o.prompt === undefined ? {} : { prompt: o.prompt }),
      log: o.log ?? (() => {}),
    }).run()
    if (aborted === undefined) await transport.finish()
  } finally {
    await transport.close()
  }
  const results = evaluate(obs, { clockToleranceMs: (o.clockToleranceS ?? 5) * 1000, replyTimeoutMs, intervals, allowlistKey }, skip)
  return buildReport({
    deviceId: o.deviceId, buildingId: o.buildingId, kind: o.kind, mode, endpoint: transport.endpoint,
    startedAt, finishedAt: new Date().toISOString(), ...(aborted === undefined ? {} : { aborted }),
  }, aborted === undefined ? results : results.map((r) => r.verdict === 'pass' ? { ...r, verdict: 'not_checked' as const, reason: 'the run stopped early' } : r))
}
