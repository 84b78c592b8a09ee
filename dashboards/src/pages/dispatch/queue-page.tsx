// The dispatcher's live queue: every live alert of the jurisdiction, the most
// severe first and the newest first within a severity, filtered by what the
// dispatcher picks (remembered in the browser); a count per severity on top;
// j/k or the arrow keys move between alerts and Enter opens one; a new major
// or critical alert sounds and notifies, and an unacknowledged critical one
// sounds again every 30 s until someone acknowledges it or the reminder is muted.

import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import type { Alert } from '../../../../contract/schemas/alerts.ts'
import type { Area } from '../../../../contract/schemas/registry.ts'
import { ALERT_STATUSES, ALERT_TYPES, SEVERITIES, severityRank, type Severity } from '../../../../contract/vocabulary.ts'
import { ErrorText } from '../../components/error-text.tsx'
import { t } from '../../i18n/index.ts'
import { useLiveAlerts } from '../../live-alerts.ts'
import { api } from '../../session.ts'
import { useData } from '../../use-data.ts'
import { AlertRow, AlertTableHead } from './alert-row.tsx'
import { alarm, useCriticalReminder } from './alarm.ts'
import { applyFilters, isFiltered, NO_FILTERS, SINCE_CHOICES, useQueueFilters } from './queue-filters.ts'

export function QueuePage ({ base = '/dispatch' }: { base?: string }) {
  const [now, setNow] = useState(Date.now())
  const [filters, setFilters] = useQueueFilters(base)
  const [notify, setNotify] = useState(typeof Notification !== 'undefined' && Notification.permission === 'granted')
  const buildings = useData(async () => new Map((await api.request('GET /buildings')).map((b) => [b.id, b])), [])
  const areas = useData(async () => new Map((await api.request('GET /areas')).map((a) => [a.id, a])), [])
  const live = useLiveAlerts((a) => {
    if (severityRank(a.severity) >= severityRank('major')) alarm(a, buildings.value?.get(a.buildingId)?.name ?? a.buildingId, notify)
  })
  const reminder = useCriticalReminder(live.alerts.values())

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [])

  // `now` moves every second; the time filter only needs the minute.
  const minute = Math.floor(now / 60_000)
  const rows = useMemo(() => applyFilters(live.alerts.values(), filters, areas.value ?? new Map(), now), [live.alerts, filters, areas.value, minute])
  const counts = useMemo(() => {
    const c: Record<Severity, number> = { info: 0, warning: 0, major: 0, critical: 0 }
    for (const a of live.alerts.values()) c[a.severity]++
    return c
  }, [live.alerts])
  const table = useRef<HTMLTableSectionElement>(null)
  useQueueKeys(table)

  const askNotify = async (): Promise<void> => {
    if (typeof Notification === 'undefined') return
    setNotify(await Notification.requestPermission() === 'granted')
  }

  return (
    <section>
      <h1>{t('dispatch.queue.title')} <span class='count'>{rows.length}</span></h1>
      <SeverityCounts counts={counts} />
      <p class={live.connected ? 'live ok' : 'live lost'} role='status'>{live.connected ? t('live.connected') : t('live.reconnecting')}</p>
      <ErrorText error={live.error} />
      {reminder.waiting > 0 && (
        <p class='reminder' role='status'>
          {t('dispatch.reminder.waiting', { n: reminder.waiting })}
          <button type='button' aria-pressed={reminder.muted} onClick={() => reminder.setMuted(!reminder.muted)}>
            {reminder.muted ? t('dispatch.reminder.unmute') : t('dispatch.reminder.mute')}
          </button>
        </p>
      )}
      <form class='filters' onSubmit={(e) => e.preventDefault()} aria-label={t('dispatch.filters')}>
        <label>
          {t('dispatch.filter.severity')}
          <select name='minSeverity' value={filters.minSeverity} onChange={(e) => setFilters({ minSeverity: e.currentTarget.value as Severity })}>
            {SEVERITIES.map((s) => <option key={s} value={s}>{t('dispatch.filter.atLeast', { severity: t(`severity.${s}`) })}</option>)}
          </select>
        </label>
        <label>
          {t('dispatch.filter.status')}
          <select name='status' value={filters.status} onChange={(e) => setFilters({ status: e.currentTarget.value as typeof filters.status })}>
            <option value=''>{t('dispatch.filter.all')}</option>
            {ALERT_STATUSES.filter((s) => s !== 'resolved').map((s) => <option key={s} value={s}>{t(`alertStatus.${s}`)}</option>)}
          </select>
        </label>
        <label>
          {t('dispatch.filter.type')}
          <select name='type' value={filters.type} onChange={(e) => setFilters({ type: e.currentTarget.value })}>
            <option value=''>{t('dispatch.filter.all')}</option>
            {ALERT_TYPES.map((x) => <option key={x} value={x}>{t(`alertType.${x}`)}</option>)}
          </select>
        </label>
        <label>
          {t('dispatch.filter.since')}
          <select name='since' value={filters.since} onChange={(e) => setFilters({ since: e.currentTarget.value as typeof filters.since })}>
            {SINCE_CHOICES.map((s) => <option key={s} value={s}>{s === '' ? t('dispatch.filter.anyTime') : t(`dispatch.since.${s}`)}</option>)}
          </select>
        </label>
        <label>
          {t('dispatch.filter.area')}
          <select name='area' value={filters.area} onChange={(e) => setFilters({ area: e.currentTarget.value })}>
            <option value=''>{t('dispatch.filter.all')}</option>
            {areaChoices(areas.value).map((a) => <option key={a.id} value={a.id}>{'\u3000'.repeat(a.depth)}{a.name}</option>)}
          </select>
        </label>
        <label>
          {t('dispatch.filter.building')}
          <select name='building' value={filters.building} onChange={(e) => setFilters({ building: e.currentTarget.value })}>
            <option value=''>{t('dispatch.filter.all')}</option>
            {[...(buildings.value?.values() ?? [])].map((b) => <option key={b.id} value={b.id}>{b.name}</option>)}
          </select>
        </label>
        {isFiltered(filters) && <button type='button' class='link' onClick={() => setFilters(NO_FILTERS)}>{t('dispatch.filter.clear')}</button>}
        {!notify && typeof Notification !== 'undefined' && <button type='button' onClick={() => { void askNotify() }}>{t('dispatch.notify.enable')}</button>}
      </form>
      <p class='muted keys'>{t('dispatch.queue.keys')}</p>
      {rows.length === 0
        ? <p>{t('dispatch.queue.empty')}</p>
        : (
          <table class='queue'>
            <AlertTableHead />
            <tbody ref={table}>
              {rows.map((a: Alert) => <AlertRow key={a.id} alert={a} now={now} base={base} buildingName={buildings.value?.get(a.buildingId)?.name ?? a.buildingId} timeZone={buildings.value?.get(a.buildingId)?.timeZone} />)}
            </tbody>
          </table>
          )}
    </section>
  )
}

/** How many live alerts of each severity the jurisdiction has, the most severe first. */
function SeverityCounts ({ counts }: { counts: Record<Severity, number> }) {
  return (
    <ul class='sev-counts' aria-label={t('dispatch.counts')}>
      {[...SEVERITIES].reverse().map((s) => (
        <li key={s} class={`sev-count sev-${s}`} data-severity={s}>
          <span class={`sev-badge sev-${s}`}>{t(`severity.${s}`)}</span> <strong>{counts[s]}</strong>
        </li>
      ))}
    </ul>
  )
}

/** The areas in tree order (GET /areas answers by path), indented by depth below the highest one shown. */
function areaChoices (areas: ReadonlyMap<string, Area> | undefined): Array<Area & { depth: number }> {
  const list = [...(areas?.values() ?? [])].filter((a) => a.kind !== 'district').sort((a, b) => a.path.localeCompare(b.path))
  const top = Math.min(...list.map((a) => a.path.split('/').length))
  return list.map((a) => ({ ...a, depth: a.path.split('/').length - top }))
}

/** j / ↓ to the next alert, k / ↑ to the previous one; Enter opens it (it is a link). Not while typing in a field. */
function useQueueKeys (body: { current: HTMLElement | null }): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.altKey || e.ctrlKey || e.metaKey) return
      const target = e.target as HTMLElement | null
      if (target !== null && /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) return
      const step = e.key === 'j' || e.key === 'ArrowDown' ? 1 : e.key === 'k' || e.key === 'ArrowUp' ? -1 : 0
      if (step === 0 || body.current === null) return
      const links = [...body.current.querySelectorAll<HTMLAnchorElement>('tr > td a.open')]
      if (links.length === 0) return
      e.preventDefault()
      const at = links.findIndex((l) => l === document.activeElement)
      const next = at < 0 ? (step > 0 ? 0 : links.length - 1) : Math.min(links.length - 1, Math.max(0, at + step))
      links[next]!.focus()
      links[next]!.closest('tr')?.scrollIntoView({ block: 'nearest' })
    }
    addEventListener('keydown', onKey)
    return () => removeEventListener('keydown', onKey)
  }, [])
}
