// What the legacy readers' listeners share: starting a server on a port,
// and the words of a "may this card open?" answer.

import type { Server as HttpServer } from 'node:http'
import type { AddressInfo, Server as NetServer } from 'node:net'
import type { Decision } from '../../protocol/device-client/index.ts'
import type { ReaderModel } from './reader-model.ts'

/** Listens on `port` (0: one the system chooses); resolves with the port, rejects when it is taken. */
export async function listenOn (server: HttpServer | NetServer, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => { server.off('error', reject); resolve() })
  })
  return (server.address() as AddressInfo).port
}

/** The decision in the words a model's answer template takes: {open} and {openText}. */
export function answerWords (model: ReaderModel, d: Decision): { open: boolean; openText: string } {
  const open = d.result === 'granted'
  return { open, openText: open ? (model.openWords?.yes ?? 'yes') : (model.openWords?.no ?? 'no') }
}
