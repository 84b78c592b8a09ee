// Credentials the platform must refuse: strangers' cards, wrong PINs tried
// over and over, residents trying another building, a lost card found and
// used, temporary codes used after (or before) their validity, a card copied
// and used far away minutes after its holder used it at home.

import { DAY, HOUR, MINUTE } from '../local-time.ts'
import { MAIN_GATE, type CredentialSpec, type PassAction, type PersonSpec } from '../model.ts'
import { leastTravelMs } from '../../../platform/starter.ts'
import { PlanContext } from '../plan-context.ts'
import type { Rng } from '../rng.ts'

/** A quiet slot long enough that denials before and after cannot join a run with this one. */
function quietSlot (ctx: PlanContext, rng: Rng, buildingId: string, label: string, earliest = ctx.start + HOUR, latest = ctx.end - HOUR): number | undefined {
  const gap = ctx.rules.deniedRunGapS * 1000
  const at = ctx.book(rng, { buildingId, label, lengthMs: 2 * gap + 20 * MINUTE, earliest, latest, hourOk: PlanContext.hours(7, 23) })
  return at === undefined ? undefined : at + gap + 5 * MINUTE
}

function stranger (ctx: PlanContext, buildingId: string, story: string): PersonSpec {
  return ctx.cast.person({ role: 'stranger', buildingId, roomId: null, story })
}

/** A card nobody registered, tried once or twice: unknown_credential. */
export function planUnknownCard (ctx: PlanContext): void {
  const { label, rng, building: b } = ctx.anomaly('unknown-card')
  const at = quietSlot(ctx, rng, b.id, label)
  if (at === undefined) return
  const who = stranger(ctx, b.id, label)
  const card = ctx.cast.credential({ kind: 'card', value: ctx.cast.cardValue(), buildingId: b.id, roomId: null, holder: who.ref })
  const tries = rng.int(1, 2)
  for (let i = 0; i < tries; i++) {
    ctx.pass({ at: at + i * 40_000, tag: label, person: who.ref, credential: card.ref, buildingId: b.id, door: MAIN_GATE, direction: 'in', expect: 'denied' })
  }
}

/** The same refused credential five times in a row: repeated_denials (the card's run, or the door's for wrong PINs). */
export function planDenialRun (ctx: PlanContext, kind: 'card' | 'pin'): void {
  const { label, rng, building: b } = ctx.anomaly(kind === 'pin' ? 'wrong-pin-run' : 'card-run')
  const at = quietSlot(ctx, rng, b.id, label)
  if (at === undefined) return
  const who = stranger(ctx, b.id, label)
  const value = kind === 'pin' ? String(rng.int(1000, 99_999_999)) : ctx.cast.cardValue()
  const cred = ctx.cast.credential({ kind, value, buildingId: b.id, roomId: null, holder: who.ref })
  let t = at
  for (let i = 0; i < ctx.rules.deniedInARow; i++) {
    ctx.pass({ at: t, tag: label, person: who.ref, credential: cred.ref, buildingId: b.id, door: MAIN_GATE, direction: 'in', expect: 'denied' })
    t += rng.int(15, 45) * 1000
  }
}

/** A resident tries their card at a neighbouring building's gate (one they can walk to): foreign_credential. */
export function planForeignCard (ctx: PlanContext): void {
  if (ctx.buildings.length < 2) return
  const a = ctx.anomaly('foreign-card')
  const { label, rng } = a
  const others = ctx.buildings.filter((b) => b.id !== a.building.id)
  const near = others.filter((b) => leastTravelMs(a.building.location, b.location, ctx.rules).ms < MINUTE)
  const choice = near.length > 0 ? near : others
  const there = choice[rng.int(0, choice.length - 1)]!
  const p = ctx.enlist(a)
  if (p === undefined) return
  const at = quietSlot(ctx, rng, there.id, label)
  if (at === undefined) return
  const card = ctx.lives.get(p.ref)!.credentials[0]!.ref
  ctx.pass({ at, tag: label, person: p.ref, credential: card, buildingId: there.id, door: MAIN_GATE, direction: 'in', expect: 'denied' })
}

/**
 * A resident's card is copied: a few minutes after the resident uses it at
 * home, someone presents the copy at the main gate of a building in the other
 * neighbourhood, farther than anyone travels in that time. The reader there
 * refuses it (a card of another building): foreign_credential there, and
 * impossible_travel at the resident's building.
 */
export function planClonedCard (ctx: PlanContext): void {
  const a = ctx.anomaly('cloned-card')
  const { label, rng, building: home } = a
  const far = ctx.buildings.filter((b) => leastTravelMs(home.location, b.location, ctx.rules).ms >= 10 * MINUTE)
  if (far.length === 0) return
  const there = far[rng.int(0, far.length - 1)]!
  const p = ctx.enlist(a)
  if (p === undefined) return
  ctx.later.push(() => {
    const gap = ctx.rules.deniedRunGapS * 1000
    for (const pass of rng.shuffle(ctx.passes.get(p.ref) ?? [])) {
      if (pass.buildingId !== home.id || pass.at < ctx.start + HOUR || pass.at > ctx.end - HOUR) continue
      const at = pass.at + rng.int(1, 5) * MINUTE
      // A quiet slot at the far gate, so that no denial of another anomaly makes a run with this one.
      if (ctx.book(rng, { buildingId: there.id, label, lengthMs: 2 * gap, earliest: at - gap, latest: at - gap, hourOk: PlanContext.hours(7, 23) }) === undefined) continue
      const copier = stranger(ctx, there.id, label)
      ctx.pass({ at, tag: label, person: copier.ref, credential: pass.credential, buildingId: there.id, door: MAIN_GATE, direction: 'in', expect: 'denied' })
      return
    }
  })
}

/**
 * A resident loses their card while out: the landlord revokes it and issues a
 * new one before they come back; later someone who found it tries it at the
 * gate: expired_credential (revoked).
 */
export function planLostCard (ctx: PlanContext): void {
  const a = ctx.anomaly('lost-card')
  const { label, rng, building: b } = a
  const p = ctx.enlist(a)
  if (p === undefined) return
  const old = ctx.lives.get(p.ref)!.credentials[0]!.ref
  const fresh = ctx.cast.card(p)
  ctx.later.push(() => {
    const passes = ctx.passes.get(p.ref) ?? []
    for (let i = 0; i + 1 < passes.length; i++) {
      const out = passes[i]!
      const back = passes[i + 1]!
      if (out.direction !== 'out' || back.at - out.at < 2 * HOUR || out.at < ctx.start + HOUR || out.at > ctx.end - DAY / 2) continue
      const lostAt = ctx.book(rng, { buildingId: b.id, label, lengthMs: 30 * MINUTE, earliest: out.at + 20 * MINUTE, latest: back.at - HOUR })
      if (lostAt === undefined) continue
      ctx.actions.push({ kind: 'revoke', at: lostAt + 5 * MINUTE, tag: label, credential: old })
      ctx.actions.push({ kind: 'issue', at: lostAt + 10 * MINUTE, tag: label, credential: fresh.ref })
      for (const later of passes.slice(i + 1)) later.credential = fresh.ref
      const foundAt = quietSlot(ctx, rng, b.id, `${label}/found`, lostAt + 2 * HOUR, Math.min(lostAt + 1.5 * DAY, ctx.end - HOUR))
      if (foundAt === undefined) return
      const finder = stranger(ctx, b.id, label)
      ctx.pass({ at: foundAt, tag: label, person: finder.ref, credential: old, buildingId: b.id, door: MAIN_GATE, direction: 'in', expect: 'denied' })
      return
    }
  })
}

/**
 * A resident holds a second, temporary code (a QR) besides their card:
 * `expired` ends its validity during the run, `early` starts it after the run.
 * Once, on the way in, they show it first (refused: expired_credential), then their card.
 */
export function planTemporaryCode (ctx: PlanContext, which: 'expired' | 'early'): void {
  const a = ctx.anomaly(`${which}-pass`)
  const { label, rng, building: b } = a
  const p = ctx.enlist(a)
  if (p === undefined) return
  const issuedAt = Math.round(rng.real(ctx.start + 30 * MINUTE, ctx.start + 3 * HOUR))
  const spec: Omit<CredentialSpec, 'ref'> = { kind: 'qr', value: `Q-${ctx.site.namespace}-${label.replace('#', '')}`, buildingId: b.id, roomId: p.roomId, holder: p.ref }
  if (which === 'expired') spec.validUntil = issuedAt + Math.round(rng.real(3, 8) * HOUR)
  else spec.validFrom = ctx.end + 2 * DAY
  const code = ctx.cast.credential(spec)
  ctx.actions.push({ kind: 'issue', at: issuedAt, tag: label, credential: code.ref })
  ctx.later.push(() => {
    const after = (spec.validUntil ?? issuedAt) + HOUR
    for (const pass of rng.shuffle(ctx.passes.get(p.ref) ?? [])) {
      if (pass.direction !== 'in' || pass.at < after) continue
      if (ctx.book(rng, { buildingId: b.id, label, lengthMs: 2 * ctx.rules.deniedRunGapS * 1000, earliest: pass.at - ctx.rules.deniedRunGapS * 1000, latest: pass.at - ctx.rules.deniedRunGapS * 1000 }) === undefined) continue
      tryFirst(ctx, pass, code.ref, label)
      return
    }
  })
}

/** The person shows `credential` a minute before `pass` (refused), then goes on with their own. */
function tryFirst (ctx: PlanContext, pass: PassAction, credential: string, label: string): void {
  ctx.pass({ at: pass.at - MINUTE, tag: label, person: pass.person, credential, buildingId: pass.buildingId, door: pass.door, direction: 'in', expect: 'denied' })
}
