// A simulated door reader: decides locally from the allow-list the platform
// syncs to it (§7.2, §8.1), reports every decision, opens and closes its door
// (§7.3), and carries out open-door (§8.2).

import { parseAllowlistKey, type AllowlistSync, type CommandName, type CommandPayloads, type DoorState, type Heartbeat, type OpenDoor } from '../../protocol/index.ts'
import { applySync, decide, EMPTY_ALLOWLIST, errorBody, type CredentialKind, type HeldAllowlist, type ReplyBody } from '../../protocol/device-client/index.ts'
import type { DeviceCredentials, InstalledCredentials, SimReader } from './device-api.ts'
import { DeviceCore } from './device-core.ts'
import type { SimDeviceOptions } from './options.ts'

export class SimReaderDevice extends DeviceCore implements SimReader {
  private list: HeldAllowlist = EMPTY_ALLOWLIST
  private open: { since: number; cancelClose: () => void } | undefined
  /** The allow-list key installed (at provisioning or a rotation); kept in memory only, never published. */
  private key: Buffer | undefined
  /** The key the list held was computed with: decisions digest with it until a list under the new key comes. */
  private listKey: Buffer | undefined

  constructor (creds: DeviceCredentials, options: SimDeviceOptions) {
    super(creds, options, 'reader', options.onLog)
    this.key = creds.allowlistKey == null ? undefined : parseAllowlistKey(creds.allowlistKey)
    this.listKey = this.key
  }

  get allowlistVersion (): number {
    return this.list.version
  }

  get listUnderOwnKey (): boolean {
    return this.listKey === this.key
  }

  protected override credentialsInstalled (creds: InstalledCredentials): void {
    if (creds.allowlistKey != null) this.key = parseAllowlistKey(creds.allowlistKey)
  }

  async present (credential: { kind: CredentialKind; value: string }, direction: 'in' | 'out'): Promise<'granted' | 'denied'> {
    const now = this.clock.now()
    const d = decide(this.list, this.listKey, credential.kind, credential.value, now, this.settings.timezone)
    this.recordEvent('event/access', {
      door: this.door,
      direction,
      credential: {
        kind: credential.kind,
        value: credential.kind === 'pin' ? 'entered' : credential.value,
        ...(d.credentialId === undefined ? {} : { credentialId: d.credentialId }),
      },
      result: d.result,
      ...(d.result === 'denied' && d.reason !== undefined ? { reason: d.reason } : {}),
    }, now)
    if (d.result === 'granted') this.openDoor(now, this.o.doorOpenS)
    return d.result
  }

  async doorEvent (state: DoorState, durationS?: number): Promise<void> {
    this.recordEvent('event/door', { door: this.door, state, ...(durationS === undefined ? {} : { durationS }) })
  }

  protected override heartbeatExtras (): Partial<Heartbeat> {
    return { allowlistVersion: this.list.version }
  }

  protected execute<N extends Exclude<CommandName, 'config'>> (name: N, command: CommandPayloads[N]): ReplyBody {
    if (name === 'allowlist-sync') {
      const outcome = applySync(this.list, command as AllowlistSync, this.key, !this.o.faults.has('ignores_key_id'))
      if (!outcome.ok) return errorBody(outcome.code, outcome.message)
      this.list = outcome.list
      this.listKey = this.key
      return { status: 'ok', data: { version: outcome.list.version } }
    }
    const open = command as OpenDoor
    if (open.door !== this.door) return errorBody('unknown_door', `this reader controls door ${this.door} only`)
    this.openDoor(this.clock.now(), open.durationS ?? this.o.doorOpenS)
    return { status: 'ok' }
  }

  /** The door opens (once) and closes `holdS` later; a second opening while open only keeps it open longer. */
  private openDoor (now: number, holdS: number): void {
    if (this.open === undefined) {
      this.recordEvent('event/door', { door: this.door, state: 'opened' }, now)
      this.open = { since: now, cancelClose: () => {} }
    }
    const open = this.open
    open.cancelClose()
    open.cancelClose = this.timers.at(now + holdS * 1000, (at) => {
      this.open = undefined
      this.recordEvent('event/door', { door: this.door, state: 'closed', durationS: Math.round((at - open.since) / 1000) }, at)
    })
  }
}
