// The registry as one object: what the API, the broker and (later) the
// pipeline are given.

import type { CredentialSecrets } from '../privacy/credential-secrets.ts'
import type { IdVault } from '../privacy/id-vault.ts'
import type { Database } from '../store/database.ts'
import { Areas } from './areas.ts'
import { AuditLog } from './audit-log.ts'
import { Buildings } from './buildings.ts'
import { RegistryEvents, type RegistryContext } from './context.ts'
import { Devices } from './devices.ts'
import { DEFAULT_MOVE_CONFIRM_HOURS, Moves } from './moves.ts'
import { Registrations } from './registrations.ts'
import { Residents } from './residents.ts'
import { StreamTickets } from './stream-tickets.ts'
import { Users } from './users.ts'
import { VisitorPasses } from './visitor-passes.ts'

export class Registry {
  readonly events = new RegistryEvents()
  readonly ctx: RegistryContext
  readonly areas: Areas
  readonly users: Users
  readonly buildings: Buildings
  readonly registrations: Registrations
  readonly residents: Residents
  readonly devices: Devices
  readonly visitorPasses: VisitorPasses
  readonly moves: Moves
  readonly audit: AuditLog
  readonly streamTickets: StreamTickets

  constructor (deps: { db: Database; vault: IdVault; secrets: CredentialSecrets; now?: () => Date; moveConfirmHours?: number }) {
    this.ctx = {
      db: deps.db, vault: deps.vault, secrets: deps.secrets, now: deps.now ?? (() => new Date()), events: this.events,
      moveConfirmHours: deps.moveConfirmHours ?? DEFAULT_MOVE_CONFIRM_HOURS,
    }
    this.areas = new Areas(this.ctx)
    this.users = new Users(this.ctx)
    this.buildings = new Buildings(this.ctx)
    this.registrations = new Registrations(this.ctx)
    this.residents = new Residents(this.ctx)
    this.devices = new Devices(this.ctx)
    this.visitorPasses = new VisitorPasses(this.ctx)
    this.moves = new Moves(this.ctx)
    this.audit = new AuditLog(this.ctx)
    this.streamTickets = new StreamTickets(this.ctx, this.users)
  }
}
