// The kit against well-behaved simulated devices: everything passes, in
// listen mode and in broker mode (a plain broker the device uses).

import { describe, expect, it } from 'vitest'
import { plainBroker } from '../device/device.test-kit.ts'
import { brokerRun, failed, listenRun, verdicts } from './conformance.test-kit.ts'
import { formatReport } from './index.ts'

describe.concurrent('conformance kit against good simulated devices', () => {
  it('a reader passes every requirement in listen mode', async () => {
    const r = await listenRun('reader')
    expect(failed(r), formatReport(r)).toEqual([])
    expect(Object.values(verdicts(r)).every((v) => v === 'pass'), formatReport(r)).toBe(true)
    expect(r.results.map((x) => x.id)).not.toContain('line-counts')
    expect(r.passed).toBe(true)
    expect(formatReport(r)).toMatch(/^CONFORMS: 18 passed, 0 failed, 0 not checked$/m)
  })

  it('a camera passes every requirement in listen mode', async () => {
    const r = await listenRun('camera')
    expect(failed(r), formatReport(r)).toEqual([])
    expect(Object.values(verdicts(r)).every((v) => v === 'pass'), formatReport(r)).toBe(true)
    expect(r.results.map((x) => x.id)).not.toContain('allowlist-sync')
  })

  it('broker mode: what a subscriber can see passes; the rest is reported as not checked', async () => {
    const pb = await plainBroker()
    try {
      const [reader, camera] = await Promise.all([brokerRun(pb.url, 'reader'), brokerRun(pb.url, 'camera')])
      for (const r of [reader, camera]) {
        expect(failed(r), formatReport(r)).toEqual([])
        const v = verdicts(r)
        for (const id of ['connect-identity', 'keepalive', 'last-will', 'subscriptions', 'reconnect', 'backoff', 'replay']) expect(v[id]).toBe('not_checked')
        for (const id of ['online-status', 'schemas', 'topics', 'qos-retain', 'seq', 'event-ids', 'clock', 'heartbeat', 'command-replies']) expect(v[id], id).toBe('pass')
      }
      expect(verdicts(reader)['allowlist-sync']).toBe('pass')
      expect(verdicts(reader)['allowlist-digests']).toBe('pass')
      expect(verdicts(camera)['line-counts']).toBe('pass')
      expect(reader.mode).toBe('broker')
    } finally {
      await pb.close()
    }
  })

  it('stops early, failing, when no device connects', async () => {
    const r = await listenRun('reader', [], { deviceId: 'nobody-here', connectTimeoutMs: 300 })
    expect(r.aborted).toMatch(/no connection with client id or user name nobody-here/)
    expect(r.passed).toBe(false)
    expect(verdicts(r)['connect-identity']).toBe('fail')
    expect(r.results.filter((x) => x.verdict === 'pass')).toEqual([])
  })
})
