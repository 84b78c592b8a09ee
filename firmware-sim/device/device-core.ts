// What simulated readers and cameras share: the protocol client
// (protocol/device-client/) on the simulation clock, with the simulation's
// timers run on its tick, and the faults of the conformance self-test. The
// protocol mechanics (will, outbox, replay, back-off, command replies,
// config) are the client's; the kinds add what the device does.

import { DeviceClient, type EventFields, type ReplyBody } from '../../protocol/device-client/index.ts'
import type { CommandName, CommandPayloads, Config, EventChannel, Heartbeat } from '../../protocol/index.ts'
import type { DeviceCredentials, InstalledCredentials, SimClock, SimDevice } from './device-api.ts'
import { isClientViolation, resolveOptions, type DeviceLogEntry, type ResolvedOptions, type SimDeviceCounters, type SimDeviceOptions } from './options.ts'
import { SimTimers } from './sim-timers.ts'

export type { EventFields } from '../../protocol/device-client/index.ts'

export abstract class DeviceCore implements SimDevice {
  readonly deviceId: string
  readonly buildingId: string
  readonly door: string
  protected readonly o: ResolvedOptions
  protected readonly clock: SimClock
  protected readonly timers = new SimTimers()
  protected readonly client: DeviceClient

  constructor (creds: DeviceCredentials, options: SimDeviceOptions, readonly kind: 'reader' | 'camera', onLog?: (e: DeviceLogEntry) => void) {
    this.deviceId = creds.deviceId
    this.buildingId = creds.buildingId
    this.door = creds.door
    this.o = resolveOptions(options, kind)
    this.clock = options.clock
    const { url, buildingId, deviceId, password } = creds
    this.client = new DeviceClient({
      credentials: { url, buildingId, deviceId, password },
      doors: [creds.door],
      firmware: this.o.firmware,
      vendor: this.o.vendor,
      model: this.o.model,
      heartbeatS: options.heartbeatS,
      settings: { lineCountPeriodS: this.o.lineCountPeriodS },
      clock: options.clock,
      tickMs: this.o.tickMs,
      ...(options.bufferLimit === undefined ? {} : { bufferLimit: options.bufferLimit }),
      ...(options.seqStart === undefined ? {} : { seqStart: options.seqStart }),
      ...(options.backoffMinS === undefined ? {} : { backoffMinS: options.backoffMinS }),
      ...(options.backoffMaxS === undefined ? {} : { backoffMaxS: options.backoffMaxS }),
      ...(options.keepaliveS === undefined ? {} : { keepaliveS: options.keepaliveS }),
      execute: (name, command) => this.execute(name, command),
      heartbeatExtras: () => this.heartbeatExtras(),
      onConfig: (c, now) => this.configured(c, now),
      onTick: (now) => {
        this.timers.runDue(now)
        this.ticked(now)
      },
      ...(onLog === undefined ? {} : { onLog }),
      violations: [...this.o.faults].filter(isClientViolation),
    })
  }

  /** Connected, subscribed and online status published. */
  get connected (): boolean {
    return this.client.connected
  }

  get counters (): SimDeviceCounters {
    return this.client.counters
  }

  /** Events waiting in the on-device buffer (including those in flight). */
  get pendingEvents (): number {
    return this.client.pendingEvents
  }

  /** heartbeatS, doorHeldOpenS, timezone, lineCountPeriodS as configured. */
  protected get settings (): DeviceCore['client']['settings'] {
    return this.client.settings
  }

  /** `retry`: a failed first attempt is retried with back-off (the command line's device) instead of rejecting. */
  start (opts: { retry?: boolean } = {}): Promise<void> {
    return this.client.start(opts)
  }

  async stop (opts: { graceful?: boolean } = {}): Promise<void> {
    this.timers.clear()
    await this.client.stop(opts)
  }

  disconnect (): Promise<void> {
    return this.client.disconnect()
  }

  reconnect (): Promise<void> {
    return this.client.reconnect()
  }

  async installCredentials (creds: InstalledCredentials): Promise<void> {
    const state = this.client.state
    if (state === 'stopped' || state === 'idle') throw new Error(`${this.deviceId} is not started`)
    this.credentialsInstalled(creds)
    // A connection of the old secret (the platform usually closed it already) ends with a DISCONNECT: no will.
    await this.client.installCredentials(creds.password)
  }

  // ------------------------------------------------------------ for the kinds

  /** New credentials were installed (the secret is taken care of by the client). */
  protected credentialsInstalled (_creds: InstalledCredentials): void {}

  /** Carries out a command other than config. */
  protected abstract execute<N extends Exclude<CommandName, 'config'>> (name: N, command: CommandPayloads[N]): ReplyBody | Promise<ReplyBody>
  /** Kind-specific fields of the heartbeat. */
  protected heartbeatExtras (): Partial<Heartbeat> {
    return {}
  }

  /** A config command was applied. */
  protected configured (_config: Config, _now: number): void {}
  /** Called on every tick with the simulation time. */
  protected ticked (_now: number): void {}

  /** Records an event at simulation time `t`: seq and eventId fixed now, kept until acknowledged. */
  protected recordEvent<C extends EventChannel> (channel: C, fields: EventFields<C>, t = this.clock.now()): void {
    // bad_payload: a field of the firmware's own, which every v1 schema forbids.
    const sent = this.o.faults.has('bad_payload') ? { ...fields, vendorExt: 'sim' } : fields
    this.client.publishEvent(channel, sent, t)
  }

  protected log (level: DeviceLogEntry['level'], msg: string, detail?: unknown): void {
    this.client.log(level, msg, detail)
  }
}
