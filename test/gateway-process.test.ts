// The gateway as its own process (`npm run gateway -- --config site.yaml`)
// against the real platform, its uplink through a TCP proxy the test can cut:
// swipes pushed while the uplink is down are each confirmed to the reader,
// the gateway is killed with SIGKILL just as the replay starts, started again,
// and every confirmed swipe reaches the platform exactly once. A config with
// mistakes stops it at start with every mistake listed.

import { spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { callApi, provisionReader, startTestPlatform, type TestPlatform } from './support/platform.ts'
import { until } from './support/wait.ts'

const SWIPES = 200

/** A TCP proxy to the broker that can be cut (every connection dropped, new ones refused) and restored. */
async function cuttableProxy (target: { host: string; port: number }): Promise<{ port: number; cut: () => void; restore: () => void; close: () => Promise<void> }> {
  const sockets = new Set<Socket>()
  let up = true
  const server: Server = createServer((client) => {
    if (!up) return client.destroy()
    const upstream = connect(target.port, target.host)
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('error', () => {})
      s.on('close', () => { sockets.delete(s); client.destroy(); upstream.destroy() })
    }
    client.pipe(upstream)
    upstream.pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    cut: () => { up = false; for (const s of sockets) s.destroy() },
    restore: () => { up = true },
    close: async () => { for (const s of sockets) s.destroy(); await new Promise<void>((resolve) => server.close(() => resolve())) },
  }
}

async function freePort (): Promise<number> {
  const s = createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  const port = (s.address() as AddressInfo).port
  await new Promise<void>((resolve) => s.close(() => resolve()))
  return port
}

describe('the gateway process', () => {
  let tp: TestPlatform
  let dir: string
  let proxy: Awaited<ReturnType<typeof cuttableProxy>>
  let httpPort: number
  let deviceId: string
  let gateway: ChildProcess | undefined
  let output = ''
  const startedAt = new Date(Date.now() - 60_000).toISOString()

  const startGateway = (config = join(dir, 'site.yaml')): ChildProcess => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../gateway/main.ts'), '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout!.on('data', (c: Buffer) => { output += c.toString('utf8') })
    child.stderr!.on('data', (c: Buffer) => { output += c.toString('utf8') })
    return child
  }
  const exited = (child: ChildProcess): Promise<number | null> => new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode)
    else child.once('exit', (code) => resolve(code))
  })
  const doorEvents = async (): Promise<any[]> => {
    const r = await callApi(tp, 'police-zumiao', 'GET', `/buildings/demo-b1/doors/main-gate/events?from=${encodeURIComponent(startedAt)}&to=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}&limit=5000`)
    expect(r.status).toBe(200)
    return (r.body as any[]).filter((e) => e.deviceId === deviceId)
  }

  beforeAll(async () => {
    tp = await startTestPlatform('pglite')
    dir = mkdtempSync(join(tmpdir(), 'rh-gw-process-'))
    const details = await provisionReader(tp, 'landlord-li', 'demo-b1')
    deviceId = details.clientId
    const credentials = join(dir, `${deviceId}.json`)
    writeFileSync(credentials, JSON.stringify(details))
    chmodSync(credentials, 0o600)
    const broker = new URL(tp.mqttUrl)
    proxy = await cuttableProxy({ host: '127.0.0.1', port: Number(broker.port) })
    httpPort = await freePort()
    writeFileSync(join(dir, 'site.yaml'), [
      `platform: { mqtt: "mqtt://127.0.0.1:${proxy.port}" }`,
      'site: { timeZone: Asia/Shanghai, dataDir: ./data }',
      'listeners:',
      `  - { model: http-json-push, port: ${httpPort}, host: 127.0.0.1 }`,
      'readers:',
      `  - { serial: AC200-0042, model: http-json-push, credentialsFile: ${deviceId}.json, building: demo-b1, doors: { "1": main-gate }, cardsRegisteredAs: hex }`,
      '',
    ].join('\n'))
  }, 60_000)

  afterAll(async () => {
    gateway?.kill('SIGKILL')
    await proxy?.close()
    await tp?.dispose()
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
  })

  it('refuses a config with mistakes at start, listing each, with exit code 2', async () => {
    const bad = join(dir, 'bad.yaml')
    writeFileSync(bad, 'platform: { mqtt: "http://x" }\nsite: { timeZone: Mars/Olympus, dataDir: ./d }\nlisteners: []\nreaders: [{ serial: A, model: nope, credentialsFile: none.json, building: b1, doors: {}, cardsRegisteredAs: hex }]\n')
    output = ''
    expect(await exited(startGateway(bad))).toBe(2)
    expect(output).toContain('/platform/mqtt: write mqtt://host:port')
    writeFileSync(bad, 'platform: { mqtt: "mqtt://127.0.0.1:1" }\nsite: { timeZone: Mars/Olympus, dataDir: ./d }\nlisteners: []\nreaders: [{ serial: A, model: nope, credentialsFile: none.json, building: b1, doors: {}, cardsRegisteredAs: hex }]\n')
    output = ''
    expect(await exited(startGateway(bad))).toBe(2)
    expect(output).toContain('/site/timeZone: "Mars/Olympus" is not a time zone')
    expect(output).toContain('/readers/0/model: no reader model "nope"')
    expect(output).toContain('none.json cannot be read')
  }, 60_000)

  it('loses no confirmed swipe and applies none twice across an uplink cut and a kill -9 during the replay', async () => {
    output = ''
    gateway = startGateway()
    await until('the gateway online', () => output.includes('"msg":"online"'), 30_000)
    proxy.cut()
    const time = (): string => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', dateStyle: 'short', timeStyle: 'medium' }).format(new Date())
    for (let i = 0; i < SWIPES; i++) {
      const r = await fetch(`http://127.0.0.1:${httpPort}/api/swipe`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sn: 'AC200-0042', data: { cardNo: `CA${String(i).padStart(6, '0')}`, doorNo: 1, inOut: 0, verify: 0, failCode: 1, time: time() } }),
      })
      expect(r.status).toBe(200)
      expect(await r.json()).toEqual({ code: 0, msg: 'ok' })
    }
    expect(await doorEvents()).toEqual([])
    proxy.restore()
    // The replay begins (the reconnect back-off is 5 s at most for the first retry): kill it as the first events land.
    await until('the replay under way', async () => (await doorEvents()).length > 0, 30_000)
    gateway.kill('SIGKILL')
    await exited(gateway)
    const mid = (await doorEvents()).length
    gateway = startGateway()
    await until(`all ${SWIPES} swipes at the platform (${mid} before the restart)`, async () => (await doorEvents()).length >= SWIPES, 60_000)
    await new Promise((resolve) => setTimeout(resolve, 1000))
    const events = await doorEvents()
    expect(events).toHaveLength(SWIPES)
    expect(new Set(events.map((e) => e.eventId)).size).toBe(SWIPES)
    expect(new Set(events.map((e) => e.payload.credential.value)).size).toBe(SWIPES)
    gateway.kill('SIGTERM')
    expect(await exited(gateway)).toBe(0)
  }, 180_000)
})
