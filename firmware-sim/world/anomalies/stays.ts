// Arrivals and departures: tenants moving in and out through the landlord
// (routine), a tenant who leaves without being deregistered, a former tenant
// trying their old card, a room registered past its capacity, a permit that
// runs out while its holder still lives here.

import { DAY, HOUR, localDate, MINUTE } from '../local-time.ts'
import { MAIN_GATE } from '../model.ts'
import { PlanContext } from '../plan-context.ts'

/** Left for good, still registered: not seen for notSeenDays, then (alone in the room) vacant. */
export function planLeaves (ctx: PlanContext): void {
  const a = ctx.anomaly('leaves')
  const { label, rng } = a
  const p = ctx.enlist(a)
  if (p === undefined) return
  const earliest = ctx.start + 2 * HOUR
  const latest = Math.max(earliest, ctx.end - ctx.rules.notSeenDays * DAY - 3 * HOUR)
  const life = ctx.lives.get(p.ref)!
  life.until = Math.round(rng.real(earliest, latest))
  life.leaves = true
  if (ctx.residentsOf(p.roomId!).length === 1) ctx.room(p.roomId!).story ??= label
}

/** Moves out properly: goes out for the last time, the landlord deregisters them. Returns who and when. */
export function planMoveOut (ctx: PlanContext, tag = 'move-out'): { person: string; at: number } | undefined {
  const a = ctx.anomaly(tag)
  const { label, rng } = a
  const p = ctx.enlist(a)
  if (p === undefined) return undefined
  const life = ctx.lives.get(p.ref)!
  life.until = Math.round(rng.real(ctx.start + 3 * HOUR, ctx.start + (ctx.end - ctx.start) * 0.4))
  life.leaves = true
  ctx.actions.push({ kind: 'deregister', at: life.until + 20 * MINUTE, tag: label, person: p.ref })
  if (ctx.residentsOf(p.roomId!).length === 1) ctx.room(p.roomId!).story ??= label
  return { person: p.ref, at: life.until + 20 * MINUTE }
}

/** A former tenant comes back and tries their old card at the main gate: expired_credential (deregistered). */
export function planDepartedCard (ctx: PlanContext): void {
  const gone = planMoveOut(ctx, 'departed-card')
  if (gone === undefined) return
  const p = ctx.person(gone.person)
  const label = p.story!
  const rng = ctx.random(`${label}/return`)
  const at = ctx.book(rng, {
    buildingId: p.buildingId, label, lengthMs: 30 * MINUTE, earliest: gone.at + 2 * HOUR, latest: Math.min(gone.at + 36 * HOUR, ctx.end - 2 * HOUR),
    hourOk: PlanContext.hours(9, 22),
  })
  if (at === undefined) return
  const card = ctx.lives.get(p.ref)!.credentials[0]!.ref
  ctx.pass({ at: at + 10 * MINUTE, tag: label, person: p.ref, credential: card, buildingId: p.buildingId, door: MAIN_GATE, direction: 'in', expect: 'denied' })
}

/** A newcomer moves into a room with space (routine). */
export function planMoveIn (ctx: PlanContext): void {
  const { label, rng, building: b } = ctx.anomaly('move-in')
  const room = rng.shuffle(b.rooms).find((r) => r.story === undefined && ctx.residentsOf(r.id).length < r.capacity && ctx.residentsOf(r.id).length > 0)
  if (room === undefined) return
  const p = ctx.cast.person({ role: 'resident', buildingId: b.id, roomId: room.id, routine: 'day' })
  ctx.moveIn(p, ctx.cast.card(p), Math.round(rng.real(ctx.start + 2 * HOUR, ctx.start + (ctx.end - ctx.start) * 0.5)), label)
}

/** The landlord registers tenants into a full room: overcrowding by registration, and by presence when all are in. */
export function planOverRegistered (ctx: PlanContext): void {
  const { label, rng, building: b } = ctx.anomaly('over-registered')
  const room = rng.shuffle(b.rooms)
    .filter((r) => r.story === undefined && ctx.residentsOf(r.id).length > 0 && ctx.residentsOf(r.id).every((p) => p.story === undefined))
    .sort((x, y) => (x.capacity - ctx.residentsOf(x.id).length) - (y.capacity - ctx.residentsOf(y.id).length))[0]
  if (room === undefined) return
  room.story = label
  const at = Math.round(rng.real(ctx.start + 2 * HOUR, ctx.start + Math.max(3 * HOUR, (ctx.end - ctx.start) * 0.4)))
  const extra = room.capacity - ctx.residentsOf(room.id).length + 1
  for (let i = 0; i < extra; i++) {
    const p = ctx.cast.person({ role: 'resident', buildingId: b.id, roomId: room.id, routine: 'day', story: label })
    ctx.moveIn(p, ctx.cast.card(p), at + i * 15 * MINUTE, label)
  }
}

/** A residence permit that ends during the run: every passage after it is expired_credential, and denied (the allow-list carries the permit's end). */
export function planExpiredPermit (ctx: PlanContext): void {
  const p = ctx.enlist(ctx.anomaly('expired-permit'))
  if (p === undefined) return
  ctx.permits.set(p.ref, localDate(ctx.start + 6 * HOUR))
}
