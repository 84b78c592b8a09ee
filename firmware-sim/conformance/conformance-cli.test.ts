// The command line (npm run conformance): usage errors, and a run in which
// no device shows up, as a vendor would see them.

import { spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'

function cli (args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'firmware-sim/conformance.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
    const timer = setTimeout(() => { child.kill(); reject(new Error(`the kit did not finish: ${stderr}`)) }, 20_000)
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }) })
  })
}

describe.concurrent('conformance command line', () => {
  it('exits 2 with the usage on a bad argument', async () => {
    const r = await cli(['--building', 'b1'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--device <id> is required/)
    expect(r.stderr).toMatch(/requirements: connect-identity, keepalive, last-will/)
  })

  it('exits 1 with a JSON report when no device connects', async () => {
    const r = await cli(['--device', 'd1', '--building', 'b1', '--listen', '0', '--host', '127.0.0.1', '--connect-timeout-s', '0.3', '--json'])
    expect(r.code).toBe(1)
    const report = JSON.parse(r.stdout)
    expect(report).toMatchObject({ protocol: 'rh/v1', deviceId: 'd1', mode: 'listen', passed: false, aborted: expect.stringContaining('no connection') })
    expect(r.stderr).toMatch(/\[conformance\] waiting up to 0.3 s for device d1 to connect to mqtt:\/\/127\.0\.0\.1:\d+/)
  })
})
