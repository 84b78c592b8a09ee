// Runs the kit against the simulator's own devices over real sockets on
// 127.0.0.1, on a simulation clock ten times faster than real time, with
// short settings so that a whole run takes a few seconds.

import { eventually, fastClock } from '../device/device.test-kit.ts'
import { createCamera, createReader, type DeviceFault, type SimCameraDevice, type SimReaderDevice } from '../device/index.ts'
import { KIT_ALLOWLIST_KEY, KIT_CREDENTIALS, runConformance, type ConformanceOptions, type ConformanceReport } from './index.ts'

export const SPEED = 10
export const BUILDING = 'conf-bldg'

type Device = SimReaderDevice | SimCameraDevice

function device (kind: 'reader' | 'camera', url: string, deviceId: string, faults: DeviceFault[], clock: { now (): number }, heartbeatS = 30): Device {
  const creds = { url, buildingId: BUILDING, deviceId, door: 'gate', password: 'secret', allowlistKey: KIT_ALLOWLIST_KEY }
  const opts = { clock, heartbeatS, tickMs: 10, faults, lineCountPeriodS: 10 }
  return kind === 'reader' ? createReader(creds, opts) : createCamera(creds, opts)
}

/** Kit settings for a fast run on the simulation clock. */
export function fastKit (clock: { now (): number }): Partial<ConformanceOptions> {
  return {
    clock: clock.now,
    heartbeatS: 5,
    lineCountPeriodS: 2,
    intervals: 3,
    replyTimeoutMs: 1500,
    connectTimeoutMs: 5000,
    outageS: 8,
    reconnectTimeoutS: 90,
    graceS: 5,
    replayWaitS: 3,
  }
}

/** What a person presents once the kit's lists are in place: its QR code and PIN, the card it removed, a stranger's card. */
async function presentKitCredentials (d: Device | undefined): Promise<void> {
  if (d === undefined || !('present' in d)) return
  const { qr, pin, card } = KIT_CREDENTIALS
  for (const c of [qr, pin, card, { kind: 'card', value: '5EEDBEEF' }] as const) await d.present({ kind: c.kind, value: c.value }, 'in')
}

/** Something the device records while it is offline: a card at a reader, a detection at a camera. */
async function actWhileOffline (d: Device): Promise<void> {
  await eventually('the device to notice the drop', () => !d.connected)
  if ('present' in d) await d.present({ kind: 'card', value: 'DEADBEEF' }, 'in')
  else await d.detect(1)
}

/** Listen mode: the kit listens on an ephemeral port and the device connects to it. */
export async function listenRun (kind: 'reader' | 'camera', faults: DeviceFault[] = [], extra: Partial<ConformanceOptions> = {}): Promise<ConformanceReport> {
  const clock = fastClock(SPEED)
  const deviceId = `sim-${kind}-${faults.join('-') || 'good'}`.replace(/_/g, '-')
  let d: Device | undefined
  try {
    return await runConformance({
      deviceId,
      buildingId: BUILDING,
      kind,
      listen: { port: 0, host: '127.0.0.1' },
      ...fastKit(clock),
      onListening: ({ port }) => {
        d = device(kind, `mqtt://127.0.0.1:${port}`, deviceId, faults, clock)
        d.start().catch(() => {})
      },
      presentCredentials: () => presentKitCredentials(d),
      duringOutage: () => actWhileOffline(d!),
      ...extra,
    })
  } finally {
    await d?.stop()
  }
}

/** Broker mode: the device is connected to `url` first, then the kit watches it there. */
export async function brokerRun (url: string, kind: 'reader' | 'camera', faults: DeviceFault[] = []): Promise<ConformanceReport> {
  const clock = fastClock(SPEED)
  const deviceId = `sim-b-${kind}-${faults.join('-') || 'good'}`.replace(/_/g, '-')
  const d = device(kind, url, deviceId, faults, clock, 10)
  await d.start()
  try {
    return await runConformance({ deviceId, buildingId: BUILDING, kind, broker: { url }, ...fastKit(clock), presentCredentials: () => presentKitCredentials(d) })
  } finally {
    await d.stop()
  }
}

/** verdict by requirement id */
export function verdicts (r: ConformanceReport): Record<string, string> {
  return Object.fromEntries(r.results.map((x) => [x.id, x.verdict]))
}

export function failed (r: ConformanceReport): string[] {
  return r.results.filter((x) => x.verdict === 'fail').map((x) => x.id)
}
