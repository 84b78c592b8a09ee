// One patrol finding as people see it: the item, what is wrong, the room, the
// deadline (marked when past), its re-inspections; a form below it for those
// who re-inspect.

import type { ComponentChildren } from 'preact'
import type { Finding } from '../../../../contract/routes/patrol-routes.ts'
import { formatDate, formatDateTime } from '../../format.ts'
import { t } from '../../i18n/index.ts'

export function FindingCard ({ finding: f, timeZone, children }: { finding: Finding; timeZone: string; children?: ComponentChildren }) {
  return (
    <article class={`grid-card finding${f.overdue ? ' grid-over' : ''}`} aria-label={t(`patrols.item.${f.item}`)} data-finding={f.id}>
      <header>
        <h3>{t(`patrols.item.${f.item}`)}</h3>
        <span class={f.status === 'open' ? 'badge warn' : 'badge ok'}>{t(`patrols.findingStatus.${f.status}`)}</span>
        {f.overdue && <span class='badge warn'>{t('patrols.finding.overdue')}</span>}
      </header>
      <p>{f.description}</p>
      <p class='muted'>
        {f.roomNumber === null ? t('patrols.form.wholeBuilding') : t('patrols.finding.room', { number: f.roomNumber })}
        {' · '}{t('patrols.finding.foundAt', { time: formatDateTime(f.foundAt, timeZone) })}
      </p>
      <p><strong>{t('patrols.finding.deadline', { date: formatDate(f.deadline) })}</strong></p>
      {f.reinspections.length > 0 && (
        <ul class='grid-list'>
          {f.reinspections.map((r) => (
            <li key={r.id}>
              {t('patrols.finding.reinspected', { time: formatDateTime(r.inspectedAt, timeZone), result: t(r.rectified ? 'patrols.findingStatus.rectified' : 'patrols.findingStatus.open') })}
              {r.note !== null && <> — {r.note}</>}
            </li>
          ))}
        </ul>
      )}
      {children}
    </article>
  )
}
