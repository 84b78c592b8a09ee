// A plain Aedes broker on a TCP port, with whatever hooks the caller passes:
// the kit's own broker in listen mode, and a stand-in for a vendor's broker
// in tests.

import { createServer, type AddressInfo, type Socket } from 'node:net'
import { Aedes, type AedesOptions } from 'aedes'

export interface EmbeddedBroker {
  readonly aedes: Aedes
  readonly host: string
  readonly port: number
  close (): Promise<void>
}

export async function startEmbeddedBroker (o: { host: string; port: number; options?: AedesOptions }): Promise<EmbeddedBroker> {
  const aedes = await Aedes.createBroker({ connectTimeout: 10_000, drainTimeout: 5_000, ...o.options })
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    aedes.handle(socket)
  })
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(o.port, o.host, () => { server.off('error', reject); resolve() })
    })
  } catch (err) {
    await new Promise<void>((resolve) => aedes.close(() => resolve()))
    throw err
  }
  const address = server.address() as AddressInfo
  let closing: Promise<void> | undefined
  return {
    aedes,
    host: address.address,
    port: address.port,
    close () {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()))
        await new Promise<void>((resolve) => aedes.close(() => resolve()))
        for (const s of sockets) s.destroy()
        await closed
      })()
      return closing
    },
  }
}
