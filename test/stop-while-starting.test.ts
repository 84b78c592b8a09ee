// A stop (Ctrl-C, SIGTERM) that arrives while the platform is still starting:
// the step under way ends, nothing after it starts, everything that started
// stops, and stop() returns. Before, a stop during the first migration closed
// the embedded database under it and both waited for ever; a stop between two
// steps let the start go on and open the ports after the stop had returned.

import { mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../platform/config.ts'
import { Platform } from '../platform/platform.ts'
import { freePort } from './support/platform-process.ts'

/** Whether something accepts TCP connections on 127.0.0.1:port. */
const listening = (port: number): Promise<boolean> => new Promise((resolve) => {
  const s = connect({ host: '127.0.0.1', port })
  s.once('connect', () => { s.destroy(); resolve(true) })
  s.once('error', () => resolve(false))
})

const within = <T>(p: Promise<T>, ms: number, what: string): Promise<T> => Promise.race([
  p,
  new Promise<T>((_resolve, reject) => setTimeout(() => reject(new Error(`${what} did not end within ${ms} ms`)), ms).unref()),
])

describe('a stop while the platform starts', () => {
  // 0: before the database opens; the others land in the first migration, loading the view, or later.
  for (const delayMs of [0, 600, 1500, 3000]) {
    it(`stops cleanly when the stop comes ${delayMs} ms into a first start`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'rh-stop-starting-'))
      const [http, mqtt] = [await freePort(), await freePort()]
      try {
        const config = loadConfig({
          HOST: '127.0.0.1', HTTP_PORT: String(http), MQTT_PORT: String(mqtt), MQTT_WS_PORT: 'off', DATA_DIR: dir,
          DATA_KEY: 'c7'.repeat(32), DEMO: 'on',
        })
        const platform = new Platform(config, pino({ level: 'silent' }))
        const started = platform.start().then(() => 'started' as const, (err: unknown) => err as Error)
        await new Promise((resolve) => setTimeout(resolve, delayMs))
        await within(platform.stop(), 30_000, 'stop()')
        const outcome = await within(started, 5_000, 'the start')
        if (outcome !== 'started') expect(outcome.message).toMatch(/stopped while it started/)
        // Nothing opened after the stop returned.
        await new Promise((resolve) => setTimeout(resolve, 300))
        expect(await listening(http)).toBe(false)
        expect(await listening(mqtt)).toBe(false)
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    }, 60_000)
  }
})
