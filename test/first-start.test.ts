// A first start on the defaults, as `npm start` does it, in a process of its
// own: with the demo site on and HOST unset it listens on loopback only and
// says that the demo accounts are for local trials; the banner carries no
// device secret (they are in a private file under DATA_DIR); and DATA_DIR and
// every file in it are private to the platform's user.

import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { connect } from 'node:net'
import { networkInterfaces, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectDevice } from './support/mqtt-device.ts'
import { freePort, startPlatformProcess, stopGracefully, type PlatformProcess } from './support/platform-process.ts'

/** Whether a TCP connection to host:port is accepted. */
function reachable (host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, host)
    s.setTimeout(2000, () => { s.destroy(); resolve(false) })
    s.once('connect', () => { s.destroy(); resolve(true) })
    s.once('error', () => resolve(false))
  })
}

/**
 * The local addresses of the sockets listening on `port`, as the kernel lists
 * them (/proc/net/tcp and tcp6): what the process bound, whatever
 * interfaces this machine happens to have.
 */
function listeningAddresses (port: number): string[] {
  const found: string[] = []
  // tcp6 is missing where IPv6 is off.
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6'].filter((t) => existsSync(t))) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/)
      if (local === undefined || state !== '0A') continue // 0A: LISTEN
      const [hex, portHex] = local.split(':') as [string, string]
      if (parseInt(portHex, 16) !== port) continue
      found.push(hex.length === 8
        ? (hex.match(/../g) ?? []).reverse().map((b) => parseInt(b, 16)).join('.')
        : hex === '00000000000000000000000001000000' ? '::1' : hex === '0'.repeat(32) ? '::' : hex)
    }
  }
  return found
}

/** An address of this machine other than loopback, if it has one. */
function externalAddress (): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal && a.family === 'IPv4') return a.address
  }
  return undefined
}

describe('a first start with the demo site on', () => {
  let root: string
  let dataDir: string
  let p: PlatformProcess
  const ports = { http: 0, mqtt: 0 }
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'rh-first-start-'))
    dataDir = join(root, 'data')
    ports.http = await freePort()
    ports.mqtt = await freePort()
    // HOST empty: the default applies (startPlatformProcess sets 127.0.0.1 otherwise).
    p = await startPlatformProcess({ HOST: '', DATA_DIR: dataDir, HTTP_PORT: String(ports.http), MQTT_PORT: String(ports.mqtt), MQTT_WS_PORT: 'off', LOG_LEVEL: 'warn' })
  }, 90_000)
  afterAll(async () => {
    if (p !== undefined) await stopGracefully(p)
    rmSync(root, { recursive: true, force: true })
  })

  it('listens on loopback only, says the demo accounts are for local trials, and prints no device secret', async () => {
    const out = p.output()
    expect(out).toContain(`http://127.0.0.1:${ports.http}`)
    expect(out).toMatch(/demo accounts are for local trials/i)
    expect(out).toMatch(/127\.0\.0\.1 only/)
    expect(out).not.toMatch(/secret [A-Za-z0-9_-]{20,}/)
    expect(await reachable('127.0.0.1', ports.http)).toBe(true)
    expect(await reachable('127.0.0.1', ports.mqtt)).toBe(true)
    // What was bound, read from the kernel: loopback and nothing else.
    for (const port of [ports.http, ports.mqtt]) {
      const bound = listeningAddresses(port)
      expect(bound.length, `a listening socket on port ${port}`).toBeGreaterThan(0)
      expect(bound.filter((a) => a !== '127.0.0.1' && a !== '::1'), `port ${port} bound on ${bound.join(', ')}`).toEqual([])
    }
    // And, where this machine has another address, tried from it.
    const external = externalAddress()
    if (external !== undefined) {
      expect(await reachable(external, ports.http)).toBe(false)
      expect(await reachable(external, ports.mqtt)).toBe(false)
    }
    // The secrets are in a file only this user can read; they work.
    const file = join(dataDir, 'demo-devices.json')
    expect(out).toContain(file)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const { devices } = JSON.parse(readFileSync(file, 'utf8')) as { devices: Array<{ clientId: string; buildingId: string; password: string; allowlistKey?: string }> }
    const reader = devices.find((d) => d.clientId === 'demo-b1-reader')!
    expect(out).not.toContain(reader.password)
    expect(reader.allowlistKey).toMatch(/^[0-9a-f]{64}$/)
    expect(out).not.toContain(reader.allowlistKey)
    const client = await connectDevice({
      url: `mqtt://127.0.0.1:${ports.mqtt}`, clientId: reader.clientId, username: reader.clientId, password: reader.password, allowlistKey: reader.allowlistKey!,
      will: { topic: `rh/v1/${reader.buildingId}/${reader.clientId}/status`, payload: '{"state":"offline","reason":"lwt"}', qos: 1, retain: true },
      publish: [], subscribe: [],
    })
    await client.endAsync()
  })

  it('keeps DATA_DIR and everything in it private to its user (0700 directories, 0600 files)', () => {
    const listing = execFileSync('find', [dataDir, '-printf', '%m %y %p\\n'], { encoding: 'utf8' }).trim().split('\n')
    expect(listing.length).toBeGreaterThan(10) // the embedded database, the journal, the data key, the demo secrets
    const open = listing.filter((line) => {
      const [mode, type] = line.split(' ')
      return (parseInt(mode!, 8) & 0o077) !== 0 || (type === 'd' && mode !== '700')
    })
    expect(open).toEqual([])
  })
})

describe('a DATA_DIR other users can read', () => {
  it('is refused at start with a message that says how to fix it, unless DATA_DIR_SHARED=on', async () => {
    const root = mkdtempSync(join(tmpdir(), 'rh-shared-'))
    try {
      const dataDir = join(root, 'data')
      execFileSync('mkdir', ['-m', '755', dataDir])
      const env = { HOST: '127.0.0.1', DATA_DIR: dataDir, HTTP_PORT: '0', MQTT_PORT: '0', MQTT_WS_PORT: 'off', DEMO: 'off' }
      let failure = ''
      try {
        // Should not start; if it does, stop it before failing.
        await stopGracefully(await startPlatformProcess(env, 60_000))
      } catch (err) { failure = (err as Error).message }
      expect(failure).toMatch(/exited with 2/)
      expect(failure).toContain(dataDir)
      expect(failure).toMatch(/chmod 700/)
      expect(failure).toContain('DATA_DIR_SHARED')
      const shared = await startPlatformProcess({ ...env, DATA_DIR_SHARED: 'on' }, 60_000)
      await stopGracefully(shared)
      expect(statSync(dataDir).mode & 0o777).toBe(0o755) // left as the operator made it
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  }, 120_000)
})
