// Visitor passes: temporary credentials a landlord issues for a room (a QR
// code by default) with a validity period, pushed to the building's readers
// like any credential. A visitor still inside past the allowed stay is what
// the pipeline's visitor_overstay rule reports: someone staying on must be
// registered. Revoked through POST /credentials/{id}/revoke like any other.

import { Errors } from '../errors.ts'
import type { Actor } from './access.ts'
import { writeAudit } from './audit-log.ts'
import { loadRoom } from './buildings.ts'
import { announceAllowlist, type RegistryContext } from './context.ts'
import { bumpAllowlist, insertCredential, toCredential, type Credential, type CredentialInput, type CredentialRow } from './credentials.ts'

/** Longest validity of one pass; a longer stay is a registration. */
export const MAX_VISITOR_PASS_DAYS = 30

export interface VisitorPassInput extends Omit<CredentialInput, 'validUntil'> {
  /** Who the pass is for, as the landlord records it (a name, not an ID number). */
  visitorName: string
  validUntil: string
}

export class VisitorPasses {
  constructor (private readonly ctx: RegistryContext) {}

  async issue (actor: Actor, roomId: string, input: VisitorPassInput): Promise<Credential> {
    const now = this.ctx.now()
    const from = input.validFrom === undefined ? now : new Date(input.validFrom)
    const until = new Date(input.validUntil)
    if (until <= now) throw new Errors.BadRequest('validUntil must be in the future')
    if (until.getTime() - from.getTime() > MAX_VISITOR_PASS_DAYS * 86_400_000) {
      throw new Errors.BadRequest(`a visitor pass is valid for at most ${MAX_VISITOR_PASS_DAYS} days; someone staying longer must be registered`)
    }
    const name = input.visitorName.trim()
    if (name === '') throw new Errors.BadRequest('visitorName is required')
    const { visitorName: _name, ...credential } = input
    const { pass, change } = await this.ctx.db.transaction(async (tx) => {
      const { room } = await loadRoom(tx, actor, roomId, 'residents.write')
      const row = await insertCredential(tx, this.ctx.secrets, actor, { buildingId: room.building_id, roomId, registrationId: null, visitor: name }, credential)
      return { pass: toCredential(row), change: await bumpAllowlist(tx, room.building_id, [row], []) }
    })
    announceAllowlist(this.ctx.events, change)
    return pass
  }

  /** Passes of a room, newest first; `active` only those not revoked and not yet expired. */
  async list (actor: Actor, roomId: string, opts: { active?: boolean } = {}): Promise<Credential[]> {
    await loadRoom(this.ctx.db, actor, roomId, 'residents.read')
    const r = opts.active === true
      ? await this.ctx.db.query<CredentialRow>(
        `select * from credentials where room_id = $1 and visitor and status = 'active' and (valid_until is null or valid_until > $2)
         order by issued_at desc, id limit 500`, [roomId, this.ctx.now()])
      : await this.ctx.db.query<CredentialRow>(
        'select * from credentials where room_id = $1 and visitor order by issued_at desc, id limit 500', [roomId])
    // Visitors' names: the listing is audited, once per request.
    await writeAudit(this.ctx.db, actor, 'visitor_passes.list', { type: 'room', id: roomId }, { active: opts.active === true, returned: r.rows.length })
    return r.rows.map(toCredential)
  }
}
