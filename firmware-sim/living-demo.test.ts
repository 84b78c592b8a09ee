// `npm run demo` as the function behind it, bounded: the platform on embedded
// defaults with the demo site, the driver told what to do first (an unknown
// card, a newcomer, someone slipping in behind a tenant), and the alerts that
// police-zumiao sees arriving through onAlert. The stop moves the newcomer
// out again and leaves no demo device connected.

import { describe, expect, it } from 'vitest'
import type { Alert } from '../contract/schemas/alerts.ts'
import { startLivingDemo } from './runner/living-demo.ts'
import { until } from '../test/support/wait.ts'

describe('the living demo', () => {
  it('drives the demo buildings until stopped, and police-zumiao sees the alerts arrive', async () => {
    const lines: string[] = []
    const alerts: Alert[] = []
    const demo = await startLivingDemo({
      everyS: 0.4, seed: 'test', first: ['unknown-card', 'move-in', 'tailgate', 'pass'], alertPollMs: 300,
      log: (line) => lines.push(line), onAlert: (a) => alerts.push(a),
    })
    try {
      expect(demo.embedded).toBeDefined()
      expect(demo.banner.join('\n')).toContain('police-zumiao')
      await until('an unknown-card alert', () => alerts.some((a) => a.type === 'unknown_credential'), 20_000)
      await until('a tenant came in', () => lines.some((l) => / came in .*: granted/.test(l)), 20_000)
      // Someone slipped in behind a tenant: the camera counted one more than the reader let in.
      await until('a tailgating alert', () => alerts.some((a) => a.type === 'tailgating'), 30_000)
      expect(lines.some((l) => /registered .*, who moves into room/.test(l)), lines.join('\n')).toBe(true)
      // Every alert handed on is one the police of the area may see: the demo buildings' own.
      expect(new Set(alerts.map((a) => a.buildingId))).toEqual(new Set(alerts.map((a) => a.buildingId).filter((b) => b.startsWith('demo-'))))
    } finally {
      await demo.stop()
    }
    expect(lines.at(-1)).toMatch(/^demo stopped: newcomers moved out/)
  }, 90_000)
})
