// Keeps every connected reader's allow-list equal to its building's: a full
// sync once the reader has subscribed to its commands (or is approved while
// connected), a delta on every registry change, and a full sync again when a
// reader reports a version gap. Each reader gets the list digested with its
// own key; a reader that is not approved, or has no key, gets none, and what
// becomes of each reader's list is told to `outcomes` (reader-not-updated.ts).

import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import { allowlistKeyId, type CommandName, type CommandPayload, type CommandReply } from '../../protocol/index.ts'
import type { DevicePresenceListener } from '../broker/ports.ts'
import type { AllowlistChange, ListedCredential } from '../registry/context.ts'
import { fullAllowlist } from '../registry/credentials.ts'
import type { AllowlistStatus } from '../registry/devices.ts'
import type { Registry } from '../registry/registry.ts'
import { digestFor, openEntries, type OpenedCredential } from './reader-list.ts'

export interface CommandSender {
  sendCommand<N extends CommandName> (buildingId: string, deviceId: string, name: N, payload: CommandPayload<N>): Promise<void>
  isConnected (deviceId: string): boolean
}

/** What becomes of the readers' lists, for whoever watches that every served reader has its list. */
export interface ListOutcomes {
  /** A list was not sent to the reader (not approved, no key, ...). */
  withheld (device: { deviceId: string; buildingId: string }): void
  /** The reader answered a list with `wrong_key`. */
  refused (device: { deviceId: string; buildingId: string }): void
  /** The reader confirmed a list. */
  confirmed (device: { deviceId: string; buildingId: string }): void
}

export interface ReaderSyncState {
  /** Version last confirmed by the reader (reply ok), if any. */
  confirmedVersion: number | null
  /** Version last sent. */
  sentVersion: number | null
  lastError: string | null
}

export class AllowlistPusher implements DevicePresenceListener {
  private unsubscribe: (() => void) | undefined
  private readonly state = new Map<string, ReaderSyncState>()
  private readonly pending = new Map<string, { deviceId: string; version: number }>()
  /**
   * Readers that subscribed and wait for their full list: a delta queued before that list is not sent to them
   * (the list, read after it, already holds the change; sent first, the delta would only cost a version gap).
   */
  private readonly awaitingFull = new Set<string>()
  /** Per building, the tail of its pushes: they run one after another, in the order asked for. */
  private readonly turns = new Map<string, Promise<void>>()

  constructor (private readonly deps: { registry: Registry; sender: CommandSender; logger: Logger; outcomes?: ListOutcomes; now?: () => Date }) {}

  start (): void {
    this.unsubscribe = this.deps.registry.events.subscribe({
      allowlistChanged: (change) => { void this.pushDelta(change) },
      // Approved while connected: the reader gets its list now, not at its next connection.
      deviceApproved: (device) => { if (this.deps.sender.isConnected(device.deviceId)) this.commandsSubscribed(device) },
    })
  }

  /** Stops listening and waits for the pushes under way, so none runs into a closed database. */
  async stop (): Promise<void> {
    this.unsubscribe?.()
    this.unsubscribe = undefined
    while (this.turns.size > 0) await Promise.allSettled([...this.turns.values()])
  }

  /** What the platform knows about a reader's allow-list. */
  syncState (deviceId: string): ReaderSyncState | undefined {
    return this.state.get(deviceId)
  }

  /** A reader is listening for commands: bring its list up to date. */
  commandsSubscribed (device: { deviceId: string; buildingId: string }): void {
    this.awaitingFull.add(device.deviceId)
    void this.pushFull(device.buildingId, device.deviceId)
      .catch((err: unknown) => this.deps.logger.error({ err, deviceId: device.deviceId }, 'allow-list full sync failed'))
      // Sent or failed: deltas flow again (after a failure they lead the reader to ask for the full list).
      .finally(() => this.awaitingFull.delete(device.deviceId))
  }

  deviceDisconnected (device: { deviceId: string }): void {
    this.awaitingFull.delete(device.deviceId)
    for (const [requestId, p] of this.pending) if (p.deviceId === device.deviceId) this.pending.delete(requestId)
  }

  /** Replies from readers (channel `reply`). */
  handleReply (buildingId: string, deviceId: string, reply: CommandReply): void {
    if (reply.command !== 'allowlist-sync') return
    const sent = this.pending.get(reply.requestId)
    this.pending.delete(reply.requestId)
    const s = this.stateOf(deviceId)
    if (reply.status === 'ok') {
      const held = (reply.data as { version?: unknown } | undefined)?.version
      s.confirmedVersion = typeof held === 'number' ? held : sent?.version ?? s.confirmedVersion
      s.lastError = null
      this.deps.outcomes?.confirmed({ deviceId, buildingId })
      return
    }
    s.lastError = reply.error?.code ?? 'error'
    if (reply.error?.code === 'wrong_key') this.deps.outcomes?.refused({ deviceId, buildingId })
    if (reply.error?.code === 'version_gap') {
      void this.pushFull(buildingId, deviceId).catch((err: unknown) =>
        this.deps.logger.error({ err, deviceId }, 'allow-list resync failed'))
    } else {
      this.deps.logger.warn({ deviceId, error: reply.error }, 'reader refused an allow-list sync')
    }
  }

  async pushFull (buildingId: string, deviceId: string): Promise<void> {
    await this.inTurn(buildingId, async () => {
      const to = await this.deps.registry.devices.allowlistRecipient(deviceId)
      if (!('key' in to)) return this.withheld({ deviceId, buildingId }, to.refused)
      // Read in turn: every delta announced before this read has been sent before this list.
      const { version, entries } = await fullAllowlist(this.deps.registry.ctx.db, buildingId)
      await this.send(buildingId, deviceId, to.key, { mode: 'full', version, upsert: this.open(entries), remove: [] })
    })
  }

  private withheld ({ deviceId, buildingId }: { deviceId: string; buildingId: string }, why: AllowlistStatus): void {
    this.deps.outcomes?.withheld({ deviceId, buildingId })
    if (why === 'awaiting_approval') {
      this.deps.logger.info({ deviceId }, 'no allow-list for this reader until the landlord approves it')
    } else if (why === 'needs_key') {
      this.deps.logger.warn({ deviceId }, 'no allow-list for this reader: it has no allow-list key (provisioned before protocol revision 2); rotate its secret to issue one')
    }
  }

  private open (entries: readonly ListedCredential[]): OpenedCredential[] {
    return openEntries(entries, this.deps.registry.ctx.secrets, (credentialId, err) =>
      this.deps.logger.error({ err, credentialId }, 'a PIN could not be opened; it is left out of the allow-list'))
  }

  private pushDelta (change: AllowlistChange): Promise<void> {
    return this.inTurn(change.buildingId, () => this.sendDelta(change))
  }

  /**
   * Runs a building's pushes one at a time, in order. Without this, a delta
   * could overtake the one before it, or a full list read before a change be
   * sent after that change's delta and leave the reader on the older list.
   */
  private inTurn (buildingId: string, job: () => Promise<void>): Promise<void> {
    const run = (this.turns.get(buildingId) ?? Promise.resolve()).then(job)
    const tail = run.catch(() => {})
    this.turns.set(buildingId, tail)
    void tail.then(() => { if (this.turns.get(buildingId) === tail) this.turns.delete(buildingId) })
    return run
  }

  private async sendDelta (change: AllowlistChange): Promise<void> {
    try {
      const readers = await this.deps.registry.devices.allowlistRecipients(change.buildingId)
      const upsert = this.open(change.upsert)
      for (const { deviceId, key } of readers) {
        if (!this.deps.sender.isConnected(deviceId) || this.awaitingFull.has(deviceId)) continue
        await this.send(change.buildingId, deviceId, key, {
          mode: 'delta', version: change.version, baseVersion: change.baseVersion, upsert, remove: change.remove,
        })
      }
    } catch (err) {
      this.deps.logger.error({ err, buildingId: change.buildingId }, 'allow-list delta push failed')
    }
  }

  private async send (
    buildingId: string,
    deviceId: string,
    key: Buffer,
    body: { mode: 'full' | 'delta'; version: number; baseVersion?: number; upsert: OpenedCredential[]; remove: string[] },
  ): Promise<void> {
    const requestId = randomUUID()
    const ts = (this.deps.now?.() ?? new Date()).toISOString()
    this.pending.set(requestId, { deviceId, version: body.version })
    // Bounded: a reader that never replies must not grow the table.
    if (this.pending.size > 10_000) this.pending.delete(this.pending.keys().next().value!)
    this.stateOf(deviceId).sentVersion = body.version
    const { mode, version, baseVersion, remove } = body
    await this.deps.sender.sendCommand(buildingId, deviceId, 'allowlist-sync', {
      requestId, ts, mode, version, keyId: allowlistKeyId(key), ...(baseVersion === undefined ? {} : { baseVersion }),
      upsert: digestFor(key, body.upsert), remove,
    })
  }

  private stateOf (deviceId: string): ReaderSyncState {
    let s = this.state.get(deviceId)
    if (s === undefined) {
      s = { confirmedVersion: null, sentVersion: null, lastError: null }
      this.state.set(deviceId, s)
    }
    return s
  }
}
