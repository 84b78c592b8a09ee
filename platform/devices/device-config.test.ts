// A device that subscribes to its commands is sent the settings the platform
// judges it by (heartbeat interval, time zone), on a real socket.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Config } from '../../protocol/index.ts'
import { validateCommand } from '../../protocol/index.ts'
import { connectReader } from '../../test/support/mqtt-device.ts'
import { provisionReader, startTestPlatform, type TestPlatform } from '../../test/support/platform.ts'

describe('device settings', () => {
  let tp: TestPlatform
  beforeAll(async () => { tp = await startTestPlatform('pglite', { env: { RULE_HEARTBEAT_S: '45' } }) }, 60_000)
  afterAll(async () => { await tp?.dispose() })

  it('are sent on every subscription to the command topic, valid per the protocol', async () => {
    const details = await provisionReader(tp, 'admin', 'demo-b1', 'cfg-reader')
    for (let session = 0; session < 2; session++) {
      const { client, box } = await connectReader(details)
      const config = await box.next(/command\/config$/) as Config
      expect(config).toMatchObject({ heartbeatS: 45, timezone: 'Asia/Shanghai' })
      expect(validateCommand('config', config).ok).toBe(true)
      await client.endAsync(true)
    }
  })
})
