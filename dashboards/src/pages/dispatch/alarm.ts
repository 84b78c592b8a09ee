// Sound and a browser notification for a new major or critical alert. The
// tone is made in the page (Web Audio), so no sound file is fetched.

import type { Alert } from '../../../../contract/schemas/alerts.ts'
import { t } from '../../i18n/index.ts'

let audio: AudioContext | undefined

function beep (critical: boolean): void {
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
