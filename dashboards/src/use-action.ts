// What a button or form of a console runs: busy while it runs, and the
// refusal kept to be shown in words (never thrown).

import { useState } from 'preact/hooks'

export interface Action {
  busy: boolean
  error: unknown
  run: (action: () => Promise<void>) => Promise<void>
  /** For a form's onSubmit: no page load, then `action`. */
  submit: (action: () => Promise<void>) => (e: Event) => void
}

export function useAction (): Action {
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const run = async (action: () => Promise<void>): Promise<void> => {
    setBusy(true)
    setError(undefined)
    try {
      await action()
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  const submit = (action: () => Promise<void>) => (e: Event): void => {
    e.preventDefault()
    void run(action)
  }
  return { busy, error, run, submit }
}
