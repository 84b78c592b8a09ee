// Connection limits of the HTTP side on a real listening platform: live
// streams per account, per address and in total, refused with 429
// RH_TOO_MANY_STREAMS and counted in GET /broker/stats; the HTTP server's own
// cap on sockets and its timeout for a request that never completes.

import { connect, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LiveStreamReader } from '../../contract/live-stream-reader.ts'
import { callApi, startTestPlatform, type TestPlatform } from '../../test/support/platform.ts'
import { until } from '../../test/support/wait.ts'

describe('HTTP connection limits', () => {
  let tp: TestPlatform
  let base: string
  let port: number
  const streams: LiveStreamReader[] = []
  beforeAll(async () => {
    tp = await startTestPlatform('pglite', {
      env: { STREAM_MAX_PER_ACCOUNT: '2', STREAM_MAX_PER_ADDRESS: '4', STREAM_MAX_TOTAL: '3', HTTP_MAX_CONNECTIONS: '8', HTTP_REQUEST_TIMEOUT_S: '3' },
    })
    base = tp.platform.addresses.api
    port = Number(new URL(base).port)
  }, 60_000)
  afterAll(async () => {
    for (const s of streams) s.close()
    await tp?.dispose()
  })

  const open = async (who: string): Promise<LiveStreamReader> => {
    const s = await LiveStreamReader.open({ base, token: tp.tokens[who]!, auth: 'header' })
    streams.push(s)
    return s
  }
  /** A stream request that is expected to be refused: status and body. */
  const refused = async (who: string): Promise<{ status: number; body: any }> => {
    const r = await fetch(`${base}/alerts/stream`, { headers: { authorization: `Bearer ${tp.tokens[who]}` } })
    return { status: r.status, body: await r.json() }
  }

  it('refuses a third stream of one account, then any beyond the total, with 429 and a reason; admins see the counts', async () => {
    expect((await open('police-zumiao')).status).toBe(200)
    const second = await open('police-zumiao')
    expect(second.status).toBe(200)
    expect(await refused('police-zumiao')).toMatchObject({
      status: 429, body: { statusCode: 429, code: 'RH_TOO_MANY_STREAMS', message: expect.stringContaining('STREAM_MAX_PER_ACCOUNT') },
    })
    expect((await open('grid-chen')).status).toBe(200)
    const over = await refused('admin')
    expect(over.status).toBe(429)
    expect(over.body.message).toContain('STREAM_MAX_TOTAL')
    const stats = await callApi(tp, 'admin', 'GET', '/broker/stats')
    expect(stats.body.liveStreams).toEqual({ open: 3, dropped: 0, refused: { account: 1, address: 0, total: 1 }, limits: { perAccount: 2, perAddress: 4, total: 3 } })
    // A closed stream frees its place.
    second.close()
    await until('a place is free', async () => (await callApi(tp, 'admin', 'GET', '/broker/stats')).body.liveStreams.open === 2)
    expect((await open('admin')).status).toBe(200)
  })

  it('caps the server\'s sockets at HTTP_MAX_CONNECTIONS and closes a request that does not complete in time', async () => {
    const sockets: Socket[] = []
    const closed: boolean[] = []
    for (let i = 0; i < 12; i++) {
      const s = connect(port, '127.0.0.1')
      const n = sockets.push(s) - 1
      closed[n] = false
      s.on('close', () => { closed[n] = true })
      s.on('error', () => {})
      // Read what the server sends (its 408): a socket nobody reads never sees the server close it.
      s.resume()
      // Half a request: headers that never end.
      s.write('GET /health HTTP/1.1\r\nHost: x\r\n')
    }
    // 3 streams (and maybe an idle keep-alive socket) are open: at most 5 of these fit under the cap of 8,
    // the others are dropped at once.
    await until('sockets over the cap dropped', () => closed.filter(Boolean).length >= 7, 2000)
    expect(closed.filter(Boolean).length).toBeLessThan(12)
    // The ones that fit are closed when the request timeout (3 s) passes.
    await until('incomplete requests timed out', () => closed.every(Boolean), 10_000)
    for (const s of sockets) s.destroy()
    expect((await fetch(`${base}/health`)).status).toBe(200)
  }, 20_000)
})
