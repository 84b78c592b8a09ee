// Loading what a page shows: the value, the error, and a reload.

import { useCallback, useEffect, useRef, useState } from 'preact/hooks'

export interface Data<T> {
  value: T | undefined
  error: unknown
  loading: boolean
  reload: () => void
}

export function useData<T> (load: () => Promise<T>, deps: unknown[]): Data<T> {
  const [state, setState] = useState<{ value: T | undefined; error: unknown; loading: boolean }>({ value: undefined, error: undefined, loading: true })
  const [tick, setTick] = useState(0)
  const latest = useRef(0)
  useEffect(() => {
    const mine = ++latest.current
    setState((s) => ({ ...s, loading: true }))
    load().then(
      (value) => { if (mine === latest.current) setState({ value, error: undefined, loading: false }) },
      (error: unknown) => { if (mine === latest.current) setState((s) => ({ value: s.value, error, loading: false })) },
    )
  }, [...deps, tick])
  const reload = useCallback(() => setTick((n) => n + 1), [])
  return { ...state, reload }
}
