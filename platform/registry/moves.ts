// Moves between landlords. Registering a person whose current stay is in a
// building the registering person may not change opens a move: the new
// registration waits as pending, the side of the old stay is asked to confirm
// the departure (or dispute it), the jurisdiction of that building decides a
// disputed move or one left unanswered past its due time, and the side that
// registered may withdraw. Nothing of the old stay changes until its side (or
// its jurisdiction) says so. The due time is stored with the move, so a
// restart changes nothing; every step goes to the audit log and to both
// buildings' ledgers, each entry naming only its own building's stay.

import { Errors } from '../errors.ts'
import type { Queryable } from '../store/database.ts'
import { buildingScope, can, type Actor, type BuildingRef } from './access.ts'
import { writeAudit } from './audit-log.ts'
import { buildingRef } from './buildings.ts'
import { announceAllowlist, iso, newId, type AllowlistChange, type RegistryContext } from './context.ts'
import { appendLedger, ledgerActor, type LedgerAction } from './ledger.ts'
import { isOpen, moveActions, toMove, type Move, type MoveAction, type MoveRow, type MoveStatus } from './move-view.ts'
import { loadRegistration } from './registration-rows.ts'
import { activateStay, cancelStay, closeStay, lockStay, stayRefs, type StayRef } from './stays.ts'

/** Three days, the policy's time for new information to be in the system. */
export const DEFAULT_MOVE_CONFIRM_HOURS = 72

type Building = BuildingRef & { id: string }

const dueAfter = (ctx: RegistryContext, at: Date): Date => new Date(at.getTime() + ctx.moveConfirmHours * 3_600_000)

/** What the audit log keeps of a move: both sides, which only administrators read. */
const auditDetail = (m: Pick<MoveRow, 'from_registration_id' | 'from_building_id' | 'to_registration_id' | 'to_building_id'>, more: Record<string, unknown> = {}) => ({
  fromRegistrationId: m.from_registration_id, fromBuildingId: m.from_building_id,
  toRegistrationId: m.to_registration_id, toBuildingId: m.to_building_id, ...more,
})

/** Opens a move from the person's active stay `from` to the pending registration `to`; returns its id. */
export async function requestMove (
  ctx: RegistryContext, tx: Queryable, actor: Actor, from: StayRef, to: StayRef, now: Date,
): Promise<string> {
  const id = newId('m')
  const m = { from_registration_id: from.id, from_building_id: from.building_id, to_registration_id: to.id, to_building_id: to.building_id }
  await tx.query(
    `insert into moves (id, resident_id, from_registration_id, from_building_id, to_registration_id, to_building_id, requested_by, created_at, requested_at, due_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)`,
    [id, from.resident_id, from.id, from.building_id, to.id, to.building_id, actor.id, now, dueAfter(ctx, now)])
  await appendLedger(tx, ledgerActor(actor, await buildingRef(tx, from.building_id)), 'move.requested', stayRefs(from), { moveId: id })
  await writeAudit(tx, actor, 'move.requested', { type: 'move', id }, auditDetail(m))
  return id
}

/**
 * The stay `from` has ended (its side deregistered the person, or a move
 * from it took effect). Moves still waiting on it go on to the person's
 * current stay; if the person has none, the oldest of them takes effect
 * (released) and the others wait on it instead.
 */
export async function settleMovesFrom (ctx: RegistryContext, tx: Queryable, actor: Actor, from: StayRef, now: Date): Promise<AllowlistChange[]> {
  const open = (await tx.query<MoveRow>(
    `select * from moves where from_registration_id = $1 and status in ('waiting', 'disputed') order by requested_at, id for update`, [from.id])).rows
  if (open.length === 0) return []
  const changes: AllowlistChange[] = []
  const fromBuilding = await buildingRef(tx, from.building_id)
  let target = (await tx.query<StayRef>(
    `select id, room_id, building_id, resident_id from registrations where resident_id = $1 and status = 'active'`, [from.resident_id])).rows[0]
  let waitingOn = open
  const [first, ...rest] = open
  if (target === undefined && first !== undefined) {
    waitingOn = rest
    const stay = await lockStay(tx, first.to_registration_id)
    const toBuilding = await buildingRef(tx, stay.building_id)
    const change = await activateStay(tx, stay, first.id, now, ledgerActor(actor, toBuilding))
    if (change !== null) changes.push(change)
    await tx.query(`update moves set status = 'released', closed_by = $2, closed_at = $3, close_reason = $4 where id = $1`,
      [first.id, actor.id, now, 'the stay it waited on ended'])
    await appendLedger(tx, ledgerActor(actor, fromBuilding), 'move.released', stayRefs(from), { moveId: first.id })
    await appendLedger(tx, ledgerActor(actor, toBuilding), 'move.released', stayRefs(stay), { moveId: first.id })
    await writeAudit(tx, actor, 'move.released', { type: 'move', id: first.id }, auditDetail(first))
    target = stay
  }
  if (target === undefined) return changes
  const targetBuilding = await buildingRef(tx, target.building_id)
  for (const m of waitingOn) {
    await tx.query(
      `update moves set from_registration_id = $2, from_building_id = $3, status = 'waiting', requested_at = $4, due_at = $5,
         dispute_reason = null, disputed_by = null, disputed_at = null where id = $1`,
      [m.id, target.id, target.building_id, now, dueAfter(ctx, now)])
    const waiting = await lockStay(tx, m.to_registration_id)
    await appendLedger(tx, ledgerActor(actor, fromBuilding), 'move.transferred', stayRefs(from), { moveId: m.id })
    await appendLedger(tx, ledgerActor(actor, targetBuilding), 'move.requested', stayRefs(target), { moveId: m.id })
    await appendLedger(tx, ledgerActor(actor, await buildingRef(tx, waiting.building_id)), 'move.transferred', stayRefs(waiting), { moveId: m.id })
    await writeAudit(tx, actor, 'move.transferred', { type: 'move', id: m.id }, auditDetail(m, { newFromRegistrationId: target.id }))
  }
  return changes
}

/** A step on a move, inside its transaction: the move locked, both buildings, both stays. */
interface Step {
  m: MoveRow
  from: Building
  to: Building
  fromStay: StayRef & { arrived_at: Date }
  toStay: StayRef
  now: Date
  changes: AllowlistChange[]
}

export class Moves {
  constructor (private readonly ctx: RegistryContext) {}

  /** Moves with a side in the actor's scope, newest first; `awaiting`: open ones waiting for the actor's answer (confirm, dispute or decide) now. */
  async list (actor: Actor, filter: { status?: 'open' | 'closed'; awaiting?: boolean; registrationId?: string; limit?: number } = {}): Promise<Move[]> {
    const params: unknown[] = []
    const sees = (column: string): string =>
      `exists (select 1 from buildings b where b.id = m.${column} and ${buildingScope(actor, 'residents.read', 'b', params)})`
    const where = [`(${sees('from_building_id')} or ${sees('to_building_id')})`]
    const open = filter.awaiting === true || filter.status === 'open'
    if (open) where.push(`m.status in ('waiting', 'disputed')`)
    else if (filter.status === 'closed') where.push(`m.status not in ('waiting', 'disputed')`)
    if (filter.registrationId !== undefined) {
      params.push(filter.registrationId)
      where.push(`(m.from_registration_id = $${params.length} or m.to_registration_id = $${params.length})`)
    }
    params.push(Math.min(filter.limit ?? 200, 1000))
    const r = await this.ctx.db.query<MoveRow>(
      `select m.* from moves m where ${where.join(' and ')} order by m.requested_at desc, m.id limit $${params.length}`, params)
    const seen = (await Promise.all(r.rows.map((m) => this.view(actor, m)))).filter((m): m is Move => m !== undefined)
    const moves = filter.awaiting === true ? seen.filter((m) => m.actions.some((a) => a !== 'withdraw')) : seen
    // A listing shows people of both sides: audited once per request, like the registration listings.
    await writeAudit(this.ctx.db, actor, 'moves.list', filter.registrationId === undefined ? null : { type: 'registration', id: filter.registrationId },
      { status: filter.status ?? null, awaiting: filter.awaiting ?? false, returned: moves.length })
    return moves
  }

  /** One move as the actor may see it; the read is audited with the stays it showed. */
  async get (actor: Actor, id: string): Promise<Move> {
    const move = await this.current(actor, id)
    await writeAudit(this.ctx.db, actor, 'move.read', { type: 'move', id },
      { shown: [move.from?.id, move.to?.id].filter((g) => g !== undefined) })
    return move
  }

  /** The move as it is now, as the answer to a step the actor took (audited as that step, not as a read). */
  async current (actor: Actor, id: string): Promise<Move> {
    const r = await this.ctx.db.query<MoveRow>('select * from moves where id = $1', [id])
    const move = r.rows[0] === undefined ? undefined : await this.view(actor, r.rows[0])
    if (move === undefined) throw new Errors.NotFound(`move ${id}`)
    return move
  }

  /** The side the person leaves confirms: their stay there ends (moved) and the waiting registration becomes active. */
  confirm (actor: Actor, id: string, input: { departedAt?: string }): Promise<Move> {
    return this.step(actor, id, 'confirm', (tx, s) => this.moveOut(tx, actor, s, 'confirmed', input.departedAt, null))
  }

  /** The side the person leaves says they did not leave; the jurisdiction of that side decides. */
  dispute (actor: Actor, id: string, input: { reason: string }): Promise<Move> {
    return this.step(actor, id, 'dispute', async (tx, s) => {
      await tx.query(`update moves set status = 'disputed', dispute_reason = $2, disputed_by = $3, disputed_at = $4 where id = $1`,
        [id, input.reason, actor.id, s.now])
      // The reason is the old side's words: the other side's book records only that it was disputed.
      await this.ledgerBoth(tx, actor, s, 'move.disputed', { reason: input.reason }, {})
      await writeAudit(tx, actor, 'move.disputed', { type: 'move', id }, auditDetail(s.m, { reason: input.reason }))
    })
  }

  /** The jurisdiction of the side the person leaves decides a disputed move, or one unanswered past its due time. */
  decide (actor: Actor, id: string, input: { outcome: 'moved' | 'stays'; reason: string; departedAt?: string }): Promise<Move> {
    return this.step(actor, id, 'decide', async (tx, s) => {
      if (input.outcome === 'moved') return this.moveOut(tx, actor, s, 'decided_moved', input.departedAt, input.reason)
      await cancelStay(tx, actor, s.toStay, { reason: 'the move was not confirmed', at: s.now, moveId: id }, ledgerActor(actor, s.to))
      await this.close(tx, actor, s, 'decided_stays', input.reason)
    })
  }

  /** The side that registered the person withdraws the waiting registration. */
  withdraw (actor: Actor, id: string, input: { reason?: string }): Promise<Move> {
    return this.step(actor, id, 'withdraw', async (tx, s) => {
      await cancelStay(tx, actor, s.toStay, { reason: 'withdrawn', at: s.now, moveId: id }, ledgerActor(actor, s.to))
      await this.close(tx, actor, s, 'withdrawn', input.reason ?? null)
    })
  }

  // ---------------------------------------------------------------- internals

  private async view (actor: Actor, m: MoveRow): Promise<Move | undefined> {
    const [from, to] = await Promise.all([buildingRef(this.ctx.db, m.from_building_id), buildingRef(this.ctx.db, m.to_building_id)])
    const seesFrom = can(actor, 'residents.read', from)
    const seesTo = can(actor, 'residents.read', to)
    if (!seesFrom && !seesTo) return undefined
    const [fromReg, toReg] = await Promise.all([
      seesFrom ? loadRegistration(this.ctx.db, m.from_registration_id) : null,
      seesTo ? loadRegistration(this.ctx.db, m.to_registration_id) : null,
    ])
    const now = this.ctx.now()
    return toMove(m, { from: fromReg, to: toReg }, moveActions(actor, m, from, to, now), now)
  }

  /** Runs one step in a transaction once the actor may take it now, publishes what changed, and answers with the move. */
  private async step (actor: Actor, id: string, action: MoveAction, run: (tx: Queryable, s: Step) => Promise<void>): Promise<Move> {
    const changes: AllowlistChange[] = []
    const touched = await this.ctx.db.transaction(async (tx) => {
      const m = (await tx.query<MoveRow>('select * from moves where id = $1 for update', [id])).rows[0]
      if (m === undefined) throw new Errors.NotFound(`move ${id}`)
      const [from, to] = [await buildingRef(tx, m.from_building_id), await buildingRef(tx, m.to_building_id)]
      if (!can(actor, 'residents.read', from) && !can(actor, 'residents.read', to)) throw new Errors.NotFound(`move ${id}`)
      const now = this.ctx.now()
      if (!moveActions(actor, m, from, to, now).includes(action)) throw refusal(actor, m, action, from, to)
      const fromStay = await lockStay(tx, m.from_registration_id)
      const toStay = await lockStay(tx, m.to_registration_id)
      // An open move always waits on an active stay with a pending registration (settleMovesFrom keeps it so).
      if (fromStay.status !== 'active' || toStay.status !== 'pending') throw new Errors.Conflict('this move is being settled; read it again')
      await run(tx, { m, from, to, fromStay, toStay, now, changes })
      return [from.id, to.id]
    })
    for (const c of changes) announceAllowlist(this.ctx.events, c)
    for (const buildingId of new Set(touched)) this.ctx.events.emit('registryChanged', { kind: 'registration', buildingId, id })
    return this.current(actor, id)
  }

  /** The person moved: the old stay ends, the waiting registration becomes active, other moves waiting on the old stay go on to it. */
  private async moveOut (tx: Queryable, actor: Actor, s: Step, status: 'confirmed' | 'decided_moved', departedAtRaw: string | undefined, reason: string | null): Promise<void> {
    const departedAt = departedAtRaw === undefined ? s.now : new Date(departedAtRaw)
    if (departedAt.getTime() > s.now.getTime() + 60_000) throw new Errors.BadRequest('departedAt is in the future')
    if (departedAt.getTime() < s.fromStay.arrived_at.getTime()) {
      throw new Errors.BadRequest(`departedAt is before the start of the stay it ends (${iso(s.fromStay.arrived_at)})`)
    }
    const closed = await closeStay(tx, actor, s.fromStay, { reason: 'moved', at: departedAt, moveId: s.m.id }, ledgerActor(actor, s.from))
    const activated = await activateStay(tx, s.toStay, s.m.id, s.now, ledgerActor(actor, s.to))
    for (const c of [closed, activated]) if (c !== null) s.changes.push(c)
    await this.close(tx, actor, s, status, reason)
    s.changes.push(...await settleMovesFrom(this.ctx, tx, actor, s.fromStay, s.now))
  }

  private async close (tx: Queryable, actor: Actor, s: Step, status: MoveStatus, reason: string | null): Promise<void> {
    await tx.query('update moves set status = $2, closed_by = $3, closed_at = $4, close_reason = $5 where id = $1',
      [s.m.id, status, actor.id, s.now, reason])
    const action: LedgerAction = status === 'confirmed' ? 'move.confirmed' : status === 'withdrawn' ? 'move.withdrawn' : 'move.decided'
    const outcome = status === 'decided_moved' ? { outcome: 'moved' } : status === 'decided_stays' ? { outcome: 'stays' } : {}
    await this.ledgerBoth(tx, actor, s, action, outcome, outcome)
    await writeAudit(tx, actor, action, { type: 'move', id: s.m.id }, auditDetail(s.m, { ...outcome, ...(reason === null ? {} : { reason }) }))
  }

  /** One entry in each building's ledger, each with its own stay and what that side may read. */
  private async ledgerBoth (tx: Queryable, actor: Actor, s: Step, action: LedgerAction, fromDetail: object, toDetail: object): Promise<void> {
    await appendLedger(tx, ledgerActor(actor, s.from), action, stayRefs(s.fromStay), { moveId: s.m.id, ...fromDetail })
    await appendLedger(tx, ledgerActor(actor, s.to), action, stayRefs(s.toStay), { moveId: s.m.id, ...toDetail })
  }
}

/** Why the actor may not take the step now: not theirs (403), or not now (409). */
function refusal (actor: Actor, m: MoveRow, action: MoveAction, from: BuildingRef, to: BuildingRef): Error {
  if (!isOpen(m.status)) return new Errors.Conflict(`this move is already closed (${m.status})`)
  switch (action) {
    case 'confirm':
    case 'dispute':
      if (!can(actor, 'residents.write', from)) return new Errors.Forbidden('only the side of the stay the person leaves confirms or disputes a move')
      return new Errors.Conflict('this move is already disputed; confirm it, or wait for the decision')
    case 'decide':
      if (!can(actor, 'moves.decide', from)) {
        return new Errors.Forbidden('a move is decided by the grid worker or police of the jurisdiction of the address the person leaves')
      }
      return new Errors.Conflict(`the side the person leaves may answer until ${iso(m.due_at)}; a disputed move can be decided at once`)
    case 'withdraw':
      if (!can(actor, 'residents.write', to)) return new Errors.Forbidden('only the side that registered the person withdraws the registration')
      return new Errors.Conflict('this registration cannot be withdrawn now')
  }
}
