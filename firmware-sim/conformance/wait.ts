// Waiting in the kit: for a condition, until a real-time limit or a time on
// the kit's clock (which may be a simulation clock running faster).

export interface WaitLimit {
  /** Give up after this many real milliseconds. */
  realMs?: number
  /** Give up once the kit's clock reaches this time. */
  until?: number
  clock?: () => number
}

const POLL_MS = 10

/** Resolves true once `ready()` holds, false when a limit is reached first. */
export async function waitFor (ready: () => boolean, limit: WaitLimit): Promise<boolean> {
  const realEnd = limit.realMs === undefined ? Infinity : Date.now() + limit.realMs
  for (;;) {
    if (ready()) return true
    if (Date.now() >= realEnd) return false
    if (limit.until !== undefined && limit.clock !== undefined && limit.clock() >= limit.until) return false
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
}

/** Resolves once the kit's clock reaches `until`. */
export async function sleepUntil (until: number, clock: () => number): Promise<void> {
  await waitFor(() => clock() >= until, {})
}
