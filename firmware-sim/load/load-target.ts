// What a load run is pointed at: the platform started in this process (its
// counters and latencies read directly) or a platform already running
// elsewhere (processed = messages its broker accepted, from GET /broker/stats;
// CPU and memory from /proc when its pid is given).

import { ApiClient } from '../../contract/client.ts'
import { LOAD_CALL_TIMEOUT_MS } from './in-parallel.ts'
import { startEmbeddedPlatform, type DatabaseChoice, type EmbeddedPlatform } from './embedded-platform.ts'
import type { HistogramData } from './histogram.ts'
import { pidSample } from './process-stats.ts'

export interface TargetSample {
  processed: number
  cpuMs?: number
  rssBytes?: number
  heapBytes?: number
  decision?: HistogramData
  committed?: HistogramData
}

export interface LoadTarget {
  /** For the report. */
  readonly info: Record<string, unknown>
  /** Logged in as an administrator. */
  readonly api: ApiClient
  /** mqtt://host:port devices connect to. */
  readonly mqtt: string
  /** What `processed` counts. */
  readonly processedMeans: string
  sample (): Promise<TargetSample>
  close (): Promise<void>
}

export async function inProcessTarget (database: DatabaseChoice, env?: Record<string, string>): Promise<LoadTarget & { embedded: EmbeddedPlatform }> {
  const embedded = await startEmbeddedPlatform({ database, ...(env === undefined ? {} : { env }) })
  try {
    const api = await ApiClient.login(embedded.api, embedded.admin.username, embedded.admin.password, { timeoutMs: LOAD_CALL_TIMEOUT_MS })
    return {
      embedded,
      info: { mode: 'in-process', api: embedded.api, mqtt: embedded.mqtt, database: database === 'pglite' ? 'PGlite (embedded, on disk)' : 'PostgreSQL (scratch database)' },
      api,
      mqtt: embedded.mqtt,
      processedMeans: 'events judged by the pipeline (Pipeline.counters.events)',
      async sample () {
        const p = embedded.probe()
        return { processed: p.processed, cpuMs: p.cpuMs, rssBytes: p.rssBytes, ...(p.heapBytes === undefined ? {} : { heapBytes: p.heapBytes }), decision: p.decision, committed: p.committedLatency }
      },
      close: () => embedded.stop(),
    }
  } catch (err) {
    await embedded.stop()
    throw err
  }
}

export interface RemoteOptions {
  api: string
  mqtt: string
  token?: string
  username?: string
  password?: string
  /** Pid of the platform process on this machine, for its CPU and memory. */
  pid?: number
}

export async function remoteTarget (o: RemoteOptions): Promise<LoadTarget> {
  let api: ApiClient
  if (o.token !== undefined) api = new ApiClient(o.api, { token: o.token, timeoutMs: LOAD_CALL_TIMEOUT_MS })
  else if (o.username !== undefined && o.password !== undefined) api = await ApiClient.login(o.api, o.username, o.password, { timeoutMs: LOAD_CALL_TIMEOUT_MS })
  else throw new Error('an existing platform needs --token, or --user and --password, of an administrator')
  const me = await api.request('GET /auth/me')
  if (me.role !== 'admin') throw new Error(`the load run needs an administrator account, not ${me.role}`)
  return {
    info: { mode: 'remote', api: o.api, mqtt: o.mqtt, pid: o.pid ?? null },
    api,
    mqtt: o.mqtt,
    processedMeans: 'uplink messages the broker accepted, logged durably (GET /broker/stats)',
    async sample () {
      const stats = await api.request('GET /broker/stats')
      const p = o.pid === undefined ? undefined : pidSample(o.pid)
      return { processed: stats.accepted, ...(p === undefined ? {} : { cpuMs: p.cpuMs, rssBytes: p.rssBytes }) }
    },
    close: async () => {},
  }
}
