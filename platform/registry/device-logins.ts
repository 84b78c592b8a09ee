// The broker's device directory, in memory: every device's login (id,
// building, secret hash, enabled) loaded at start and kept current by the
// registry, so a CONNECT needs no database round trip. A flood of bad logins
// then cannot queue lookups ahead of an honest device's, and known devices
// still connect while the database is down: their events are journaled.
//
// Current, in this order of strength:
//   - the registry's `deviceLoginChanged` event, emitted after each commit that
//     changes a login (provision, enable, disable, rotate), applied at once, before
//     the broker is told to disconnect the device: a rotated secret or a disable
//     is never answered from an old entry;
//   - a full reload every `refreshMs` (default 60 s), for changes made outside
//     this process; a failed reload keeps what is loaded;
//   - an id not loaded falls back to the database, at most `maxMissLookups` at a
//     time (default 4): ids a flood sprays cannot fill the database's queue. A
//     miss beyond that is answered "busy" (CONNACK 3, not a failed login).

import type { Logger } from 'pino'
import { DirectoryBusyError, type DeviceDirectory, type DeviceLogin } from '../broker/ports.ts'
import type { Database } from '../store/database.ts'
import type { RegistryEvents } from './context.ts'

export interface DeviceLoginsOptions {
  db: Database
  events: RegistryEvents
  logger: Logger
  /** Full reload interval, ms; default 60 s. */
  refreshMs?: number
  /** Database lookups for ids not loaded, at most this many at once; default 4. */
  maxMissLookups?: number
}

/** The columns of a device's login, and the login they make. */
export const LOGIN_COLUMNS = 'id, building_id, secret_hash, enabled'
export interface LoginRow { id: string; building_id: string; secret_hash: string; enabled: boolean }
export const toLogin = (r: LoginRow): DeviceLogin => ({ deviceId: r.id, buildingId: r.building_id, secretHash: r.secret_hash, enabled: r.enabled })

export class DeviceLogins implements DeviceDirectory {
  private logins = new Map<string, DeviceLogin>()
  private readonly refreshMs: number
  private readonly maxMissLookups: number
  private missLookups = 0
  /** Changes that arrived while a reload's query ran: newer than its answer, applied over it. */
  private changedDuringReload: Map<string, DeviceLogin> | undefined
  private timer: NodeJS.Timeout | undefined
  private unsubscribe: (() => void) | undefined
  private reloading: Promise<void> | undefined

  constructor (private readonly o: DeviceLoginsOptions) {
    this.refreshMs = o.refreshMs ?? 60_000
    this.maxMissLookups = o.maxMissLookups ?? 4
  }

  /** Loads every login and starts following the registry. */
  async start (): Promise<void> {
    this.unsubscribe = this.o.events.subscribe({ deviceLoginChanged: (login) => this.apply(login) })
    await this.reload()
    this.timer = setInterval(() => { void this.refresh() }, this.refreshMs)
    this.timer.unref()
  }

  stop (): void {
    this.unsubscribe?.()
    this.unsubscribe = undefined
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
  }

  get size (): number {
    return this.logins.size
  }

  find (deviceId: string): Promise<DeviceLogin | undefined> {
    const login = this.logins.get(deviceId)
    if (login !== undefined) return Promise.resolve({ ...login })
    return this.lookUp(deviceId)
  }

  /** A login as committed by the registry (or the database's answer to a miss). */
  private apply (login: DeviceLogin): void {
    const copy = { ...login }
    this.logins.set(login.deviceId, copy)
    this.changedDuringReload?.set(login.deviceId, copy)
  }

  /** The periodic reload: a failure is logged and what is loaded stays. */
  private async refresh (): Promise<void> {
    try {
      await this.reload()
    } catch (err) {
      this.o.logger.warn({ err }, 'device directory reload failed; connecting devices are checked against the logins already loaded')
    }
  }

  private reload (): Promise<void> {
    this.reloading ??= (async () => {
      const changed = new Map<string, DeviceLogin>()
      this.changedDuringReload = changed
      try {
        const r = await this.o.db.query<LoginRow>(`select ${LOGIN_COLUMNS} from devices`)
        const next = new Map<string, DeviceLogin>()
        for (const row of r.rows) next.set(row.id, toLogin(row))
        for (const [id, login] of changed) next.set(id, login)
        this.logins = next
      } finally {
        this.changedDuringReload = undefined
        this.reloading = undefined
      }
    })()
    return this.reloading
  }

  private async lookUp (deviceId: string): Promise<DeviceLogin | undefined> {
    if (this.missLookups >= this.maxMissLookups) throw new DirectoryBusyError()
    this.missLookups++
    try {
      const r = await this.o.db.query<LoginRow>(`select ${LOGIN_COLUMNS} from devices where id = $1`, [deviceId])
      const row = r.rows[0]
      if (row === undefined) return undefined
      const login = toLogin(row)
      // Made outside this process since the last reload: keep it (never an id that does not exist).
      if (!this.logins.has(deviceId)) this.logins.set(deviceId, login)
      return { ...login }
    } finally {
      this.missLookups--
    }
  }
}
