// One legacy reader as the platform sees it: a device session of its own
// (protocol §5.8) on the device client, its events kept in its journal, the
// allow-list the platform syncs to it held here, so the gateway can answer
// the reader's "may this card open?" itself, with or without the uplink.

import { existsSync, readFileSync } from 'node:fs'
import { parseAllowlistKey, type AllowlistSync } from '../../protocol/index.ts'
import {
  applySync, decide, DeviceClient, EMPTY_ALLOWLIST, errorBody, restoredAllowlist, savedAllowlist, type Decision, type DeviceLogEntry,
  type HeldAllowlist,
} from '../../protocol/device-client/index.ts'
import { writeSynced } from '../journal/disk.ts'
import type { Journal } from '../journal/journal.ts'
import type { SourceSequences } from '../journal/sequences.ts'
import { readAsk, readSwipe, type LegacyReaderSite, type Lookup } from './read-message.ts'
import type { ReaderModel } from './reader-model.ts'

export interface LegacyReaderOptions {
  /** Where the platform's broker is (`mqtt://` or `mqtts://`). */
  url: string
  /** The device as provisioned on the platform. */
  device: { id: string; buildingId: string; password: string; allowlistKey: string }
  serial: string
  model: ReaderModel
  site: LegacyReaderSite
  journal: Journal
  sequences: SourceSequences
  /**
   * Where the allow-list held for this reader is kept (a file, written and synced after every sync), so that a
   * gateway started while the uplink is down still answers from it. Without it the list lives in memory only.
   */
  allowlistFile?: string
  heartbeatS?: number
  onLog?: (e: DeviceLogEntry) => void
}

export interface LegacyReaderCounters {
  swipes: number
  asks: number
  /** Messages refused (unreadable, or not what the model and the site config say). */
  refused: number
  /** Answers given while the uplink was down: decided on the list held, reported later. */
  decidedOffline: number
}

export class LegacyReaderSession {
  readonly client: DeviceClient
  readonly counters: LegacyReaderCounters = { swipes: 0, asks: 0, refused: 0, decidedOffline: 0 }
  private held: HeldAllowlist = EMPTY_ALLOWLIST
  private readonly key: Buffer

  constructor (private readonly o: LegacyReaderOptions) {
    this.key = parseAllowlistKey(o.device.allowlistKey)
    if (o.allowlistFile !== undefined && existsSync(o.allowlistFile)) {
      try {
        this.held = restoredAllowlist(JSON.parse(readFileSync(o.allowlistFile, 'utf8')))
      } catch (err) {
        // Unreadable: start empty (every card denied) until the platform syncs a list again.
        o.onLog?.({ deviceId: o.device.id, level: 'error', msg: 'the saved allow-list cannot be read; waiting for a sync', detail: String(err) })
      }
    }
    this.client = new DeviceClient({
      credentials: { url: o.url, buildingId: o.device.buildingId, deviceId: o.device.id, password: o.device.password },
      doors: [...new Set(Object.values(o.site.doors))],
      firmware: `gateway/${o.model.name}`,
      vendor: 'legacy',
      model: o.model.name,
      heartbeatS: o.heartbeatS ?? 60,
      settings: { timezone: o.site.timeZone },
      buffer: o.journal,
      nextIds: () => o.sequences.stamp(o.device.id),
      heartbeatExtras: () => ({ allowlistVersion: this.held.version }),
      execute: (name, command) => {
        if (name !== 'allowlist-sync') return errorBody('unsupported', `a ${o.model.name} reader behind the gateway cannot ${name}`)
        const outcome = applySync(this.held, command as AllowlistSync, this.key)
        if (!outcome.ok) return errorBody(outcome.code, outcome.message)
        this.held = outcome.list
        if (o.allowlistFile !== undefined) writeSynced(o.allowlistFile, JSON.stringify(savedAllowlist(outcome.list)))
        return { status: 'ok', data: { version: outcome.list.version } }
      },
      ...(o.onLog === undefined ? {} : { onLog: o.onLog }),
    })
  }

  get allowlistVersion (): number {
    return this.held.version
  }

  /** The reader reports a swipe it decided on: kept in the journal before this resolves (then the reader is told). */
  async swipe (get: Lookup, receivedAt: number): Promise<{ seq: number; eventId: string }> {
    const read = this.refusing(() => readSwipe(this.o.model, this.o.site, get, receivedAt))
    this.counters.swipes++
    return await this.client.publishEventKept('event/access', read.fields, read.t)
  }

  /**
   * The reader asks whether a card may open: decided on the list held (with the uplink or without it), and the
   * decision reported as the reader's access event, kept in the journal before the answer goes back.
   */
  async ask (get: Lookup, now: number): Promise<Decision> {
    const q = this.refusing(() => readAsk(this.o.model, this.o.site, get))
    this.counters.asks++
    const d = decide(this.held, this.key, 'card', q.value, now, this.o.site.timeZone)
    if (!this.client.connected) this.counters.decidedOffline++
    await this.client.publishEventKept('event/access', {
      door: q.door,
      direction: q.direction,
      credential: { kind: 'card', value: q.value, ...(d.credentialId === undefined ? {} : { credentialId: d.credentialId }) },
      result: d.result,
      ...(d.result === 'denied' && d.reason !== undefined ? { reason: d.reason } : {}),
    }, now)
    return d
  }

  private refusing<T> (read: () => T): T {
    try {
      return read()
    } catch (err) {
      this.counters.refused++
      throw err
    }
  }
}
