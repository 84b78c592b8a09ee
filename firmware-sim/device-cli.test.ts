// The documented conformance run without hardware, as a vendor does it:
// `npm run conformance` listens, `npm run device` connects to it, both as
// child processes on the real clock, and the kit's report ends in CONFORMS.
// Kit settings are shortened so that a run takes under a minute. Then
// Ctrl-C (SIGINT) stops the device cleanly.

import { spawn, type ChildProcess } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { KIT_ALLOWLIST_KEY, KIT_CREDENTIALS } from './conformance/index.ts'

interface Run {
  child: ChildProcess
  out: () => string
  err: () => string
  exited: Promise<number | null>
}

function run (script: string, args: string[]): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout!.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr!.on('data', (d: Buffer) => { err += d.toString() })
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  return { child, out: () => out, err: () => err, exited }
}

async function until (what: string, check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

async function conformanceRun (kind: 'reader' | 'camera'): Promise<void> {
  const deviceId = `cli-${kind}`
  const kit = run('firmware-sim/conformance.ts', [
    '--device', deviceId, '--building', 'cli-bldg', '--kind', kind, '--listen', '0', '--host', '127.0.0.1',
    '--heartbeat-s', '5', '--line-period-s', '5', '--grace-s', '5', '--outage-s', '8', '--reconnect-timeout-s', '60', '--connect-timeout-s', '30',
  ])
  let device: Run | undefined
  try {
    await until('the kit listening', () => /to connect to mqtt:\/\/127\.0\.0\.1:\d+/.test(kit.err()), 30_000)
    const url = /to connect to (mqtt:\/\/127\.0\.0\.1:\d+)/.exec(kit.err())![1]!
    const { qr, pin, card } = KIT_CREDENTIALS
    device = run('firmware-sim/device-cli.ts', [
      '--url', url, '--building', 'cli-bldg', '--device-id', deviceId, '--secret', 'test-secret', '--kind', kind, '--door', 'gate', '--heartbeat-s', '5',
      ...(kind === 'reader'
        ? ['--allowlist-key', KIT_ALLOWLIST_KEY, '--present-every', '2', '--credential', `qr:${qr.value}`, '--credential', `pin:${pin.value}`, '--credential', `card:${card.value}`]
        : ['--line-period-s', '5', '--cross-every', '3']),
    ])
    device.child.stdin!.write(kind === 'reader' ? 'door tamper\n' : 'detect 2\n')
    expect(await kit.exited, `${kit.out()}\n${kit.err()}\n${device.out()}`).toBe(0)
    // As docs/conformance.md says: the allow-list checks are for readers, line-counts for cameras.
    const passed = kind === 'reader' ? 18 : 17
    expect(kit.out()).toMatch(new RegExp(`^CONFORMS: ${passed} passed, 0 failed, 0 not checked$`, 'm'))
    expect(device.out()).toMatch(kind === 'reader' ? /door tamper/ : /detection of 2/)
    expect(device.out()).not.toContain('test-secret')
    device.child.kill('SIGINT')
    expect(await device.exited, device.out()).toBe(0)
    expect(device.out()).toMatch(/interrupted: publishing offline \{reason: shutdown\} and disconnecting\n.*stopped/)
  } finally {
    kit.child.kill()
    device?.child.kill('SIGKILL')
  }
}

describe.concurrent('npm run device against npm run conformance', () => {
  it('a simulated reader conforms', async () => {
    await conformanceRun('reader')
  }, 120_000)

  it('a simulated camera conforms', async () => {
    await conformanceRun('camera')
  }, 120_000)
})
