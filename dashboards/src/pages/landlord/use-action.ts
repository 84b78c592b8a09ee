// One button's call to the platform: busy while it runs, its refusal kept to
// show, and what follows a success.

import { useState } from 'preact/hooks'

export interface Action {
  busy: boolean
  error: unknown
  /** Runs `call`; a refusal is kept in `error` (and shown by the caller), never thrown. */
  run: (call: () => Promise<void>) => Promise<void>
}

export function useAction (): Action {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>()
  const run = async (call: () => Promise<void>): Promise<void> => {
    setBusy(true)
    setError(undefined)
    try {
      await call()
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  return { busy, error, run }
}
