// The demo accounts' password is published. Whether they are there is
// detected at every start from the stored hashes, not assumed from DEMO:
// a registry seeded once keeps them after a start with DEMO=off, and then
// the platform still listens on loopback only (HOST unset) and the banner
// names the accounts still on the public password. Once none is left, the
// demo block goes and the platform serves every interface.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBanner } from '../platform/banner.ts'
import { loadConfig } from '../platform/config.ts'
import { DEMO_ACCOUNTS } from '../platform/demo/demo-site.ts'
import { Platform, type RunningPlatform } from '../platform/platform.ts'
import { hashPassword } from '../platform/registry/passwords.ts'
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from './support/databases.ts'

describe.each(DATABASE_KINDS)('demo accounts detected at start (%s)', (kind) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rh-demo-detect-'))
  let t: TestDatabase
  let platform: RunningPlatform | undefined
  beforeAll(async () => { t = await openTestDatabase(kind) }, 60_000)
  afterAll(async () => {
    await platform?.stop()
    await t?.dispose()
    rmSync(dataDir, { recursive: true, force: true })
  })

  // Not through the starter: these starts leave HOST unset, to see what the platform chooses.
  async function start (env: Record<string, string>): Promise<{ platform: RunningPlatform; banner: string }> {
    await platform?.stop()
    const config = loadConfig({ HTTP_PORT: '0', MQTT_PORT: '0', MQTT_WS_PORT: 'off', DATA_DIR: dataDir, DATA_KEY: 'd8'.repeat(32), ...env })
    platform = await new Platform(config, pino({ level: 'silent' }), { database: t.db }).start()
    return { platform, banner: startBanner(config, platform.listen.host, platform.addresses, platform.demo?.describe()) }
  }
  const all = DEMO_ACCOUNTS.map((a) => a.username)

  it('follows the stored passwords, not DEMO', async () => {
    // First start: the demo site is loaded, every account open; HOST unset means loopback.
    let s = await start({ DEMO: 'on' })
    expect(s.platform.demo?.openAccounts).toEqual(all)
    expect(s.platform.listen).toEqual({ host: '127.0.0.1', publicHost: '127.0.0.1' })
    expect(s.banner).toContain('Demo site loaded')
    expect(s.platform.app.server.address()).toMatchObject({ address: '127.0.0.1' })

    // The operator gives admin a password of its own and disables two accounts.
    await t.db.query('update users set password_hash = $1 where username = $2', [await hashPassword('a-password-of-its-own'), 'admin'])
    await t.db.query(`update users set disabled = true where username in ('landlord-wang', 'vendor-acme')`)

    // DEMO=off on the same registry: the rest are still open, so still loopback, and named.
    s = await start({ DEMO: 'off' })
    const open = ['landlord-li', 'grid-chen', 'police-zumiao']
    expect(s.platform.demo?.openAccounts).toEqual(open)
    expect(s.platform.listen.host).toBe('127.0.0.1')
    expect(s.platform.app.server.address()).toMatchObject({ address: '127.0.0.1' })
    expect(s.banner).toContain(`Demo accounts still on the public password "demo-password": ${open.join(', ')}.`)
    expect(s.banner).toContain('Listening on 127.0.0.1 only')
    expect(s.banner).not.toMatch(/admin|landlord-wang|vendor-acme/)

    // HOST set: served where it says, with the warning.
    s = await start({ DEMO: 'off', HOST: '127.0.0.2' })
    expect(s.platform.listen.host).toBe('127.0.0.2')

    // None left: no demo block, every interface.
    await t.db.query(`update users set disabled = true where username = any($1)`, [open])
    s = await start({ DEMO: 'off' })
    expect(s.platform.demo).toBeUndefined()
    expect(s.platform.listen).toEqual({ host: '0.0.0.0', publicHost: 'localhost' })
    expect(s.banner).not.toMatch(/Demo|password/)
  }, 120_000)
})
