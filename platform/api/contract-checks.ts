// Compile-time links between the platform's domain types and the contract's
// schemas: the routes serialize domain values with those schemas, and Fastify
// drops a field a schema forgot without a word. Here such a field fails
// `tsc`. Types derived from the contract outright (Building, Area, Alert, ...)
// are checked too, so the list stays whole when one is written by hand again.

import type { Equal, Expect, Extends } from '../../contract/type-equal.ts'
import type * as C from '../../contract/index.ts'
import type { Area } from '../registry/areas.ts'
import type { AuditEntry } from '../registry/audit-log.ts'
import type { Building, Location, Room } from '../registry/buildings.ts'
import type { Credential } from '../registry/credentials.ts'
import type { Device } from '../registry/devices.ts'
import type { LedgerEntry } from '../registry/ledger.ts'
import type { Move } from '../registry/move-view.ts'
import type { Registration, ResidentSummary } from '../registry/registration-rows.ts'
import type { Resident } from '../registry/residents.ts'
import type { User } from '../registry/users.ts'
import type { Alert, AlertHistoryEntry } from '../alerts/model.ts'
import type { Webhook, Delivery } from '../alerts/webhooks.ts'
import type { LoggedEvent } from '../events/event-history.ts'
import type { CommandRecord } from '../devices/command-log.ts'
import type { DeviceCounters } from './device-connectivity.ts'
import type { AppError } from '../errors.ts'

export type Checks = [
  Expect<Equal<Area, C.Area>>,
  Expect<Equal<AuditEntry, C.AuditEntry>>,
  Expect<Equal<Building, C.Building>>,
  Expect<Equal<Location, C.Location>>,
  Expect<Equal<Room, C.Room>>,
  Expect<Equal<Credential, C.Credential>>,
  Expect<Equal<Device, C.Device>>,
  // The ledger's action is a closed set the schema shows as text: same fields, the domain's values narrower.
  Expect<Equal<keyof LedgerEntry, keyof C.LedgerEntry>>,
  Expect<Extends<LedgerEntry, C.LedgerEntry>>,
  Expect<Equal<Move, C.Move>>,
  Expect<Equal<Registration, C.Registration>>,
  Expect<Equal<ResidentSummary, C.ResidentSummary>>,
  Expect<Equal<Resident, C.Resident>>,
  Expect<Equal<User, C.User>>,
  Expect<Equal<Alert, C.Alert>>,
  Expect<Equal<AlertHistoryEntry, C.AlertHistoryEntry>>,
  Expect<Equal<Webhook, C.Webhook>>,
  Expect<Equal<Delivery, C.Delivery>>,
  Expect<Equal<LoggedEvent, C.LoggedEvent>>,
  Expect<Equal<CommandRecord, C.CommandRecord>>,
  Expect<Equal<DeviceCounters, C.DeviceStats>>,
  // Every code the catalogue throws is one the contract names.
  Expect<Extends<AppError['code'], C.ApiErrorCode>>,
  Expect<Equal<Exclude<C.ApiErrorCode, AppError['code']>, 'RH_VALIDATION' | 'RH_INTERNAL'>>,
]
