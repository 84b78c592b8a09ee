// Simulated device firmware: readers and cameras that speak only the device
// protocol (protocol/README.md) over MQTT, each with its own credentials, on
// a simulation clock. The contract is device-api.ts; the options beyond it
// (faults for the conformance self-test, buffer size, back-off) are in
// options.ts.

import type { DeviceCredentials } from './device-api.ts'
import { SimCameraDevice } from './camera.ts'
import type { SimDeviceOptions } from './options.ts'
import { SimReaderDevice } from './reader.ts'

export type { DeviceCredentials, DeviceOptions, InstalledCredentials, SimCamera, SimClock, SimDevice, SimReader } from './device-api.ts'
export { DEVICE_FAULTS, type DeviceFault, type DeviceLogEntry, type SimDeviceCounters, type SimDeviceExtras, type SimDeviceOptions } from './options.ts'
export { SimCameraDevice } from './camera.ts'
export { SimReaderDevice } from './reader.ts'

/** A reader: `start()` connects it; it decides on the allow-list the platform syncs to it. */
export function createReader (creds: DeviceCredentials, opts: SimDeviceOptions): SimReaderDevice {
  return new SimReaderDevice(creds, opts)
}

/** A camera: `start()` connects it; it reports line counts every period and detections. */
export function createCamera (creds: DeviceCredentials, opts: SimDeviceOptions): SimCameraDevice {
  return new SimCameraDevice(creds, opts)
}
