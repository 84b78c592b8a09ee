// Waiting in integration tests for what settles asynchronously (a broker's
// view of a connection, a message on its way), without fixed sleeps.

/** Resolves once `check` answers true (polled every 10 ms); rejects after `timeoutMs` naming `what`. */
export async function until (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`${what}: not so within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
