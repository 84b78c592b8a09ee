// The three systems the benchmark measures with the same publishers, each
// behind one interface: where devices connect, which devices, what counts as
// done (processed by the pipeline; delivered to the counting subscriber), and
// the process whose CPU and memory are the system's.

import type { ChildProcess } from 'node:child_process'
import { ApiClient } from '../../contract/client.ts'
import { LOAD_CALL_TIMEOUT_MS } from '../load/in-parallel.ts'
import type { DatabaseChoice, PlatformProbe } from '../load/embedded-platform.ts'
import { LatencyHistogram, type HistogramData } from '../load/histogram.ts'
import { provisionSite, runTag } from '../load/provision.ts'
import type { PublisherDevice } from '../load/publisher.ts'
import { forkTs, nextMessage, stopChild } from './children.ts'
import type { SubscriberMessage } from './counting-subscriber.ts'
import { startMosquitto } from './mosquitto.ts'
import type { PlatformHostMessage } from './platform-host.ts'

export const SYSTEM_NAMES = ['platform', 'aedes', 'mosquitto', 'mosquitto-unlimited'] as const
export type SystemName = (typeof SYSTEM_NAMES)[number]

export interface SystemSample {
  /** Processed by the pipeline, or delivered to the subscriber, since the system started. */
  count: number
  /** Device timestamp → processed / delivered, since the previous sample. */
  latency: HistogramData
  /** Platform only: device timestamp → alert committed. */
  committed?: HistogramData
  /** Platform only: events copied into the database so far, and journaled events not copied yet. */
  stored?: { inDatabase: number; behind: number }
}

export interface System {
  name: SystemName
  /** What `count` means, for the output. */
  counts: string
  mqtt: string
  devices: PublisherDevice[]
  /** The system's own process (CPU, memory); the subscriber's, when there is one. */
  pid: number
  subscriberPid?: number
  version: string
  sample (): Promise<SystemSample>
  stop (): Promise<void>
}

/** Devices for the bare brokers when the platform did not provision any: same shape of ids, topics and cards. */
export function syntheticDevices (n: number, perBuilding = 10): PublisherDevice[] {
  return Array.from({ length: n }, (_, i) => {
    const b = `ldbench-b${Math.floor(i / perBuilding)}`
    const id = `${b}-d${i % perBuilding}`
    return {
      id, password: 'x'.repeat(32), topic: `rh/v1/${b}/${id}/event/access`, will: `rh/v1/${b}/${id}/status`,
      card: `C${i.toString(16).padStart(10, '0')}`, credentialId: `cr-${i.toString(36).padStart(12, '0')}`,
    }
  })
}

/**
 * The V8 setting `npm start` runs the platform with (a young generation large enough that the short-lived
 * objects of a batch of messages die young); bare Aedes gets the same, so both brokers run alike.
 */
const BROKER_NODE_FLAGS = ['--max-semi-space-size=64']

/** `profileDir`: write a CPU profile of the platform process there (node --cpu-prof) when it stops. */
export async function startPlatform (devices: number, database: DatabaseChoice, profileDir?: string): Promise<System> {
  const flags = [...BROKER_NODE_FLAGS, ...(profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir])]
  const host = forkTs(new URL('./platform-host.ts', import.meta.url), [database], flags)
  try {
    const ready = await nextMessage<Extract<PlatformHostMessage, { type: 'ready' }>>(host, 'ready', 60_000)
    const api = await ApiClient.login(ready.api, ready.username, ready.password, { timeoutMs: LOAD_CALL_TIMEOUT_MS })
    const perBuilding = Math.min(devices, 10)
    const site = await provisionSite(api, { buildings: Math.ceil(devices / perBuilding), devicesPerBuilding: perBuilding, residentsPerBuilding: perBuilding, tag: runTag() })
    return {
      name: 'platform',
      counts: 'events judged by the pipeline (durably logged first)',
      mqtt: ready.mqtt,
      devices: site.devices.slice(0, devices),
      pid: host.pid!,
      version: `platform on ${database === 'pglite' ? 'PGlite' : 'PostgreSQL'}`,
      async sample () {
        host.send({ type: 'probe' })
        const { probe } = await nextMessage<{ type: 'probe'; probe: PlatformProbe }>(host, 'probe', 10_000)
        return { count: probe.processed, latency: probe.decision, committed: probe.committedLatency, stored: { inDatabase: probe.inDatabase, behind: probe.behind } }
      },
      stop: () => stopChild(host),
    }
  } catch (err) {
    await stopChild(host)
    throw err
  }
}

/** A counting subscriber on `url`; `sample` gives the count so far and the latencies since the last call. */
async function startSubscriber (url: string): Promise<{ child: ChildProcess; sample: () => SystemSample }> {
  const child = forkTs(new URL('./counting-subscriber.ts', import.meta.url))
  let received = 0
  let hist = new LatencyHistogram()
  child.on('message', (m: SubscriberMessage) => {
    if (m.type === 'sample') {
      received = m.received
      hist.merge(m.latency)
    }
  })
  child.send({ url, topic: 'rh/v1/+/+/event/access' })
  await nextMessage(child, 'ready', 15_000)
  return {
    child,
    sample: () => {
      const s = { count: received, latency: hist.toJSON() }
      hist = new LatencyHistogram()
      return s
    },
  }
}

export async function startAedes (devices: PublisherDevice[]): Promise<System> {
  const host = forkTs(new URL('./aedes-host.ts', import.meta.url), [], BROKER_NODE_FLAGS)
  try {
    const { port } = await nextMessage<{ type: 'ready'; port: number }>(host, 'ready', 30_000)
    const url = `mqtt://127.0.0.1:${port}`
    const sub = await startSubscriber(url)
    return {
      name: 'aedes', counts: 'messages delivered to the counting subscriber', mqtt: url, devices, pid: host.pid!, subscriberPid: sub.child.pid!,
      version: 'aedes 1.2 (bare, in-memory persistence)',
      sample: async () => sub.sample(),
      async stop () {
        await stopChild(sub.child, 2000)
        await stopChild(host, 5000)
      },
    }
  } catch (err) {
    await stopChild(host, 2000)
    throw err
  }
}

/**
 * `unlimited`: max_inflight_messages 0, no limit on unacknowledged messages towards a subscriber. With
 * Mosquitto's default (20) a QoS 1 subscriber of a busy broker gets a small share and the rest is dropped
 * at its queue limit (max_queued_messages 1000).
 */
export async function startMosquittoSystem (devices: PublisherDevice[], unlimited = false): Promise<System> {
  const m = await startMosquitto(unlimited ? ['max_inflight_messages 0'] : [])
  try {
    const url = `mqtt://127.0.0.1:${m.port}`
    const sub = await startSubscriber(url)
    return {
      name: unlimited ? 'mosquitto-unlimited' : 'mosquitto', counts: 'messages delivered to the counting subscriber', mqtt: url, devices, pid: m.pid, subscriberPid: sub.child.pid!,
      version: `mosquitto ${m.version} (anonymous, no persistence, max_inflight_messages ${unlimited ? '0 (no limit)' : '20 (default)'})`,
      sample: async () => sub.sample(),
      async stop () {
        await stopChild(sub.child, 2000)
        await m.stop()
      },
    }
  } catch (err) {
    await m.stop()
    throw err
  }
}
