// Visitors with passes the landlord issues (a QR code for a room): ordinary
// visits that never fill a room past its capacity, a cleaner whose pass works
// only in the daytime, parties that do fill a room, and visitors who stay on
// past the visitor limit or the end of their pass.

import { atLocal, DAY, HOUR, localMidnight, MINUTE } from '../local-time.ts'
import { MAIN_GATE, type PersonSpec, type RoomSpec } from '../model.ts'
import { PlanContext } from '../plan-context.ts'
import type { Rng } from '../rng.ts'

interface Visit {
  room: RoomSpec
  in: number
  /** null: leaves without the reader letting them out. */
  out: number | null
  validUntil: number
  tag: string
  story?: string
  windows?: Array<{ days: number[]; from: string; to: string }>
  /** Shows the pass on the way out even though it no longer opens (refused). */
  outRefused?: boolean
}

/** Issues the pass half an hour before and plans the passages. Returns the visitor. */
function visit (ctx: PlanContext, rng: Rng, v: Visit): PersonSpec {
  const who = ctx.cast.person({ role: 'visitor', buildingId: v.room.buildingId, roomId: v.room.id, ...(v.story === undefined ? {} : { story: v.story }) })
  const pass = ctx.cast.credential({
    kind: 'qr', value: `V-${ctx.site.namespace}-${who.ref}-${rng.hex(6)}`, buildingId: v.room.buildingId, roomId: v.room.id,
    holder: who.ref, visitor: true, validUntil: v.validUntil, ...(v.windows === undefined ? {} : { windows: v.windows }),
  })
  ctx.actions.push({ kind: 'visitor-pass', at: v.in - Math.round(rng.real(15, 60) * MINUTE), tag: v.tag, credential: pass.ref })
  ctx.pass({ at: v.in, tag: v.tag, person: who.ref, credential: pass.ref, buildingId: v.room.buildingId, door: MAIN_GATE, direction: 'in' })
  if (v.out !== null) {
    ctx.pass({ at: v.out, tag: v.tag, person: who.ref, credential: pass.ref, buildingId: v.room.buildingId, door: MAIN_GATE, direction: 'out', ...(v.outRefused === true ? { expect: 'denied' as const } : {}) })
  }
  return who
}

/** Rooms with someone living there, whose stays the visitor planners may use. */
function hosts (ctx: PlanContext, rng: Rng, buildingId?: string): RoomSpec[] {
  return rng.shuffle(ctx.buildings.filter((b) => buildingId === undefined || b.id === buildingId).flatMap((b) => b.rooms))
    .filter((r) => r.story === undefined && ctx.residentsOf(r.id).length > 0)
}

/** Ordinary visits in the daytime, each leaving before both the visitor limit and the end of its pass. */
export function planVisits (ctx: PlanContext, perBuildingPerDay: number): void {
  const rng = ctx.random('visits')
  const maxStayMs = ctx.rules.visitorMaxStayH * HOUR
  for (const b of ctx.buildings) {
    for (let day = localMidnight(ctx.start); day < ctx.end; day += DAY) {
      for (let i = 0; i < perBuildingPerDay; i++) {
        const at = atLocal(day, rng.real(10, 18.5))
        const length = Math.round(Math.min(rng.real(0.5, 3.5) * HOUR, 0.6 * maxStayMs))
        if (at < ctx.start + 30 * MINUTE || at + length > ctx.end - 30 * MINUTE) continue
        const presence = ctx.presence()
        const room = hosts(ctx, rng, b.id).find((r) => presence.peak(r.id, at - MINUTE, at + length + MINUTE) + 1 <= r.capacity)
        if (room === undefined) continue
        visit(ctx, rng, { room, in: at, out: at + length, validUntil: at + length + Math.round(rng.real(1, 3) * HOUR), tag: 'routine' })
      }
    }
  }
}

/** A cleaner's pass valid 09:00-17:00: daily visits in the morning, one try in the evening: outside_window. */
export function planCleaner (ctx: PlanContext): void {
  const { label, rng, building: b } = ctx.anomaly('cleaner-window')
  ctx.later.push(() => {
    const presence = ctx.presence()
    const visits: Array<[number, number]> = []
    for (let day = localMidnight(ctx.start); day < ctx.end; day += DAY) {
      const at = atLocal(day, rng.real(9.5, 11))
      if (at > ctx.start + 30 * MINUTE && at + 2 * HOUR < ctx.end) visits.push([at, at + Math.round(rng.real(0.5, 1.5) * HOUR)])
    }
    const room = hosts(ctx, rng, b.id).find((r) => visits.every(([i, o]) => presence.peak(r.id, i - MINUTE, o + MINUTE) + 1 <= r.capacity))
    if (room === undefined || visits.length === 0) return
    room.story = label
    const who = ctx.cast.person({ role: 'visitor', buildingId: b.id, roomId: room.id, story: label, name: 'Cleaner' })
    const pass = ctx.cast.credential({
      kind: 'qr', value: `W-${ctx.site.namespace}-${who.ref}-${rng.hex(6)}`, buildingId: b.id, roomId: room.id, holder: who.ref, visitor: true,
      validUntil: ctx.end + DAY, windows: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '09:00', to: '17:00' }],
    })
    ctx.actions.push({ kind: 'visitor-pass', at: ctx.start + 10 * MINUTE, tag: label, credential: pass.ref })
    for (const [i, o] of visits) {
      ctx.pass({ at: i, tag: label, person: who.ref, credential: pass.ref, buildingId: b.id, door: MAIN_GATE, direction: 'in' })
      ctx.pass({ at: o, tag: label, person: who.ref, credential: pass.ref, buildingId: b.id, door: MAIN_GATE, direction: 'out' })
    }
    const gap = ctx.rules.deniedRunGapS * 1000
    const slot = ctx.book(rng, { buildingId: b.id, label, lengthMs: 2 * gap + 20 * MINUTE, earliest: ctx.start + HOUR, latest: ctx.end - 2 * HOUR, hourOk: PlanContext.hours(19, 22) })
    if (slot === undefined) return
    ctx.pass({ at: slot + gap + 5 * MINUTE, tag: label, person: who.ref, credential: pass.ref, buildingId: b.id, door: MAIN_GATE, direction: 'in', expect: 'denied' })
  })
}

/** Friends come over in the evening while everyone is home: more people of the room inside than its capacity. */
export function planParty (ctx: PlanContext): void {
  const label = ctx.label('party')
  const rng = ctx.random(label)
  const lengthMs = Math.round(Math.min(2 * HOUR, ctx.rules.visitorMaxStayH * HOUR / 2))
  ctx.later.push(() => {
    const presence = ctx.presence()
    // In its own building if a room there is ever full of its residents in the evening, else in the next.
    const buildings = ctx.buildings.map((_, i) => ctx.buildingFor(label, i))
    for (const b of buildings) {
      for (let day = localMidnight(ctx.start + 20 * HOUR); day < ctx.end; day += DAY) {
        const at = atLocal(day, rng.real(20.3, 20.9))
        if (at + lengthMs + HOUR > ctx.end) break
        for (const room of hosts(ctx, rng, b.id)) {
          const home = ctx.residentsOf(room.id).length
          if (presence.at(room.id, at) !== home || presence.peak(room.id, at, at + lengthMs + 20 * MINUTE) !== home) continue
          const guests = room.capacity - home + 1
          if (guests > 4) continue
          if (ctx.book(rng, { buildingId: b.id, label, lengthMs: lengthMs + 30 * MINUTE, earliest: at - 10 * MINUTE, latest: at - 10 * MINUTE }) === undefined) continue
          room.story = label
          for (let g = 0; g < guests; g++) {
            visit(ctx, rng, { room, in: at + g * 2 * MINUTE, out: at + lengthMs + g * 3 * MINUTE, validUntil: at + lengthMs + 3 * HOUR, tag: label, story: label })
          }
          return
        }
      }
    }
  })
}

/**
 * A visitor who stays on: past the visitor limit (`limit`, then leaves
 * normally), or past the end of the pass (`pass`: on the way out the reader
 * refuses the expired pass and they leave by the exit button, unrecorded).
 */
export function planOverstay (ctx: PlanContext, which: 'limit' | 'pass'): void {
  const { label, rng } = ctx.anomaly(`overstay-${which}`)
  const maxStayMs = ctx.rules.visitorMaxStayH * HOUR
  ctx.later.push(() => {
    const presence = ctx.presence()
    const latestIn = ctx.end - (which === 'limit' ? maxStayMs : 0) - 5 * HOUR
    for (let attempt = 0; attempt < 60; attempt++) {
      // In the anomaly's building if it has a room with space, else in the next.
      const b = ctx.buildingFor(label, Math.floor(attempt / 20))
      const at = atLocal(rng.real(ctx.start, Math.max(ctx.start, latestIn)), rng.real(10, 14))
      if (at < ctx.start + HOUR || at > latestIn) continue
      const validUntil = which === 'limit' ? at + maxStayMs + 8 * HOUR : at + Math.round(Math.min(2 * HOUR, maxStayMs / 2))
      const out = which === 'limit' ? at + maxStayMs + Math.round(rng.real(1, 3) * HOUR) : validUntil + 2 * HOUR
      const room = hosts(ctx, rng, b.id).find((r) => presence.peak(r.id, at - MINUTE, which === 'pass' ? ctx.end : out + MINUTE) + 1 <= r.capacity)
      if (room === undefined) continue
      if (which === 'pass') {
        const gap = ctx.rules.deniedRunGapS * 1000
        if (ctx.book(rng, { buildingId: b.id, label, lengthMs: 2 * gap, earliest: out - gap, latest: out - gap }) === undefined) continue
      }
      room.story = label
      visit(ctx, rng, { room, in: at, out, validUntil, tag: label, story: label, outRefused: which === 'pass' })
      return
    }
  })
}
