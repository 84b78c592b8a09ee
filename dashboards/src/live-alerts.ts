// The live alerts of the signed-in person's scope: loaded with
// GET /alerts?status=live, kept current from the stream (GET /alerts/stream,
// which the browser opens with the session cookie: no token in the URL), and
// loaded again after every reconnect, since the stream does not replay what
// was missed.

import { useEffect, useRef, useState } from 'preact/hooks'
import type { Alert, AlertStreamEvent } from '../../contract/schemas/alerts.ts'
import { api } from './session.ts'

export interface LiveAlerts {
  alerts: Map<string, Alert>
  connected: boolean
  error: unknown
  /** Alerts that arrived new over the stream, newest last (for sound and notifications). */
  arrivals: Alert[]
}

async function loadLive (): Promise<Map<string, Alert>> {
  const out = new Map<string, Alert>()
  for await (const a of api.alerts({ status: 'live', limit: 500 })) out.set(a.id, a)
  return out
}

export function useLiveAlerts (onArrival?: (a: Alert) => void): LiveAlerts {
  const [state, setState] = useState<LiveAlerts>({ alerts: new Map(), connected: false, error: undefined, arrivals: [] })
  const arrival = useRef(onArrival)
  arrival.current = onArrival
  useEffect(() => {
    let closed = false
    const resync = (): void => {
      loadLive().then(
        (alerts) => { if (!closed) setState((s) => ({ ...s, alerts, error: undefined })) },
        (error: unknown) => { if (!closed) setState((s) => ({ ...s, error })) },
      )
    }
    const source = new EventSource('/alerts/stream')
    source.onopen = () => {
      setState((s) => ({ ...s, connected: true }))
      resync()
    }
    source.onerror = () => setState((s) => ({ ...s, connected: false }))
    source.addEventListener('alert', (e) => {
      const change = JSON.parse((e as MessageEvent<string>).data) as AlertStreamEvent
      setState((s) => {
        const alerts = new Map(s.alerts)
        const known = alerts.has(change.alert.id)
        if (change.alert.status === 'resolved') alerts.delete(change.alert.id)
        else alerts.set(change.alert.id, change.alert)
        if (!known && change.kind === 'opened') arrival.current?.(change.alert)
        return { ...s, alerts, arrivals: change.kind === 'opened' ? [...s.arrivals.slice(-20), change.alert] : s.arrivals }
      })
    })
    return () => {
      closed = true
      source.close()
    }
  }, [])
  return state
}
