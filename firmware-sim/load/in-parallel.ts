// A bounded number of calls in flight, for the load tools; and how long one
// call may take before the run gives up on it.

/** Passed as ApiClient's timeoutMs by the load and bench tools. */
export const LOAD_CALL_TIMEOUT_MS = 60_000

/** Runs `f` over `items` with at most `limit` calls in flight; results in order. */
export async function inParallel<I, O> (items: readonly I[], limit: number, f: (item: I, index: number) => Promise<O>): Promise<O[]> {
  const out = new Array<O>(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      out[i] = await f(items[i]!, i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return out
}
