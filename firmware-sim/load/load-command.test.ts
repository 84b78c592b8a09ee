// Smoke test of `npm run load`: a handful of devices for a few seconds against
// the platform the command starts in-process (real broker, database, API,
// alert stream), then the report on stdout and in its two files.

import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'rh-load-test-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function run (args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'load', '--', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
    const timer = setTimeout(() => { child.kill('SIGINT'); reject(new Error(`load did not finish in ${timeoutMs} ms:\n${stderr}`)) }, timeoutMs)
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }) })
  })
}

it('runs a bounded load against an in-process platform and reports it', async () => {
  const out = join(dir, 'report')
  const r = await run(['--buildings', '2', '--devices', '2', '--residents', '2', '--rate', '200', '--seconds', '3', '--unknown-share', '0.2', '--out', out, '--quiet'], 28_000)
  expect(r.code, r.stderr).toBe(0)
  const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!)
  expect(last.kind).toBe('load')
  expect(last.target.mode).toBe('in-process')
  expect(last.totals.connected).toBe(4)
  expect(last.totals.sent).toBeGreaterThan(300)
  expect(last.totals.acked).toBe(last.totals.sent)
  expect(last.totals.processed).toBeGreaterThanOrEqual(last.totals.acked)
  expect(last.totals.alerts).toBeGreaterThan(0)
  for (const stage of ['ack', 'decision', 'committed', 'delivered']) expect(last.latency[stage].count, stage).toBeGreaterThan(0)
  expect(last.latency.delivered.p50).toBeGreaterThanOrEqual(last.latency.decision.p50)
  expect(last.resources.rssMiBMax).toBeGreaterThan(0)
  expect(last).not.toHaveProperty('series')

  const full = JSON.parse(readFileSync(`${out}.json`, 'utf8'))
  expect(full.series.length).toBeGreaterThanOrEqual(3)
  expect(existsSync(`${out}.html`)).toBe(true)
  expect(readFileSync(`${out}.html`, 'utf8')).toContain('<svg')
}, 30_000)
