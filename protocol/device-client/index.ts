// The device side of rh/v1 (protocol/README.md) as a reusable client: what
// every reader, camera or gateway needs to speak the protocol, and nothing of
// what the device does. See README.md beside this file. Imported on its own
// (it needs Node and MQTT.js), not through protocol/index.ts.

export { DeviceClient, type ClientState, type EventFields } from './device-client.ts'
export {
  CLIENT_VIOLATIONS,
  type ClientViolation,
  type CommandCarrier,
  type DeviceClientCounters,
  type DeviceClientCredentials,
  type DeviceClientOptions,
  type DeviceClock,
  type DeviceLogEntry,
} from './client-options.ts'
export { CommandHandler, errorBody, type ReplyBody } from './commands.ts'
export { applyConfig, type DeviceSettings } from './settings.ts'
export { applySync, decide, EMPTY_ALLOWLIST, restoredAllowlist, savedAllowlist, type CredentialKind, type Decision, type HeldAllowlist, type SyncOutcome } from './allowlist.ts'
export { Outbox, type EventBuffer, type OutboxEntry } from './outbox.ts'
