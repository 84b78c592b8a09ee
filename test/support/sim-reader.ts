// A simulated reader (firmware-sim) at a building's main gate, provisioned as
// `who` and started: it holds the allow-list the platform syncs to it.

import { createReader, type SimReaderDevice } from '../../firmware-sim/device/index.ts'
import { provisionReader, type TestPlatform } from './platform.ts'
import { until } from './wait.ts'

/** `clock`: the reader's own clock (default the system's), to put it past a validity end. */
export async function startSimReader (tp: TestPlatform, who: string, buildingId: string, clock: { now: () => number } = { now: Date.now }): Promise<SimReaderDevice> {
  const details = await provisionReader(tp, who, buildingId)
  const reader = createReader({ url: details.url.replace('localhost', '127.0.0.1'), buildingId, deviceId: details.clientId, door: 'main-gate', password: details.password, allowlistKey: details.allowlistKey },
    { clock, heartbeatS: 30, tickMs: 20 })
  await reader.start()
  await until('the reader holds its list', () => reader.allowlistVersion > 0, 5000)
  return reader
}
