// Visitor passes: temporary credentials a landlord issues for a room (a QR
// code by default) with a validity period, pushed to the building's readers
// like any credential. A visitor still inside past the allowed stay is what
// the pipeline's visitor_overstay rule reports: someone staying on must be
// registered. Revoked through POST /credentials/{id}/revoke like any other.
//
// A pass can renew an earlier pass of the same room (`renews`): it is for the
// same visitor (it keeps the visitor's identity, visitorId), and it replaces
// the visitor's passes still active in the same transaction, so a visitor
// holds one valid pass at a time and the pipeline follows one person whichever
// pass they show. A renewal valid now revokes them; one that starts later
// ends them where it begins.

import { Errors } from '../errors.ts'
import type { Queryable } from '../store/database.ts'
import type { Actor } from './access.ts'
import { writeAudit } from './audit-log.ts'
import { loadRoom } from './buildings.ts'
import { announceAllowlist, type RegistryContext } from './context.ts'
import {
  bumpAllowlist, insertCredential, revokeCredentials, toCredential, viewerOf, type Credential, type CredentialInput, type CredentialRow,
} from './credentials.ts'
import { appendLedger } from './ledger.ts'
import { MAX_VISITOR_PASS_DAYS } from '../../contract/routes/registry-routes.ts'

/** Longest validity of one pass; a longer stay is a registration (the route's schema states it). */
export { MAX_VISITOR_PASS_DAYS }

export interface VisitorPassInput extends Omit<CredentialInput, 'validUntil'> {
  /** Who the pass is for, as the landlord records it (a name, not an ID number); a renewal keeps the renewed pass's by default. */
  visitorName?: string
  validUntil: string
  /** Id of an earlier pass of the same room, for the same visitor, that this one replaces. */
  renews?: string
}

/** What a renewal found and did to the visitor's earlier passes. */
interface Renewal { visitorId: string; name: string; renews: string; revoked: CredentialRow[]; shortened: CredentialRow[] }

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
    const { visitorName, renews, ...credential } = input
    const { pass, change } = await this.ctx.db.transaction(async (tx) => {
      const { room, building } = await loadRoom(tx, actor, roomId, 'residents.write')
      const renewal = renews === undefined ? undefined : await this.replace(tx, actor, roomId, renews, from, now)
      const name = visitorName?.trim() || renewal?.name
      if (name === undefined || name === '') throw new Errors.BadRequest('visitorName is required')
      const target = renewal === undefined
        ? { visitor: name }
        : { visitor: name, visitorId: renewal.visitorId, renews: renewal.renews }
      const row = await insertCredential(tx, this.ctx.secrets, actor, { buildingId: room.building_id, roomId, registrationId: null, ...target }, credential)
      const change = await bumpAllowlist(tx, room.building_id, [row, ...renewal?.shortened ?? []], renewal?.revoked ?? [])
      return { pass: toCredential(row, viewerOf(actor, building)), change }
    })
    announceAllowlist(this.ctx.events, change)
    return pass
  }

  /**
   * Ends the active passes of the visitor whose pass `renewsId` is: revoked
   * when the renewal is valid now (or before they would start), else cut to
   * end where the renewal begins. The renewed pass may be revoked or expired
   * already (a visitor coming back); it must be a visitor pass of the room.
   */
  private async replace (tx: Queryable, actor: Actor, roomId: string, renewsId: string, from: Date, now: Date): Promise<Renewal> {
    const r = await tx.query<CredentialRow>('select * from credentials where id = $1 and room_id = $2 and visitor for update', [renewsId, roomId])
    const renewed = r.rows[0]
    if (renewed === undefined || renewed.visitor_id === null) throw new Errors.NotFound(`visitor pass ${renewsId} of room ${roomId}`)
    const active = await tx.query<CredentialRow>(
      `select * from credentials where visitor_id = $1 and status = 'active' order by id for update`, [renewed.visitor_id])
    const revoked: CredentialRow[] = []
    const shortened: CredentialRow[] = []
    for (const c of active.rows) {
      if (from <= now || (c.valid_from !== null && c.valid_from >= from)) {
        revoked.push(...await revokeCredentials(tx, actor, { credentialId: c.id }, 'renewed', now))
      } else if (c.valid_until === null || c.valid_until > from) {
        const cut = await tx.query<CredentialRow>('update credentials set valid_until = $2 where id = $1 returning *', [c.id, from])
        shortened.push(cut.rows[0]!)
        await appendLedger(tx, actor, 'credential.shortened', { buildingId: c.building_id, roomId: c.room_id, credentialId: c.id }, {
          reason: 'renewed', validUntil: from.toISOString(),
        })
      }
    }
    return { visitorId: renewed.visitor_id, name: renewed.visitor_name ?? '', renews: renewed.id, revoked, shortened }
  }

  /** Passes of a room, newest first; `active` only those not revoked and not yet expired. */
  async list (actor: Actor, roomId: string, opts: { active?: boolean } = {}): Promise<Credential[]> {
    const { building } = await loadRoom(this.ctx.db, actor, roomId, 'residents.read')
    const r = opts.active === true
      ? await this.ctx.db.query<CredentialRow>(
        `select * from credentials where room_id = $1 and visitor and status = 'active' and (valid_until is null or valid_until > $2)
         order by issued_at desc, id limit 500`, [roomId, this.ctx.now()])
      : await this.ctx.db.query<CredentialRow>(
        'select * from credentials where room_id = $1 and visitor order by issued_at desc, id limit 500', [roomId])
    // Visitors' names: the listing is audited, once per request.
    await writeAudit(this.ctx.db, actor, 'visitor_passes.list', { type: 'room', id: roomId }, { active: opts.active === true, returned: r.rows.length })
    return r.rows.map((c) => toCredential(c, viewerOf(actor, building)))
  }
}
