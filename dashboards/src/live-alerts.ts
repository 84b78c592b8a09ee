// The live alerts of the signed-in person's scope: loaded with
// GET /alerts?status=live, kept current from the stream (GET /alerts/stream,
// which the browser opens with the session cookie: no token in the URL), and
// loaded again after every reconnect, since the stream does not replay what
// was missed.
//
// A reload takes a moment; what the stream says meanwhile is newer than the
// list and wins (mergeResync). Only an alert the stream announces as opened
// sounds, once: one the reload finds was missed while disconnected, and is
// no news any more. A session that ended (the stream refused with 401) goes
// back to sign-in instead of reconnecting for ever.

import { useEffect, useRef, useState } from 'preact/hooks'
import type { Alert, AlertStreamClose, AlertStreamEvent } from '../../contract/schemas/alerts.ts'
import { ApiError, api, markSessionEnded } from './session.ts'

export interface LiveAlerts {
  alerts: Map<string, Alert>
  connected: boolean
  error: unknown
  /** Alerts that arrived new over the stream, newest last (for sound and notifications). */
  arrivals: Alert[]
}

/** Whether `a` is a later state of an alert than `b` (the platform's `updatedAt`; a tie goes to `a`). */
function newer (a: Alert, b: Alert): boolean {
  return Date.parse(a.updatedAt) >= Date.parse(b.updatedAt)
}

/** The live alerts after one stream change: an upsert, or a removal once resolved; an older state than the one held is ignored. */
export function applyChange (alerts: ReadonlyMap<string, Alert>, change: Alert): Map<string, Alert> {
  const out = new Map(alerts)
  const held = out.get(change.id)
  if (held !== undefined && !newer(change, held)) return out
  if (change.status === 'resolved') out.delete(change.id)
  else out.set(change.id, change)
  return out
}

/**
 * The live alerts after a reload: the list as loaded, with every stream change
 * that arrived while it loaded laid over it where it is as new or newer (by
 * `updatedAt`): an alert opened meanwhile is kept, one resolved meanwhile stays
 * gone, a later state is not overwritten by the list's older one. What the
 * console held before and neither the list nor the stream has is gone (it was
 * resolved while the stream was down).
 */
export function mergeResync (loaded: ReadonlyMap<string, Alert>, streamedDuringLoad: Iterable<Alert>): Map<string, Alert> {
  let out = new Map(loaded)
  for (const change of streamedDuringLoad) out = applyChange(out, change)
  return out
}

/** Whether a stream change is news to sound for: an `opened` change not sounded before (`sounded` remembers it). */
export function isArrival (change: AlertStreamEvent, sounded: Set<string>): boolean {
  if (change.kind !== 'opened' || sounded.has(change.alert.id)) return false
  sounded.add(change.alert.id)
  return true
}

async function loadLive (): Promise<Map<string, Alert>> {
  const out = new Map<string, Alert>()
  for await (const a of api.alerts({ status: 'live', limit: 500 })) out.set(a.id, a)
  return out
}

/** The session is gone: show the sign-in page (a fresh start asks GET /auth/session, which answers 401). */
function backToSignIn (): void {
  markSessionEnded()
  location.reload()
}

const RETRY_MS = [1000, 3000, 10_000, 30_000]

export function useLiveAlerts (onArrival?: (a: Alert) => void): LiveAlerts {
  const [state, setState] = useState<LiveAlerts>({ alerts: new Map(), connected: false, error: undefined, arrivals: [] })
  const arrival = useRef(onArrival)
  arrival.current = onArrival
  useEffect(() => {
    let closed = false
    let source: EventSource | undefined
    let retry: ReturnType<typeof setTimeout> | undefined
    let failures = 0
    const sounded = new Set<string>()
    /** The stream changes received while each reload in flight loads. */
    const loads = new Set<Alert[]>()

    /** A 401: the session ended; anything else is a fault to show and get over. */
    const failed = (error: unknown): void => {
      if (closed) return
      if (error instanceof ApiError && error.status === 401) {
        closed = true
        source?.close()
        backToSignIn()
        return
      }
      setState((s) => ({ ...s, error }))
    }

    const resync = (): void => {
      const streamed: Alert[] = []
      loads.add(streamed)
      loadLive().then(
        (loaded) => {
          loads.delete(streamed)
          if (!closed) setState((s) => ({ ...s, alerts: mergeResync(loaded, streamed), error: undefined }))
        },
        (error: unknown) => {
          loads.delete(streamed)
          failed(error)
        },
      )
    }

    /** The browser gave the stream up (a refusal, not a dropped line): is the session still there? */
    const givenUp = (): void => {
      source?.close()
      api.request('GET /auth/session').then(
        () => {
          if (closed) return
          const wait = RETRY_MS[Math.min(failures++, RETRY_MS.length - 1)]!
          retry = setTimeout(connect, wait)
        },
        failed,
      )
    }

    const connect = (): void => {
      if (closed) return
      const es = new EventSource('/alerts/stream')
      source = es
      es.onopen = () => {
        failures = 0
        setState((s) => ({ ...s, connected: true }))
        resync()
      }
      es.onerror = () => {
        setState((s) => ({ ...s, connected: false }))
        // CONNECTING: the browser reconnects by itself; CLOSED: it was refused (401, 403, 429, 503).
        if (es.readyState === EventSource.CLOSED) givenUp()
      }
      es.addEventListener('close', (e) => {
        const { reason } = JSON.parse((e as MessageEvent<string>).data) as AlertStreamClose
        if (reason === 'session_ended') givenUp()
      })
      es.addEventListener('alert', (e) => {
        const change = JSON.parse((e as MessageEvent<string>).data) as AlertStreamEvent
        for (const streamed of loads) streamed.push(change.alert)
        const news = isArrival(change, sounded)
        if (news) arrival.current?.(change.alert)
        setState((s) => ({
          ...s,
          alerts: applyChange(s.alerts, change.alert),
          arrivals: news ? [...s.arrivals.slice(-20), change.alert] : s.arrivals,
        }))
      })
    }

    connect()
    return () => {
      closed = true
      clearTimeout(retry)
      source?.close()
    }
  }, [])
  return state
}
