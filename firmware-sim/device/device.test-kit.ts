// Helpers for tests of the simulated devices and the conformance kit: a
// simulation clock running faster than real time, and (from the client's
// test kit) a plain broker on 127.0.0.1 with a watcher client.

import type { SimClock } from './device-api.ts'

export {
  eventually, testBroker as plainBroker, type TestBroker as PlainBroker, type Watched as Watcher,
} from '../../protocol/device-client/broker.test-kit.ts'

/** A clock that starts at `start` and runs `speed` times faster than real time. */
export function fastClock (speed: number, start = Date.parse('2026-11-20T09:00:00+08:00')): SimClock {
  const realStart = Date.now()
  return { now: () => start + (Date.now() - realStart) * speed }
}
