// Sound and a browser notification for a new major or critical alert, and a
// reminder every 30 s while a critical alert is still unacknowledged. The
// tone is made in the page (Web Audio), so no sound file is fetched.

import { useEffect, useRef, useState } from 'preact/hooks'
import type { Alert } from '../../../../contract/schemas/alerts.ts'
import { t } from '../../i18n/index.ts'

let audio: AudioContext | undefined

/** Tones played, for the browser tests (a headless browser has no speaker to listen to). */
const played = { major: 0, critical: 0 }
;(globalThis as { rhAlarms?: typeof played }).rhAlarms = played

function beep (critical: boolean): void {
  played[critical ? 'critical' : 'major']++
  try {
    audio ??= new AudioContext()
    const o = audio.createOscillator()
    const g = audio.createGain()
    o.frequency.value = critical ? 880 : 660
    g.gain.value = 0.15
    o.connect(g).connect(audio.destination)
    const end = audio.currentTime + (critical ? 0.9 : 0.4)
    o.start()
    o.stop(end)
  } catch {
    // No sound device: the row and the notification still show it.
  }
}

export function alarm (a: Alert, buildingName: string, notify: boolean): void {
  beep(a.severity === 'critical')
  if (notify && typeof Notification !== 'undefined' && Notification.permission === 'granted') {
    const n = new Notification(`${t(`severity.${a.severity}`)} · ${t(`alertType.${a.type}`)}`, { body: buildingName, tag: a.id })
    n.onclick = () => { focus(); location.hash = `/dispatch/alerts/${encodeURIComponent(a.id)}` }
  }
}

export const REMINDER_MS = 30_000
const MUTE_KEY = 'rh.dispatch.muted'

function savedMute (): boolean {
  try { return globalThis.localStorage?.getItem(MUTE_KEY) === '1' } catch { return false }
}

/**
 * Sounds again every 30 s while an alert of `alerts` is critical and still
 * open (nobody acknowledged it), unless muted; the mute is remembered in the
 * browser. A new alert still sounds once when muted: only the reminder stops.
 */
export function useCriticalReminder (alerts: Iterable<Alert>): { waiting: number; muted: boolean; setMuted: (m: boolean) => void } {
  const [muted, setMutedState] = useState(savedMute())
  let waiting = 0
  for (const a of alerts) if (a.severity === 'critical' && a.status === 'open') waiting++
  const state = useRef({ waiting, muted })
  state.current = { waiting, muted }
  useEffect(() => {
    const timer = setInterval(() => {
      if (state.current.waiting > 0 && !state.current.muted) beep(true)
    }, REMINDER_MS)
    return () => clearInterval(timer)
  }, [])
  const setMuted = (m: boolean): void => {
    setMutedState(m)
    try { globalThis.localStorage?.setItem(MUTE_KEY, m ? '1' : '0') } catch {}
  }
  return { waiting, muted, setMuted }
}
