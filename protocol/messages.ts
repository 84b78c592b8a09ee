// Channel -> schema -> payload type. The single map the broker, pipeline,
// gateway and simulator use to know what travels on which topic.

import type { Static, TSchema } from 'typebox'
import type { CommandName, UplinkChannel } from './topics.ts'
import { AccessEventSchema, type AccessEvent } from './schemas/access-event.ts'
import { AllowlistSyncSchema, type AllowlistSync } from './schemas/allowlist-sync.ts'
import { CommandReplySchema, type CommandReply } from './schemas/command-reply.ts'
import { ConfigSchema, type Config } from './schemas/config.ts'
import { DeviceStatusSchema, type DeviceStatus } from './schemas/device-status.ts'
import { DoorEventSchema, type DoorEvent } from './schemas/door-event.ts'
import { ErrorReplySchema } from './schemas/error-reply.ts'
import { HeartbeatSchema, type Heartbeat } from './schemas/heartbeat.ts'
import { LineCrossingSchema, type LineCrossing } from './schemas/line-crossing.ts'
import { OpenDoorSchema, type OpenDoor } from './schemas/open-door.ts'
import { PersonDetectedSchema, type PersonDetected } from './schemas/person-detected.ts'

export type { CommandName, UplinkChannel } from './topics.ts'

export const UplinkSchemas = {
  'event/access': AccessEventSchema,
  'event/door': DoorEventSchema,
  'event/line': LineCrossingSchema,
  'event/person': PersonDetectedSchema,
  status: DeviceStatusSchema,
  heartbeat: HeartbeatSchema,
  reply: CommandReplySchema,
} as const satisfies Record<UplinkChannel, TSchema>

export const CommandSchemas = {
  'allowlist-sync': AllowlistSyncSchema,
  'open-door': OpenDoorSchema,
  config: ConfigSchema,
} as const satisfies Record<CommandName, TSchema>

/** Every message schema, in the order the spec presents them. */
export const AllSchemas = [...Object.values(UplinkSchemas), ...Object.values(CommandSchemas), ErrorReplySchema] as const

/** Payload types per uplink channel. Spelled out so hand-written types (CommandReply) win over Static. */
export interface UplinkPayloads {
  'event/access': AccessEvent
  'event/door': DoorEvent
  'event/line': LineCrossing
  'event/person': PersonDetected
  status: DeviceStatus
  heartbeat: Heartbeat
  reply: CommandReply
}

export interface CommandPayloads {
  'allowlist-sync': AllowlistSync
  'open-door': OpenDoor
  config: Config
}

export type UplinkPayload<C extends UplinkChannel> = UplinkPayloads[C]
export type CommandPayload<N extends CommandName> = CommandPayloads[N]

/** Uplink message as a discriminated union on `channel`. */
export type UplinkMessage = { [C in UplinkChannel]: { channel: C; payload: UplinkPayloads[C] } }[UplinkChannel]
/** Command as a discriminated union on `name`. */
export type CommandMessage = { [N in CommandName]: { name: N; payload: CommandPayloads[N] } }[CommandName]

/** Event payloads (the channels de-duplicated by eventId and seq). */
export type EventPayload = AccessEvent | DoorEvent | LineCrossing | PersonDetected

// Compile-time check that the spelled-out payload types agree with the schemas.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
type Assert<T extends true> = T
type _UplinkTypesMatchSchemas = Assert<
  Same<
    { [C in Exclude<UplinkChannel, 'reply'>]: UplinkPayloads[C] },
    { [C in Exclude<UplinkChannel, 'reply'>]: Static<(typeof UplinkSchemas)[C]> }
  >
>
type _CommandTypesMatchSchemas = Assert<
  Same<CommandPayloads, { [N in CommandName]: Static<(typeof CommandSchemas)[N]> }>
>
type _ReplyTypeMatchesSchema = Assert<
  CommandReply extends Static<typeof CommandReplySchema> ? true : false
>
