// A Mosquitto of the benchmark's own: the Debian package (installed with
// apt-get when missing), started on a free port on 127.0.0.1 with a generated
// configuration (anonymous clients, no persistence, otherwise the defaults),
// in a temporary directory. It never touches a Mosquitto already running on
// the machine (1883): only the process started here is stopped.

import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, track } from './children.ts'

const CANDIDATES = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto']

function findMosquitto (): string | undefined {
  const found = CANDIDATES.find((p) => existsSync(p))
  if (found !== undefined) return found
  const which = spawnSync('sh', ['-c', 'command -v mosquitto'], { encoding: 'utf8' })
  return which.status === 0 && which.stdout.trim() !== '' ? which.stdout.trim() : undefined
}

/** The mosquitto binary; installs the Debian package if there is none. */
export function ensureMosquitto (log: (m: string) => void = console.error): string {
  const bin = findMosquitto()
  if (bin !== undefined) return bin
  log('mosquitto is not installed: apt-get install -y mosquitto')
  const command = ['apt-get', 'install', '-y', 'mosquitto']
  if (process.getuid?.() !== 0) command.unshift('sudo')
  const r = spawnSync(command[0]!, command.slice(1), { stdio: 'inherit', timeout: 300_000 })
  const installed = findMosquitto()
  if (r.status !== 0 || installed === undefined) throw new Error('could not install mosquitto (apt-get install -y mosquitto)')
  return installed
}

/**
 * sh -c WATCHDOG sh <mosquitto> <conf> <dir>: prints Mosquitto's pid; stops it (and removes its temporary
 * directory) on TERM/INT or once $PARENT is gone.
 */
const WATCHDOG = [
  '"$1" -c "$2" & m=$!',
  'echo $m',
  "trap 'kill $m 2>/dev/null; wait $m; rm -rf \"$3\"; exit 0' TERM INT",
  'while kill -0 "$PARENT" 2>/dev/null && kill -0 $m 2>/dev/null; do sleep 1 & wait $!; done',
  'kill $m 2>/dev/null; wait $m; rm -rf "$3"',
].join('\n')

function canConnect (port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => { s.destroy(); resolve(true) })
    s.on('error', () => resolve(false))
  })
}

export interface MosquittoInstance {
  port: number
  pid: number
  version: string
  stop (): Promise<void>
}

/** `settings`: more lines for the generated configuration (e.g. `max_inflight_messages 1000`). */
export async function startMosquitto (settings: string[] = []): Promise<MosquittoInstance> {
  const bin = ensureMosquitto()
  const version = /mosquitto version (\S+)/.exec(spawnSync(bin, ['-h'], { encoding: 'utf8' }).stdout)?.[1] ?? 'unknown'
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'rh-mosquitto-'))
  const conf = join(dir, 'mosquitto.conf')
  writeFileSync(conf, [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
    'persistence false',
    'log_dest stderr',
    'log_type error',
    ...settings,
    '',
  ].join('\n'))
  // Through a small shell that also stops Mosquitto if this process dies without cleaning up (kill -9).
  const child = track(spawn('sh', ['-c', WATCHDOG, 'sh', bin, conf, dir], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PARENT: String(process.pid) } }), 'SIGTERM')
  let err = ''
  child.stderr!.on('data', (d: Buffer) => { err += d.toString() })
  const pid = new Promise<number>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))))
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    }
    rmSync(dir, { recursive: true, force: true })
  }
  const until = Date.now() + 10_000
  while (!(await canConnect(port))) {
    if (child.exitCode !== null || Date.now() > until) {
      await stop()
      throw new Error(`mosquitto did not start on port ${port}: ${err.trim()}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  return { port, pid: await pid, version, stop }
}
