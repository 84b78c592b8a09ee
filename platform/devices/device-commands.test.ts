// Commands to devices on a real socket: the settings every device is sent when
// it subscribes to its commands, and the outcome of each command as the API
// shows it (GET /devices/{id}/commands).

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CommandReply, Config, OpenDoor } from '../../protocol/index.ts'
import { validateCommand } from '../../protocol/index.ts'
import { connectReader } from '../../test/support/mqtt-device.ts'
import { callApi, provisionReader, startTestPlatform, type TestPlatform } from '../../test/support/platform.ts'
import { until } from '../../test/support/wait.ts'
import { CommandLog } from './command-log.ts'

describe('commands to devices', () => {
  let tp: TestPlatform
  beforeAll(async () => { tp = await startTestPlatform('pglite', { env: { RULE_HEARTBEAT_S: '45' } }) }, 60_000)
  afterAll(async () => { await tp?.dispose() })

  it('send every device its settings on each subscription to its command topic, valid per the protocol', async () => {
    const details = await provisionReader(tp, 'admin', 'demo-b1', 'cfg-reader')
    for (let session = 0; session < 2; session++) {
      const { client, box } = await connectReader(details)
      const config = await box.next(/command\/config$/) as Config
      expect(config).toMatchObject({ heartbeatS: 45, timezone: 'Asia/Shanghai' })
      expect(validateCommand('config', config).ok).toBe(true)
      await client.endAsync(true)
    }
  })

  it('show what became of an open-door command: sent, then the reader\'s answer', async () => {
    const details = await provisionReader(tp, 'admin', 'demo-b1', 'door-reader')
    const { client, box } = await connectReader(details)
    const replyTopic = details.publish.find((t) => t.endsWith('/reply'))!
    const answer = async (r: CommandReply): Promise<void> => { await client.publishAsync(replyTopic, JSON.stringify(r), { qos: 1 }) }
    const commands = async () => (await callApi(tp, 'landlord-li', 'GET', `/devices/${details.clientId}/commands`)).body as Array<{ requestId: string; command: string; status: string; error: unknown }>

    const first = await callApi(tp, 'landlord-li', 'POST', `/devices/${details.clientId}/open-door`, { reason: 'delivery' })
    expect(first.status).toBe(202)
    const cmd = await box.next(/command\/open-door$/) as OpenDoor
    expect(cmd.requestId).toBe(first.body.requestId)
    expect((await commands())[0]).toMatchObject({ requestId: cmd.requestId, command: 'open-door', status: 'sent' })
    await answer({ requestId: cmd.requestId, command: 'open-door', status: 'ok' })
    await until('the reply to be recorded', async () => (await commands())[0]!.status === 'ok')

    const second = await callApi(tp, 'landlord-li', 'POST', `/devices/${details.clientId}/open-door`, { reason: 'again' })
    await box.next(/command\/open-door$/)
    await answer({ requestId: second.body.requestId, command: 'open-door', status: 'error', error: { code: 'busy', message: 'door already open' } })
    await until('the refusal to be recorded', async () => (await commands())[0]!.status === 'error')
    const log = await commands()
    expect(log[0]).toMatchObject({ requestId: second.body.requestId, error: { code: 'busy', message: 'door already open' } })
    expect(log.map((c) => c.command)).toEqual(expect.arrayContaining(['open-door', 'config', 'allowlist-sync']))
    // Outside the building's scope the device does not exist.
    expect((await callApi(tp, 'landlord-wang', 'GET', `/devices/${details.clientId}/commands`)).status).toBe(404)
    await client.endAsync(true)
  })
})

describe('command log', () => {
  it('marks a command without a reply as no_reply once overdue, ignores replies to unknown commands, keeps the latest', () => {
    let now = 0
    const log = new CommandLog({ now: () => now, replyTimeoutMs: 1000, perDevice: 3 })
    log.sent('d', 'open-door', 'r1')
    log.replied('d', { requestId: 'zz', command: 'open-door', status: 'ok' })
    now = 500
    expect(log.recent('d')[0]!.status).toBe('sent')
    now = 1500
    expect(log.recent('d')[0]!.status).toBe('no_reply')
    for (const id of ['r2', 'r3', 'r4']) log.sent('d', 'config', id)
    expect(log.recent('d').map((r) => r.requestId)).toEqual(['r4', 'r3', 'r2'])
    expect(log.recent('other')).toEqual([])
  })
})
