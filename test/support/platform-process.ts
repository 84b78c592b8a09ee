// The platform as a separate process (`tsx platform/main.ts`), for tests that
// kill it: crash-restart durability. Ports are chosen free beforehand so a
// restart comes back on the same addresses.

import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

export async function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const a = s.address()
      s.close(() => typeof a === 'object' && a !== null ? resolve(a.port) : reject(new Error('no port')))
    })
  })
}

export interface PlatformProcess {
  child: ChildProcess
  output: () => string
}

/**
 * Starts the platform and resolves once its banner says it is up. `keepBytes`
 * bounds the output kept for `output()` (the latest part), for long runs.
 */
export async function startPlatformProcess (env: Record<string, string>, timeoutMs = 60_000, keepBytes = Infinity): Promise<PlatformProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'platform/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  const keep = (d: Buffer): void => {
    out += d.toString()
    if (out.length > 2 * keepBytes) out = out.slice(-keepBytes)
  }
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`platform did not start in ${timeoutMs} ms:\n${out}`)), timeoutMs)
    const check = (): void => {
      if (out.includes('platform is up')) { clearTimeout(timer); resolve() }
    }
    child.stdout!.on('data', check)
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`platform exited with ${code}:\n${out}`)) })
  })
  child.removeAllListeners('exit')
  return { child, output: () => out }
}

export async function kill9 (p: PlatformProcess): Promise<void> {
  if (p.child.exitCode !== null) return
  const exited = new Promise((r) => p.child.once('exit', r))
  p.child.kill('SIGKILL')
  await exited
}

export async function stopGracefully (p: PlatformProcess): Promise<void> {
  if (p.child.exitCode !== null) return
  const exited = new Promise((r) => p.child.once('exit', r))
  p.child.kill('SIGTERM')
  await exited
}
