import type { ComponentChildren } from 'preact'
import type { Alert } from '../../../../contract/schemas/alerts.ts'
import { formatDateTime, formatDuration } from '../../format.ts'
import { t } from '../../i18n/index.ts'
import { href } from '../../router.ts'

/** One alert in a queue: the whole row in its severity's colour, how long it has been open. */
export function AlertRow ({ alert: a, now, buildingName, base, timeZone }: { alert: Alert; now: number; buildingName: string; base: string; timeZone?: string | undefined }) {
  return (
    <tr class={`sev sev-${a.severity}`} data-alert-id={a.id}>
      <td><span class={`sev-badge sev-${a.severity}`}>{t(`severity.${a.severity}`)}</span></td>
      <td><a class='open' href={href(`${base}/alerts/${encodeURIComponent(a.id)}`)}>{t(`alertType.${a.type}`)}</a>{a.count > 1 && <span class='muted'> ×{a.count}</span>}</td>
      <td>{buildingName}{a.door !== null && <span class='muted'> · {a.door}</span>}</td>
      <td>{t(`alertStatus.${a.status}`)}</td>
      <td><time dateTime={a.createdAt}>{formatDateTime(a.createdAt, timeZone)}</time></td>
      <td class='timer' aria-label={t('dispatch.queue.openFor')}>{formatDuration(now - Date.parse(a.createdAt))}</td>
    </tr>
  )
}

/** The columns of a queue of AlertRows; `children`: more column headers after them. */
export function AlertTableHead ({ children }: { children?: ComponentChildren }) {
  return (
    <thead>
      <tr>
        <th scope='col'>{t('dispatch.col.severity')}</th>
        <th scope='col'>{t('dispatch.col.type')}</th>
        <th scope='col'>{t('dispatch.col.where')}</th>
        <th scope='col'>{t('dispatch.col.status')}</th>
        <th scope='col'>{t('dispatch.col.raised')}</th>
        <th scope='col'>{t('dispatch.queue.openFor')}</th>
        {children}
      </tr>
    </thead>
  )
}
