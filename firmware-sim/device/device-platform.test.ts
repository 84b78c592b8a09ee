// The simulated devices against the real platform: provisioned through the
// API like an installer would, they log in with their own secret, receive
// the building's allow-list, and everything they publish is accepted.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { callApi, startTestPlatform, type TestPlatform } from '../../test/support/platform.ts'
import { eventually } from './device.test-kit.ts'
import { createCamera, createReader, type SimCameraDevice, type SimReaderDevice } from './index.ts'

describe('simulated devices on the platform', () => {
  let tp: TestPlatform
  const started: Array<SimReaderDevice | SimCameraDevice> = []

  beforeAll(async () => {
    tp = await startTestPlatform('pglite')
  }, 60_000)

  afterAll(async () => {
    for (const d of started) await d.stop().catch(() => {})
    await tp?.dispose()
  })

  /** The landlord provisions it; the platform chooses its id. */
  async function provision (kind: 'reader' | 'camera', vendor = 'RH Simulator') {
    const r = await callApi(tp, 'landlord-li', 'POST', '/buildings/demo-b1/devices', { door: 'main-gate', kind, vendor, model: 'SIM' })
    expect(r.status, JSON.stringify(r.body)).toBe(201)
    const deviceId = r.body.device.id as string
    return {
      url: r.body.mqtt.url.replace('localhost', '127.0.0.1'), buildingId: 'demo-b1', deviceId, door: 'main-gate',
      password: r.body.mqtt.password, allowlistKey: r.body.mqtt.allowlistKey,
    }
  }

  it('a reader gets the allow-list, grants a registered card by its digest, and nothing it sends is rejected', async () => {
    const creds = await provision('reader')
    const reader = createReader(creds, { clock: { now: Date.now }, heartbeatS: 30, tickMs: 20 })
    started.push(reader)
    await reader.start()
    await eventually('the full allow-list', () => reader.allowlistVersion > 0, 5000)
    expect(await reader.present({ kind: 'card', value: '04a1b2c3' }, 'in')).toBe('granted') // Zhang Wei, room 101
    expect(await reader.present({ kind: 'card', value: '0BADCAFE' }, 'in')).toBe('denied')
    await reader.doorEvent('tamper')
    await eventually('the events acknowledged', () => reader.counters.acked >= 6 && reader.pendingEvents === 0, 5000)
    const open = await callApi(tp, 'landlord-li', 'POST', `/devices/${creds.deviceId}/open-door`, { reason: 'test' })
    expect(open.status).toBe(202)
    let commands: Array<{ command: string; status: string }> = []
    await eventually('open-door answered', () => {
      void callApi(tp, 'landlord-li', 'GET', `/devices/${creds.deviceId}/commands`).then((r) => { commands = r.body })
      return commands.some((c) => c.command === 'open-door' && c.status === 'ok')
    }, 5000)
    expect(commands.filter((c) => c.command === 'allowlist-sync').map((c) => c.status), JSON.stringify(commands)).toContain('ok')
    const status = await callApi(tp, 'landlord-li', 'GET', `/devices/${creds.deviceId}`)
    expect(status.body.status).toMatchObject({ connected: true, rejected: 0, aclViolations: 0 })
    expect(status.body.status.accepted).toBeGreaterThanOrEqual(7)
    expect(reader.counters.errorReplies).toBe(0)
  })

  it('a reader its vendor re-keys takes the new secret and key, decides on its old list until approved, then gets the new one', async () => {
    const creds = await provision('reader', 'Acme Access')
    const reader = createReader(creds, { clock: { now: Date.now }, heartbeatS: 30, tickMs: 20 })
    started.push(reader)
    await reader.start()
    await eventually('the full allow-list', () => reader.allowlistVersion > 0, 5000)
    const rotated = await callApi(tp, 'vendor-acme', 'POST', `/devices/${creds.deviceId}/rotate-secret`, {})
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(200)
    expect(rotated.body.device.approved).toBe(false)
    await reader.installCredentials(rotated.body.mqtt)
    expect(reader.connected).toBe(true)
    expect(reader.listUnderOwnKey).toBe(false)
    // No list while the approval is withdrawn: the one held still decides, digested with the key it was made with.
    expect(await reader.present({ kind: 'card', value: '04a1b2c3' }, 'in')).toBe('granted')
    expect((await callApi(tp, 'landlord-li', 'POST', `/devices/${creds.deviceId}/approve`)).status).toBe(200)
    await eventually('the list under the new key', () => reader.listUnderOwnKey, 5000)
    expect(await reader.present({ kind: 'card', value: '04a1b2c3' }, 'in')).toBe('granted')
    expect(await reader.present({ kind: 'card', value: '0BADCAFE' }, 'in')).toBe('denied')
    const status = await callApi(tp, 'landlord-li', 'GET', `/devices/${creds.deviceId}`)
    expect(status.body.status).toMatchObject({ connected: true, rejected: 0, aclViolations: 0 })
    expect(reader.counters.errorReplies).toBe(0)
  })

  it('a camera reports line counts and detections, accepted', async () => {
    const creds = await provision('camera')
    const camera = createCamera(creds, { clock: { now: Date.now }, heartbeatS: 30, tickMs: 20, lineCountPeriodS: 1 })
    started.push(camera)
    await camera.start()
    camera.cross('in', 1)
    await camera.detect(1)
    await eventually('two periods acknowledged', () => camera.counters.acked >= 4, 5000)
    expect(camera.counters.errorReplies).toBe(0)
    const status = await callApi(tp, 'landlord-li', 'GET', `/devices/${creds.deviceId}`)
    expect(status.body.status).toMatchObject({ connected: true, rejected: 0, aclViolations: 0 })
  })
})
