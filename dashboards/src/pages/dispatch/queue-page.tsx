// The dispatcher's live queue: every live alert of the jurisdiction, the most
// severe first and the newest first within a severity, filtered by what the
// dispatcher picks; a new major or critical alert sounds and notifies.

import { useEffect, useMemo, useState } from 'preact/hooks'
import type { Alert } from '../../../../contract/schemas/alerts.ts'
import { ALERT_STATUSES, ALERT_TYPES, SEVERITIES, severityRank, type Severity } from '../../../../contract/vocabulary.ts'
import { ErrorText } from '../../components/error-text.tsx'
import { t } from '../../i18n/index.ts'
import { useLiveAlerts } from '../../live-alerts.ts'
import { api } from '../../session.ts'
import { useData } from '../../use-data.ts'
import { AlertRow } from './alert-row.tsx'
import { alarm } from './alarm.ts'

export function QueuePage ({ base = '/dispatch' }: { base?: string }) {
  const [now, setNow] = useState(Date.now())
  const [minSeverity, setMinSeverity] = useState<Severity>('info')
  const [status, setStatus] = useState<'' | 'open' | 'acknowledged'>('')
  const [type, setType] = useState('')
  const [building, setBuilding] = useState('')
  const [notify, setNotify] = useState(typeof Notification !== 'undefined' && Notification.permission === 'granted')
  const buildings = useData(async () => new Map((await api.request('GET /buildings')).map((b) => [b.id, b])), [])
  const live = useLiveAlerts((a) => {
    if (severityRank(a.severity) >= severityRank('major')) alarm(a, buildings.value?.get(a.buildingId)?.name ?? a.buildingId, notify)
  })

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [])

  const rows = useMemo(() => [...live.alerts.values()]
    .filter((a) => severityRank(a.severity) >= severityRank(minSeverity))
    .filter((a) => status === '' || a.status === status)
    .filter((a) => type === '' || a.type === type)
    .filter((a) => building === '' || a.buildingId === building)
    .sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || b.createdAt.localeCompare(a.createdAt)), [live.alerts, minSeverity, status, type, building])

  const askNotify = async (): Promise<void> => {
    if (typeof Notification === 'undefined') return
    setNotify(await Notification.requestPermission() === 'granted')
  }

  return (
    <section>
      <h1>{t('dispatch.queue.title')} <span class='count'>{rows.length}</span></h1>
      <p class={live.connected ? 'live ok' : 'live lost'} role='status'>{live.connected ? t('live.connected') : t('live.reconnecting')}</p>
      <ErrorText error={live.error} />
      <form class='filters' onSubmit={(e) => e.preventDefault()} aria-label={t('dispatch.filters')}>
        <label>
          {t('dispatch.filter.severity')}
          <select value={minSeverity} onChange={(e) => setMinSeverity(e.currentTarget.value as Severity)}>
            {SEVERITIES.map((s) => <option key={s} value={s}>{t('dispatch.filter.atLeast', { severity: t(`severity.${s}`) })}</option>)}
          </select>
        </label>
        <label>
          {t('dispatch.filter.status')}
          <select value={status} onChange={(e) => setStatus(e.currentTarget.value as typeof status)}>
            <option value=''>{t('dispatch.filter.all')}</option>
            {ALERT_STATUSES.filter((s) => s !== 'resolved').map((s) => <option key={s} value={s}>{t(`alertStatus.${s}`)}</option>)}
          </select>
        </label>
        <label>
          {t('dispatch.filter.type')}
          <select value={type} onChange={(e) => setType(e.currentTarget.value)}>
            <option value=''>{t('dispatch.filter.all')}</option>
            {ALERT_TYPES.map((x) => <option key={x} value={x}>{t(`alertType.${x}`)}</option>)}
          </select>
        </label>
        <label>
          {t('dispatch.filter.building')}
          <select value={building} onChange={(e) => setBuilding(e.currentTarget.value)}>
            <option value=''>{t('dispatch.filter.all')}</option>
            {[...(buildings.value?.values() ?? [])].map((b) => <option key={b.id} value={b.id}>{b.name}</option>)}
          </select>
        </label>
        {!notify && typeof Notification !== 'undefined' && <button type='button' onClick={() => { void askNotify() }}>{t('dispatch.notify.enable')}</button>}
      </form>
      {rows.length === 0
        ? <p>{t('dispatch.queue.empty')}</p>
        : (
          <table class='queue'>
            <thead>
              <tr>
                <th scope='col'>{t('dispatch.col.severity')}</th>
                <th scope='col'>{t('dispatch.col.type')}</th>
                <th scope='col'>{t('dispatch.col.where')}</th>
                <th scope='col'>{t('dispatch.col.status')}</th>
                <th scope='col'>{t('dispatch.col.raised')}</th>
                <th scope='col'>{t('dispatch.queue.openFor')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((a: Alert) => <AlertRow key={a.id} alert={a} now={now} base={base} buildingName={buildings.value?.get(a.buildingId)?.name ?? a.buildingId} />)}
            </tbody>
          </table>
          )}
    </section>
  )
}
