// The platform started in this process on embedded defaults (PGlite in a
// temporary data directory; or a scratch database on the local PostgreSQL
// server), on ephemeral ports on 127.0.0.1, with an administrator account for
// the load tools, and a probe that reads its counters and times every event:
// device timestamp → pipeline decision (the rules have judged it) and
// → alert committed. Everything is removed again by `stop()`.

import pino from 'pino'
import { startPlatform, type RunningPlatform } from '../../platform/starter.ts'
import { LatencyHistogram, type HistogramData } from './histogram.ts'
import { selfSample, type ProcessSample } from './process-stats.ts'

export type DatabaseChoice = 'pglite' | 'postgres'

export interface PlatformProbe extends ProcessSample {
  /** Events judged by the pipeline. */
  processed: number
  /** Alert candidates committed, and alerts opened. */
  committed: number
  opened: number
  decision: HistogramData
  committedLatency: HistogramData
  /** Events the event log has copied into the database, and journaled events not copied yet. */
  inDatabase: number
  behind: number
}

export interface EmbeddedPlatform {
  platform: RunningPlatform
  api: string
  mqtt: string
  admin: { username: string; password: string }
  /** The master key of ID numbers (DATA_KEY), for a second Registry on the same database. */
  dataKey: string
  database: DatabaseChoice
  /** Counters now, with the latencies recorded since the previous call. */
  probe (): PlatformProbe
  stop (): Promise<void>
}

export async function startEmbeddedPlatform (o: { database?: DatabaseChoice; env?: Record<string, string> } = {}): Promise<EmbeddedPlatform> {
  const database = o.database ?? 'pglite'
  const started = await startPlatform({
    database: database === 'postgres' ? 'scratch-postgres' : 'configured',
    env: { DEMO: 'off', LOG_LEVEL: 'warn', ...o.env },
    logger: pino({ level: 'warn' }),
    admin: { username: 'load-admin', displayName: 'Load runner' },
  })
  const { platform } = started
  const admin = started.admin!

  let decision = new LatencyHistogram()
  let committedLatency = new LatencyHistogram()
  const accepted = platform.accepted$.subscribe((m) => {
    const ts = (m.payload as { ts?: string }).ts
    if (m.channel.startsWith('event/') && ts !== undefined) decision.record(Date.now() - Date.parse(ts))
  })
  const committed = platform.pipeline.committed$.subscribe((batch) => {
    const now = Date.now()
    for (const c of batch) if (c.type === 'unknown_credential') committedLatency.record(now - c.at)
  })
  return {
    platform,
    api: platform.addresses.api,
    mqtt: platform.addresses.mqtt,
    admin,
    dataKey: started.dataKey,
    database,
    probe () {
      const stored = platform.eventLog.stats()
      const p: PlatformProbe = {
        ...selfSample(),
        processed: platform.pipeline.counters.events,
        committed: platform.pipeline.counters.committed,
        opened: platform.alerts.counters.opened,
        decision: decision.toJSON(),
        committedLatency: committedLatency.toJSON(),
        inDatabase: stored.inDatabase,
        behind: stored.behind,
      }
      decision = new LatencyHistogram()
      committedLatency = new LatencyHistogram()
      return p
    },
    async stop () {
      accepted.unsubscribe()
      committed.unsubscribe()
      await started.stop()
    },
  }
}
