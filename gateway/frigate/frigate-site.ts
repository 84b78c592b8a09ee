// The Frigate part of a gateway process, built from the site config: one
// camera session (and journal) per mapped Frigate camera, the remembered
// entries, and the adapter on Frigate's broker. main.ts starts and stops it.

import { join } from 'node:path'
import type { DeviceLogEntry } from '../../protocol/device-client/index.ts'
import { Journal, type JournalOptions } from '../journal/journal.ts'
import type { SourceSequences } from '../journal/sequences.ts'
import { FrigateAdapter } from './frigate-adapter.ts'
import { FrigateCameraSession } from './frigate-camera.ts'
import type { FrigateConfig } from './frigate-config.ts'
import { SeenEntries } from './seen-entries.ts'

export interface FrigateSiteOptions {
  config: FrigateConfig
  /** The platform's MQTT address. */
  mqttUrl: string
  dataDir: string
  timeZone: string
  journal: Omit<JournalOptions, 'dir'>
  sequences: SourceSequences
  onLog: (e: DeviceLogEntry) => void
  heartbeatS?: number
  lineCountPeriodS?: number
}

export class FrigateSite {
  readonly sessions: FrigateCameraSession[] = []
  readonly journals: Journal[] = []
  adapter!: FrigateAdapter
  private seen!: SeenEntries

  private constructor (private readonly o: FrigateSiteOptions) {}

  /** Opens the journals and the remembered entries; nothing connects yet. */
  static async open (o: FrigateSiteOptions): Promise<FrigateSite> {
    const site = new FrigateSite(o)
    const c = o.config
    site.seen = new SeenEntries({ file: join(o.dataDir, 'frigate-seen.log') })
    const byCamera = new Map<string, FrigateCameraSession>()
    site.adapter = new FrigateAdapter({
      url: c.url, topicPrefix: c.topicPrefix,
      ...(c.username === undefined ? {} : { username: c.username }),
      ...(c.password === undefined ? {} : { password: c.password }),
      cameras: byCamera,
      zones: c.cameras.flatMap((cam) => Object.keys(cam.map.zones)),
      onLog: (e) => o.onLog({ deviceId: 'frigate', ...e }),
    })
    for (const cam of c.cameras) {
      const journal = await Journal.open({ dir: join(o.dataDir, 'journal', cam.device.id), ...o.journal })
      site.journals.push(journal)
      const session = new FrigateCameraSession({
        url: o.mqttUrl, device: cam.device, map: cam.map, journal, sequences: o.sequences, seen: site.seen, timeZone: o.timeZone,
        ...(c.http === undefined ? {} : { frigateHttp: c.http }),
        ...(o.heartbeatS === undefined ? {} : { heartbeatS: o.heartbeatS }),
        ...(o.lineCountPeriodS === undefined ? {} : { lineCountPeriodS: o.lineCountPeriodS }),
        zoneCount: (zone) => site.adapter.zoneCount(zone),
        connector: () => site.adapter.connector(),
        onLog: o.onLog,
      })
      byCamera.set(cam.map.frigate, session)
      site.sessions.push(session)
    }
    return site
  }

  /** The camera sessions connect to the platform (retrying), the adapter to Frigate's broker. */
  start (): void {
    for (const s of this.sessions) {
      s.client.start({ retry: true }).catch((err: unknown) => this.o.onLog({ deviceId: s.client.deviceId, level: 'error', msg: 'device session did not start', detail: String(err) }))
    }
    this.adapter.start()
  }

  async stop (): Promise<void> {
    await this.adapter.stop()
    await Promise.all(this.sessions.map((s) => s.client.stop({ graceful: true }).catch(() => {})))
    for (const j of this.journals) await j.close()
    this.seen.close()
  }
}
