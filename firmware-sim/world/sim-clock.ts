// The simulation clock: real time until the world starts, then `speed` times
// faster. It is a pure function of the real clock (piecewise linear), so the
// platform, the devices and the world all read the same time, and the scorer
// can map the platform's system-clock timestamps back to sim time.

export interface ClockSegment {
  /** Real time (ms since the epoch) the segment starts at. */
  real: number
  /** Sim time at that instant. */
  sim: number
  speed: number
}

export class SimClock {
  private readonly segments: ClockSegment[]

  constructor (private readonly realNow: () => number = Date.now, segments?: ClockSegment[]) {
    this.segments = segments?.map((s) => ({ ...s })) ?? [{ real: realNow(), sim: realNow(), speed: 1 }]
  }

  /** Sim time now. */
  now (): number {
    return this.simAt(this.realNow())
  }

  get speed (): number {
    return this.segments[this.segments.length - 1]!.speed
  }

  /**
   * From this instant on, sim time runs `speed` times faster than real time,
   * from `jumpTo` if given (only forward). Returns the sim time of the switch.
   */
  setSpeed (speed: number, jumpTo?: number): number {
    if (!(speed > 0)) throw new Error(`speed must be positive, got ${speed}`)
    const real = this.realNow()
    const sim = Math.max(this.simAt(real), jumpTo ?? -Infinity)
    this.segments.push({ real, sim, speed })
    return sim
  }

  /** Sim time at a real instant (the segments in force then). */
  simAt (real: number): number {
    const s = this.segmentAt(real, 'real')
    return s.sim + (real - s.real) * s.speed
  }

  /** Real instant a sim time is (or will be) reached, at the current speed for the future. */
  realAt (sim: number): number {
    const s = this.segmentAt(sim, 'sim')
    return s.real + (sim - s.sim) / s.speed
  }

  /** Resolves once the sim clock reaches `sim`. */
  async sleepUntil (sim: number): Promise<void> {
    for (;;) {
      const waitMs = this.realAt(sim) - this.realNow()
      if (waitMs <= 0) return
      await new Promise((resolve) => setTimeout(resolve, Math.min(waitMs, 1000)))
    }
  }

  history (): ClockSegment[] {
    return this.segments.map((s) => ({ ...s }))
  }

  private segmentAt (t: number, by: 'real' | 'sim'): ClockSegment {
    let found = this.segments[0]!
    for (const s of this.segments) if (s[by] <= t) found = s
    return found
  }
}
