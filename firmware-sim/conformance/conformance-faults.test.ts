// The kit against deliberately faulty simulated devices: each fault fails
// exactly the requirement it breaks, and every other requirement passes.

import { describe, expect, it } from 'vitest'
import { plainBroker } from '../device/device.test-kit.ts'
import type { DeviceFault } from '../device/index.ts'
import { brokerRun, failed, listenRun, verdicts } from './conformance.test-kit.ts'
import { formatReport } from './index.ts'

const BREAKS: Array<[DeviceFault, 'reader' | 'camera', string]> = [
  ['no_will', 'reader', 'last-will'],
  ['shutdown_will', 'camera', 'last-will'],
  ['seq_not_increasing', 'reader', 'seq'],
  ['status_not_retained', 'reader', 'online-status'],
  ['no_command_reply', 'reader', 'command-replies'],
  ['bad_payload', 'reader', 'schemas'],
  ['duplicate_event_ids', 'reader', 'event-ids'],
  ['no_heartbeat', 'reader', 'heartbeat'],
  ['no_replay', 'reader', 'replay'],
  ['no_replay', 'camera', 'replay'],
  ['ignores_key_id', 'reader', 'allowlist-digests'],
  ['bad_payload', 'camera', 'schemas'],
]

describe.concurrent('conformance kit against faulty simulated devices', () => {
  it.each(BREAKS)('%s (%s) fails exactly %s', async (fault, kind, requirement) => {
    // Without replies every command waits out its timeout: keep it short there.
    const r = await listenRun(kind, [fault], fault === 'no_command_reply' ? { replyTimeoutMs: 600 } : {})
    expect(failed(r), formatReport(r)).toEqual([requirement])
    const others = r.results.filter((x) => x.id !== requirement)
    expect(others.filter((x) => x.verdict !== 'pass'), formatReport(r)).toEqual([])
    const bad = r.results.find((x) => x.id === requirement)!
    expect(bad.reason).toBeTruthy()
    expect(r.passed).toBe(false)
  })

  it('broker mode catches an online status that is not retained', async () => {
    const pb = await plainBroker()
    try {
      const r = await brokerRun(pb.url, 'reader', ['status_not_retained'])
      expect(failed(r), formatReport(r)).toEqual(['online-status'])
      expect(verdicts(r)['schemas']).toBe('pass')
    } finally {
      await pb.close()
    }
  })
})
