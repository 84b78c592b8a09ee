// Daily life: when each resident goes out and comes back. Day workers leave in
// the morning and return in the evening (sometimes going out again), night
// shift workers leave in the evening and return in the morning, people at home
// go out twice a day; at weekends day workers go out in the morning and the
// afternoon. Nobody stays in more than about 21 hours, so a platform that
// flags residents unseen for a day never flags someone who still lives here.
// Every passage is a swipe at a reader (in and out) and, at a door with a
// camera, exactly the people the reader let through.

import type { Calendar } from './calendar.ts'
import { atLocal, DAY, HOUR, isWeekend, localMidnight } from './local-time.ts'
import { BACK_DOOR, MAIN_GATE, type Direction, type PassAction, type PersonSpec, type Routine } from './model.ts'
import type { Rng } from './rng.ts'

/** One person's stay on the site and the credentials they use. */
export interface Life {
  person: PersonSpec
  /** Start of the stay (before the timeline for those living here at the start). */
  from: number
  /** End of the stay (the end of the timeline for those who stay). */
  until: number
  /** Comes in from outside at `from` (a move-in). */
  arrives: boolean
  /** Goes out at `until` and never comes back (leaving, moving out). */
  leaves: boolean
  /** Credential refs by the time they are used from; the latest that started applies. */
  credentials: Array<{ from: number; ref: string }>
}

export function credentialAt (life: Life, t: number): string {
  let ref = life.credentials[0]!.ref
  for (const c of life.credentials) if (c.from <= t) ref = c.ref
  return ref
}

/** Intervals spent outside, [out, in], for the local days touching [from, to]. */
export function outings (routine: Routine, rng: Rng, from: number, to: number): Array<[number, number]> {
  const out: Array<[number, number]> = []
  const add = (day: number, leaveH: number, hours: number): void => {
    const o = atLocal(day, leaveH)
    out.push([o, o + Math.round(hours * HOUR)])
  }
  for (let day = localMidnight(from) - DAY; day <= to; day += DAY) {
    const weekend = isWeekend(day + 12 * HOUR)
    if (routine === 'night') {
      add(day, rng.real(19.5, 21.5), 0) // replaced below: back the next morning
      const last = out[out.length - 1]!
      last[1] = atLocal(day + DAY, rng.real(6.5, 8))
    } else if (routine === 'day' && !weekend) {
      const leave = rng.real(6.8, 9)
      add(day, leave, rng.real(17.5, 20.5) - leave)
      if (rng.chance(0.3)) add(day, rng.real(21, 21.8), rng.real(0.5, 1.5))
    } else {
      // Weekends of day workers, and every day of people at home: a morning and an afternoon out.
      add(day, rng.real(8, 10.5), rng.real(0.4, 1.8))
      add(day, rng.real(14, 17), rng.real(0.7, 2.5))
    }
  }
  return out.sort((a, b) => a[0] - b[0])
}

/**
 * The passages of one life within [start, end]. Doors: mostly the main gate,
 * the back door one time in five, never a door the calendar blocks.
 */
export function passagesOf (life: Life, o: { rng: Rng; calendar: Calendar; start: number; end: number; tag?: string }): PassAction[] {
  const { person } = life
  const passes: PassAction[] = []
  const lo = life.from
  const hi = Math.min(o.end, life.until)
  const trips = outings(person.routine ?? 'day', o.rng, Math.max(o.start, lo), hi)
  let inside = !life.arrives && !trips.some(([out, back]) => out <= lo && lo < back)
  const pass = (at: number, direction: Direction): void => {
    inside = direction === 'in'
    if (at < o.start || at >= o.end) return
    passes.push({
      kind: 'pass', at, tag: o.tag ?? 'routine', person: person.ref, credential: credentialAt(life, at),
      buildingId: person.buildingId, door: chooseDoor(o.rng, o.calendar, person.buildingId, at), direction, crossing: 1,
    })
  }
  if (life.arrives) pass(lo, 'in')
  // A newcomer unpacks for an hour before going out; those already here just go on.
  const settled = life.arrives ? lo + HOUR : lo
  for (const [out, back] of trips) {
    if (back <= settled) continue
    if (out >= hi) break
    if (out > settled && inside) pass(out, 'out')
    else if (out > settled || life.arrives) continue
    if (back >= hi) return passes
    pass(back, 'in')
  }
  if (life.leaves && inside && life.until < o.end) pass(life.until, 'out')
  return passes
}

function chooseDoor (rng: Rng, calendar: Calendar, buildingId: string, at: number): string {
  const first = rng.chance(0.8) ? MAIN_GATE : BACK_DOOR
  const other = first === MAIN_GATE ? BACK_DOOR : MAIN_GATE
  return calendar.blocked(buildingId, first, at) ? other : first
}

/**
 * Who is inside each room, from the passages (a person is inside before their
 * first passage if it is an exit). Used to place visitors without filling a
 * room past its capacity by accident.
 */
export class Presence {
  private readonly byRoom = new Map<string, Array<{ at: number; delta: number }>>()
  private readonly base = new Map<string, number>()

  constructor (private readonly roomOf: (person: string) => string | null) {}

  /** Adds one person's passages (sorted). */
  add (passes: readonly PassAction[], grantedOnly = false): void {
    const first = passes[0]
    if (first === undefined) return
    const room = this.roomOf(first.person)
    if (room === null) return
    if (first.direction === 'out') this.base.set(room, (this.base.get(room) ?? 0) + 1)
    const list = this.byRoom.get(room) ?? []
    for (const p of passes) {
      if (grantedOnly && p.expect === 'denied') continue
      list.push({ at: p.at, delta: p.direction === 'in' ? 1 : -1 })
    }
    list.sort((a, b) => a.at - b.at)
    this.byRoom.set(room, list)
  }

  /** Most people inside the room at any time in [from, to]. */
  peak (roomId: string, from: number, to: number): number {
    let n = this.base.get(roomId) ?? 0
    let peak = 0
    for (const e of this.byRoom.get(roomId) ?? []) {
      if (e.at > to) break
      if (e.at >= from) peak = Math.max(peak, n)
      n += e.delta
      if (e.at >= from) peak = Math.max(peak, n)
    }
    return Math.max(peak, n)
  }

  /** People inside the room at `t`. */
  at (roomId: string, t: number): number {
    let n = this.base.get(roomId) ?? 0
    for (const e of this.byRoom.get(roomId) ?? []) {
      if (e.at > t) break
      n += e.delta
    }
    return n
  }
}
