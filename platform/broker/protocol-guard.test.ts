import { describe, expect, it } from 'vitest'
import { puback } from './mqtt-bytes.test-kit.ts'

describe('guardConnection: writes', () => {
  it('sends what the broker wrote while corked in one socket write, bytes in order', async () => {
    const { createServer, connect: connectTcp } = await import('node:net')
    const { guardConnection } = await import('./protocol-guard.ts')
    const received: Buffer[] = []
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as { port: number }).port
    const accepted = new Promise<import('node:net').Socket>((resolve) => server.once('connection', resolve))
    const client = connectTcp(port, '127.0.0.1')
    client.on('data', (d: Buffer) => received.push(d))
    const socket = await accepted
    // What reaches the socket's handle: _write per single chunk, _writev per batch (one system call each).
    const calls: string[] = []
    const raw = socket as unknown as { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void }
    const [w, wv] = [raw._write.bind(socket), raw._writev.bind(socket)]
    raw._write = (...a) => { calls.push('write'); w(...a) }
    raw._writev = (...a) => { calls.push(`writev ${(a[0] as unknown[]).length}`); wv(...a) }
    const conn = guardConnection(socket, { maxPacketBytes: 1024 }, () => {})
    try {
      conn.cork()
      for (let id = 1; id <= 20; id++) conn.write(puback(id))
      process.nextTick(() => conn.uncork())
      const expected = Buffer.concat(Array.from({ length: 20 }, (_, i) => puback(i + 1)))
      await expect.poll(() => Buffer.concat(received).length).toBe(expected.length)
      expect(Buffer.concat(received)).toEqual(expected)
      expect(calls).toEqual(['writev 20'])
    } finally {
      conn.destroy()
      client.destroy()
      await new Promise((resolve) => server.close(resolve))
    }
  })
})
