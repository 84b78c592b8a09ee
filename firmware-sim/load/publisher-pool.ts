// The parent side of the load generator: splits the devices over one or more
// publisher child processes (publisher.ts), opens every connection first (at
// the ramp rate), starts them all together, and sums what they report. The
// children are killed on `close()`, on failure and when this process exits.

import { fork, type ChildProcess } from 'node:child_process'
import { LatencyHistogram } from './histogram.ts'
import type { PublisherConfig, PublisherCounts, PublisherDevice, PublisherReport } from './publisher.ts'

export const PUBLISHER_ENTRY = new URL('./publisher.ts', import.meta.url)

export interface PoolOptions extends Omit<PublisherConfig, 'devices' | 'barrier'> {
  devices: PublisherDevice[]
  /** Most connections per child process (default 2500). */
  perChild?: number
}

export interface PoolTotals {
  sent: number
  acked: number
  failed: number
  connected: number
  connectFailed: number
  dropped: number
  /** CPU time the children used since their connections were open, ms. */
  cpuMs: number
  /** Pids of the children. */
  pids: number[]
}

interface Child {
  proc: ChildProcess
  counts: PublisherCounts | undefined
  connected: number
  connectFailed: number
  firstError?: string
  cpuAtConnect: number
  done: boolean
}

const live = new Set<ChildProcess>()
process.once('exit', () => { for (const c of live) c.kill('SIGKILL') })

export class PublisherPool {
  private readonly children: Child[] = []
  private ackLatency = new LatencyHistogram()
  private finished: Promise<void> | undefined
  startedAt = 0
  /** Called on every connection progress report, with the totals so far. */
  onRamp: ((connected: number, failed: number) => void) | undefined

  constructor (private readonly o: PoolOptions) {}

  /** Forks the children and opens every connection; resolves with the totals once all are connected. */
  async connect (): Promise<PoolTotals> {
    const perChild = this.o.perChild ?? 2500
    const k = Math.max(1, Math.ceil(this.o.devices.length / perChild))
    const size = Math.ceil(this.o.devices.length / k)
    const ready: Array<Promise<void>> = []
    for (let i = 0; i < k; i++) {
      const devices = this.o.devices.slice(i * size, (i + 1) * size)
      const share = devices.length / this.o.devices.length
      const { perChild: _, ...base } = this.o
      const cfg: PublisherConfig = {
        ...base, devices, barrier: true,
        rate: this.o.rate * share,
        rampPerS: (this.o.rampPerS ?? 0) * share,
        // Disjoint seq ranges, so that unknown cards made from seq never repeat across children.
        seqBase: this.o.seqBase + i * 1e11,
      }
      const proc = fork(PUBLISHER_ENTRY, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
      live.add(proc)
      proc.once('exit', () => live.delete(proc))
      const child: Child = { proc, counts: undefined, connected: 0, connectFailed: 0, cpuAtConnect: 0, done: false }
      this.children.push(child)
      ready.push(new Promise<void>((resolve, reject) => {
        proc.on('message', (m: PublisherReport) => {
          if (m.type === 'ramp' || m.type === 'connected') {
            child.connected = m.connected
            child.connectFailed = m.connectFailed
            if (m.firstError !== undefined) child.firstError = m.firstError
            child.cpuAtConnect = m.cpuMs
            this.onRamp?.(this.sum((c) => c.connected), this.sum((c) => c.connectFailed))
            if (m.type === 'connected') resolve()
          } else if (m.type === 'progress' || m.type === 'done') {
            if (m.ackLatency !== undefined) this.ackLatency.merge(m.ackLatency)
            child.counts = m
            if (m.type === 'done') child.done = true
          } else if (m.type === 'error') {
            reject(new Error(`publisher: ${m.message}`))
          }
        })
        proc.once('exit', (code) => { if (!child.done) reject(new Error(`publisher exited with ${code} before it was done`)) })
      }))
      proc.send(cfg)
    }
    try {
      await Promise.all(ready)
    } catch (err) {
      this.close()
      throw err
    }
    return this.totals()
  }

  /** Starts publishing on every child at once; `done()` resolves when all have finished. */
  start (): void {
    this.startedAt = Date.now()
    this.finished = Promise.all(this.children.map((c) => new Promise<void>((resolve, reject) => {
      if (c.done) { resolve(); return }
      c.proc.on('message', (m: PublisherReport) => {
        if (m.type === 'done') resolve()
        else if (m.type === 'error') reject(new Error(`publisher: ${m.message}`))
      })
      c.proc.once('exit', () => { if (c.done) resolve(); else reject(new Error('publisher exited before it was done')) })
      c.proc.send({ type: 'go' })
    }))).then(() => undefined)
    // Closing the pool early (idle connections held until killed) is not a failure worth crashing over.
    this.finished.catch(() => {})
  }

  async done (): Promise<PoolTotals> {
    if (this.finished === undefined) throw new Error('start() first')
    await this.finished
    return this.totals()
  }

  totals (): PoolTotals {
    return {
      sent: this.sum((c) => c.counts?.sent ?? 0),
      acked: this.sum((c) => c.counts?.acked ?? 0),
      failed: this.sum((c) => c.counts?.failed ?? 0),
      connected: this.children.some((c) => c.counts !== undefined) ? this.sum((c) => c.counts?.connected ?? c.connected) : this.sum((c) => c.connected),
      connectFailed: this.sum((c) => c.connectFailed),
      dropped: this.sum((c) => c.counts?.dropped ?? 0),
      cpuMs: this.sum((c) => c.counts === undefined ? 0 : c.counts.cpuMs - c.cpuAtConnect),
      pids: this.children.map((c) => c.proc.pid ?? 0).filter((p) => p > 0),
    }
  }

  /** The first connection error any child saw, if any. */
  firstError (): string | undefined {
    return this.children.find((c) => c.firstError !== undefined)?.firstError
  }

  /** Publish → PUBACK latency of the sampled messages reported since the last call. */
  takeAckLatency (): LatencyHistogram {
    const h = this.ackLatency
    this.ackLatency = new LatencyHistogram()
    return h
  }

  close (): void {
    for (const c of this.children) if (c.proc.exitCode === null) c.proc.kill('SIGKILL')
  }

  private sum (f: (c: Child) => number): number {
    return this.children.reduce((s, c) => s + f(c), 0)
  }
}
