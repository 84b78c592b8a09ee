// Child process: bare Aedes 1.2 on 127.0.0.1 (an ephemeral port), with no
// hooks but the permissive defaults and in-memory persistence: the broker the
// platform is built on, doing nothing but routing. Reports its port over IPC
// and runs until the parent goes away or sends `stop`.

import { createServer, type AddressInfo } from 'node:net'
import { Aedes } from 'aedes'

const broker = await Aedes.createBroker()
const server = createServer((socket) => broker.handle(socket))
server.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'ready', port: (server.address() as AddressInfo).port })
})
const stop = (): void => {
  server.close()
  broker.close(() => process.exit(0))
  setTimeout(() => process.exit(0), 2000).unref()
}
process.on('message', (m: { type?: string }) => { if (m.type === 'stop') stop() })
process.on('disconnect', stop)
