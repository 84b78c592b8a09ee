// One Frigate camera as the platform sees it: a camera device with its own
// session (protocol §5.8) on the device client, its events kept in its
// journal. A person entering a configured zone is published once as
// `event/person`; with a line configured, the crossings derived from the zone
// order are counted and published as `event/line` once per counting period
// (also when both counts are 0, as §7.4 asks).

import { DeviceClient, errorBody, type DeviceLogEntry, type EventFields } from '../../protocol/device-client/index.ts'
import type { Journal } from '../journal/journal.ts'
import type { SourceSequences } from '../journal/sequences.ts'
import { crossing, eventIdFor, snapshotUrl, zoneEntries, type FrigateCameraMap } from './frigate-mapping.ts'
import type { FrigateEvent } from './frigate-message.ts'
import type { SeenEntries } from './seen-entries.ts'

export interface FrigateCameraOptions {
  url: string
  device: { id: string; buildingId: string; password: string }
  map: FrigateCameraMap
  journal: Journal
  sequences: SourceSequences
  seen: SeenEntries
  timeZone: string
  /** Frigate's HTTP API (`http://frigate.lan:5000`): the snapshot reference of each event points there. */
  frigateHttp?: string
  /** The latest people count Frigate published for a zone (`<prefix>/<zone>/person`), if any. */
  zoneCount: (zone: string) => number | undefined
  /** How the gateway reaches Frigate, for the heartbeat (shared seam: `connector`). */
  connector: () => ConnectorState
  heartbeatS?: number
  /** Counting period of `event/line` until a config command says otherwise; default 60 s. */
  lineCountPeriodS?: number
  onLog?: (e: DeviceLogEntry) => void
}

export interface ConnectorState {
  kind: 'frigate'
  state: 'reachable' | 'unreachable'
  lastHeardAt?: string
}

export interface FrigateCameraCounters {
  /** `event/person` kept in the journal. */
  persons: number
  /** Zone entries and crossings already reported (a later update, an `end`, a replay). */
  duplicates: number
  crossings: { in: number; out: number }
  /** `event/line` periods kept. */
  lines: number
}

export class FrigateCameraSession {
  readonly client: DeviceClient
  readonly counters: FrigateCameraCounters = { persons: 0, duplicates: 0, crossings: { in: 0, out: 0 }, lines: 0 }
  private period: { start: number; in: number; out: number; keys: string[] } | undefined
  /** The eventId of the event being recorded, when a Frigate entry names it (`nextIds` reads it). */
  private named: string | undefined

  constructor (private readonly o: FrigateCameraOptions) {
    const doors = [...new Set([...Object.values(o.map.zones).flatMap((z) => z.door === undefined ? [] : [z.door]), ...(o.map.line === undefined ? [] : [o.map.line.door])])]
    this.client = new DeviceClient({
      credentials: { url: o.url, buildingId: o.device.buildingId, deviceId: o.device.id, password: o.device.password },
      doors,
      firmware: 'gateway/frigate',
      vendor: 'frigate',
      model: 'frigate-camera',
      heartbeatS: o.heartbeatS ?? 60,
      settings: { timezone: o.timeZone, ...(o.lineCountPeriodS === undefined ? {} : { lineCountPeriodS: o.lineCountPeriodS }) },
      buffer: o.journal,
      nextIds: () => {
        const ids = o.sequences.stamp(o.device.id)
        return this.named === undefined ? ids : { seq: ids.seq, eventId: this.named }
      },
      execute: (name) => errorBody('unsupported', `a Frigate camera behind the gateway cannot ${name}`),
      ...(o.map.line === undefined ? {} : { onTick: (now: number) => this.tick(now) }),
      ...(o.onLog === undefined ? {} : { onLog: o.onLog }),
    })
  }

  get connector (): ConnectorState {
    return this.o.connector()
  }

  /** A Frigate event for this camera: each new zone entry kept once (resolves when kept), each crossing counted once. */
  async take (e: FrigateEvent, receivedAt: number): Promise<void> {
    const c = crossing(this.o.map, e)
    if (c !== undefined) {
      if (this.o.seen.take(c.key)) {
        this.period ??= { start: receivedAt, in: 0, out: 0, keys: [] }
        this.period[c.direction]++
        this.period.keys.push(c.key)
        this.counters.crossings[c.direction]++
      } else {
        this.counters.duplicates++
      }
    }
    for (const entry of zoneEntries(this.o.map, e, receivedAt)) {
      if (!this.o.seen.take(entry.key)) {
        this.counters.duplicates++
        continue
      }
      const count = this.o.zoneCount(entry.zone)
      const fields = {
        ...(entry.door === undefined ? {} : { door: entry.door }),
        zone: entry.zone,
        count: count !== undefined && count >= 1 ? count : 1,
        ...(entry.confidence === undefined ? {} : { confidence: entry.confidence }),
        ...(this.o.frigateHttp === undefined ? {} : { snapshot: snapshotUrl(this.o.frigateHttp, e.after.id) }),
      }
      try {
        await this.publishPerson(entry.key, fields, entry.t)
      } catch (err) {
        this.o.seen.release(entry.key)
        throw err
      }
      this.o.seen.remember([entry.key])
      this.counters.persons++
    }
  }

  private async publishPerson (key: string, fields: EventFields<'event/person'>, t: number): Promise<unknown> {
    this.named = eventIdFor(this.o.device.id, key)
    let kept: Promise<unknown>
    try {
      kept = this.client.publishEventKept('event/person', fields, t) // takes its ids before its first await
    } finally {
      this.named = undefined
    }
    return await kept
  }

  /** End of a counting period: its counts kept as one `event/line`, the crossings in it remembered then. */
  private tick (now: number): void {
    const line = this.o.map.line!
    const periodS = this.client.settings.lineCountPeriodS
    this.period ??= { start: now, in: 0, out: 0, keys: [] }
    const p = this.period
    if (now < p.start + periodS * 1000) return
    const end = p.start + periodS * 1000
    // A clock that jumped far ahead: the next period starts now, not in the past.
    this.period = { start: now - end > periodS * 1000 ? now : end, in: 0, out: 0, keys: [] }
    this.client.publishEventKept('event/line', { door: line.door, in: p.in, out: p.out, periodS }, end).then(() => {
      this.o.seen.remember(p.keys)
      this.counters.lines++
    }, (err: unknown) => {
      for (const k of p.keys) this.o.seen.release(k)
      this.client.log('error', 'a line count could not be kept', String(err))
    })
  }
}
