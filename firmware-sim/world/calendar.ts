// When each building's anomalies happen. Every anomaly books a slot in its
// building's calendar; slots of one building never overlap, so one anomaly
// does not blur into another (two denials a minute apart would make a run, a
// held-open door would be closed by a grant). A slot may block a door: the
// residents' routines take the other door while it lasts.

import type { Rng } from './rng.ts'

export interface Slot {
  buildingId: string
  from: number
  to: number
  label: string
  /** Door residents must not use during the slot. */
  blocks?: string
}

export class Calendar {
  private readonly slots: Slot[] = []

  /**
   * Books `lengthMs` in the building, starting somewhere in [earliest, latest]
   * (and, when given, at a local hour accepted by `hourOk`). Returns the start,
   * or undefined when no free place was found.
   */
  book (
    rng: Rng, s: { buildingId: string; label: string; lengthMs: number; earliest: number; latest: number; blocks?: string; hourOk?: (t: number) => boolean },
  ): number | undefined {
    if (s.latest < s.earliest) return undefined
    for (let attempt = 0; attempt < 200; attempt++) {
      const from = Math.round(rng.real(s.earliest, s.latest))
      const to = from + s.lengthMs
      if (s.hourOk !== undefined && !s.hourOk(from)) continue
      if (this.slots.some((x) => x.buildingId === s.buildingId && x.from < to && from < x.to)) continue
      const slot: Slot = { buildingId: s.buildingId, from, to, label: s.label }
      if (s.blocks !== undefined) slot.blocks = s.blocks
      this.slots.push(slot)
      return from
    }
    return undefined
  }

  /** Whether a door of the building is blocked at `t`. */
  blocked (buildingId: string, door: string, t: number): boolean {
    return this.slots.some((x) => x.buildingId === buildingId && x.blocks === door && x.from <= t && t < x.to)
  }

  /** Whether anything is booked in the building around `t` (± `marginMs`). */
  busy (buildingId: string, t: number, marginMs = 0): boolean {
    return this.slots.some((x) => x.buildingId === buildingId && x.from - marginMs <= t && t < x.to + marginMs)
  }

  all (): readonly Slot[] {
    return this.slots
  }
}
