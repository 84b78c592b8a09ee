// A port someone else holds: the platform says which variable to change, in
// one line, and exits 1 (no stack, no fatal log).

import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../test/support/platform-process.ts'
import { listenErrorMessage } from './listen-errors.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

function hold (port = 0): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(port, '127.0.0.1', () => resolve(s))
  })
}

function listenError (port: number): Promise<unknown> {
  return new Promise((resolve) => {
    const s = createServer()
    s.once('error', resolve)
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(undefined)))
  })
}

describe('a port in use', () => {
  let held: Server
  let port: number
  const dataDir = mkdtempSync(join(tmpdir(), 'rh-listen-'))
  beforeAll(async () => {
    held = await hold()
    port = (held.address() as { port: number }).port
  })
  afterAll(async () => {
    await new Promise((resolve) => held.close(resolve))
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('is named by the variable that set it; other errors and ports are left as they are', async () => {
    const err = await listenError(port)
    expect((err as NodeJS.ErrnoException).code).toBe('EADDRINUSE')
    expect(listenErrorMessage(err, { HTTP_PORT: 8080, MQTT_PORT: port, MQTT_WS_PORT: null })).toBe(`port ${port} is in use (MQTT_PORT): set MQTT_PORT to a free port`)
    expect(listenErrorMessage(err, { HTTP_PORT: 8080 })).toBeUndefined()
    expect(listenErrorMessage(new Error('boom'), { MQTT_PORT: port })).toBeUndefined()
    expect(listenErrorMessage(undefined, { MQTT_PORT: port })).toBeUndefined()
  })

  it('stops the start with one line and exit status 1', async () => {
    const env = {
      ...process.env, DATA_DIR: dataDir, DEMO: 'off', HOST: '127.0.0.1', LOG_LEVEL: 'info', LOG_FORMAT: 'json',
      HTTP_PORT: String(await freePort()), MQTT_PORT: String(await freePort()), MQTT_WS_PORT: String(port),
    }
    const child = spawn(process.execPath, ['--import', 'tsx', 'platform/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
    expect(stderr.trim(), stdout).toBe(`port ${port} is in use (MQTT_WS_PORT): set MQTT_WS_PORT to a free port`)
    expect(code).toBe(1)
    expect(stdout).not.toMatch(/EADDRINUSE|"level":[56]0/)
  }, 60_000)
})
