// Child processes of the benchmark: forked TypeScript entries and spawned
// programs, all remembered so that they are killed whatever happens (normal
// end, a failure, Ctrl-C), and a helper to wait for a message of a kind.

import { fork, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'

/** Child → the signal that ends it for good (SIGTERM for wrappers that must clean up after themselves). */
const children = new Map<ChildProcess, NodeJS.Signals>()

export function track (child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): ChildProcess {
  children.set(child, signal)
  child.once('exit', () => children.delete(child))
  return child
}

export function killAll (): void {
  for (const [c, signal] of children) if (c.exitCode === null && c.signalCode === null) c.kill(signal)
}
process.once('exit', killAll)

/** Forks a TypeScript module of this folder (through tsx) with an IPC channel; `nodeFlags` e.g. --cpu-prof. */
export function forkTs (entry: URL, args: string[] = [], nodeFlags: string[] = []): ChildProcess {
  return track(fork(entry, args, { execArgv: ['--import', 'tsx', ...nodeFlags], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }))
}

/** The next message of `type` from `child`; rejects on an `error` message, an early exit or after `timeoutMs`. */
export function nextMessage<M extends { type: string }> (child: ChildProcess, type: M['type'], timeoutMs = 30_000): Promise<M> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      clearTimeout(timer)
      child.off('message', onMessage)
      child.off('exit', onExit)
    }
    const onMessage = (m: M & { message?: string }): void => {
      if (m.type === type) { cleanup(); resolve(m) } else if (m.type === 'error') { cleanup(); reject(new Error(m.message ?? 'child failed')) }
    }
    const onExit = (code: number | null): void => { cleanup(); reject(new Error(`child exited with ${code} while waiting for ${type}`)) }
    const timer = setTimeout(() => { cleanup(); reject(new Error(`no ${type} from the child within ${timeoutMs} ms`)) }, timeoutMs)
    child.on('message', onMessage)
    child.once('exit', onExit)
  })
}

/** Stops a child politely (`stop` message or SIGTERM), then for good after `graceMs`. */
export async function stopChild (child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((r) => child.once('exit', r))
  if (child.connected) child.send({ type: 'stop' })
  else child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
  await exited
  clearTimeout(timer)
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const a = s.address()
      s.close(() => typeof a === 'object' && a !== null ? resolve(a.port) : reject(new Error('no port')))
    })
  })
}
