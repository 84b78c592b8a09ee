// My alerts: the live alerts of the grid worker's area as large cards, the
// most severe and then the newest first, each with what happened in words,
// where, how long it has been open, and acknowledging with a note.
//
// The list is fed by `useLiveAlerts` (everything live in the area); what is
// assigned to the worker is on the tasks page (tasks-page.tsx), with the same
// cards.

import type { ComponentChildren } from 'preact'
import { useEffect, useMemo, useState } from 'preact/hooks'
import type { Alert } from '../../../../contract/schemas/alerts.ts'
import type { Building } from '../../../../contract/schemas/registry.ts'
import { severityRank } from '../../../../contract/vocabulary.ts'
import { alertText } from '../../alert-text.ts'
import { ErrorText } from '../../components/error-text.tsx'
import { formatDateTime, formatDuration } from '../../format.ts'
import { t } from '../../i18n/index.ts'
import { useLiveAlerts } from '../../live-alerts.ts'
import { href } from '../../router.ts'
import { api } from '../../session.ts'
import { useData } from '../../use-data.ts'

export function AlertsPage () {
  const live = useLiveAlerts()
  const buildings = useData(async () => new Map((await api.request('GET /buildings')).map((b) => [b.id, b])), [])
  const alerts = useMemo(() => [...live.alerts.values()]
    .sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || b.createdAt.localeCompare(a.createdAt)), [live.alerts])
  return (
    <section>
      <h1>{t('grid.alerts.title')} <span class='count'>{alerts.length}</span></h1>
      <p class={live.connected ? 'live ok' : 'live lost'} role='status'>{live.connected ? t('live.connected') : t('live.reconnecting')}</p>
      <ErrorText error={live.error} />
      <AlertCards alerts={alerts} buildings={buildings.value} />
    </section>
  )
}

export function AlertCards ({ alerts, buildings }: { alerts: Alert[]; buildings: Map<string, Building> | undefined }) {
  const now = useNow()
  if (alerts.length === 0) return <p class='grid-empty'>{t('grid.alerts.none')}</p>
  return (
    <ul class='grid-cards'>
      {alerts.map((a) => <li key={a.id}><AlertCard alert={a} building={buildings?.get(a.buildingId)} now={now} /></li>)}
    </ul>
  )
}

/** The time now, moved on every 15 s (the cards' "… ago"). */
export function useNow (): number {
  const [now, setNow] = useState(Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 15_000)
    return () => clearInterval(timer)
  }, [])
  return now
}

export function AlertCard ({ alert: a, building, now, children }: { alert: Alert; building: Building | undefined; now: number; children?: ComponentChildren }) {
  const title = t(`alertType.${a.type}`)
  return (
    <article class={`grid-card sev-card sev-${a.severity}`} aria-label={title} data-alert-id={a.id}>
      <header>
        <span class={`sev-badge sev-${a.severity}`}>{t(`severity.${a.severity}`)}</span>
        <h2>{title}{a.count > 1 && <span class='muted'> ×{a.count}</span>}</h2>
        <span class='badge'>{t(`alertStatus.${a.status}`)} · {t(`alertStage.${a.stage}`)}</span>
      </header>
      <p class='grid-explanation'>{alertText(a, building?.timeZone)}</p>
      <dl class='grid-facts'>
        <dt>{t('grid.alert.where')}</dt>
        <dd>
          {building?.name ?? a.buildingId}
          {a.door !== null && <span class='muted'> · {a.door}</span>}
          {building !== undefined && <><br /><span class='muted'>{building.address}</span></>}
        </dd>
        <dt>{t('grid.alert.age')}</dt>
        <dd><time dateTime={a.createdAt} title={formatDateTime(a.createdAt, building?.timeZone)}>{t('grid.alert.ago', { age: formatDuration(now - Date.parse(a.createdAt)) })}</time></dd>
      </dl>
      {a.status === 'acknowledged' && (
        <p class='muted'>{t('grid.alert.acknowledgedAt', { at: formatDateTime(a.acknowledgedAt, building?.timeZone) })}</p>
      )}
      {/* A grid worker acts on an alert once dispatch assigns it to them (assigning acknowledges it): on its page. */}
      <div class='grid-buttons'>
        <a class='button primary' href={href(`/grid/alerts/${encodeURIComponent(a.id)}`)}>{t('grid.alert.details')}</a>
      </div>
      {children}
    </article>
  )
}
