// The houses a grid worker (their grid) or police officer (their area)
// patrols, most overdue first, with the field to open a plate's code.

import type { PatrolDue } from '../../../../contract/routes/patrol-routes.ts'
import { Loaded } from '../../components/loading.tsx'
import { formatDateTime } from '../../format.ts'
import { t } from '../../i18n/index.ts'
import { href } from '../../router.ts'
import { api } from '../../session.ts'
import { useData } from '../../use-data.ts'
import { CodeEntry } from './code-entry.tsx'
import './patrols.css'

export function PatrolsDuePage ({ housePath }: { housePath?: (buildingId: string) => string }) {
  const data = useData(async () => await api.request('GET /patrols/due'), [])
  return (
    <section>
      <h1>{t('patrols.due.title')}</h1>
      <CodeEntry />
      <Loaded data={data}>
        {(houses) => houses.length === 0
          ? <p class='grid-empty'>{t('patrols.due.none')}</p>
          : (
            <>
              <p class='muted'>{t('patrols.due.summary', { n: houses.length, overdue: houses.filter((h) => h.overdue).length })}</p>
              <ul class='grid-cards'>{houses.map((h) => <li key={h.buildingId}><DueCard house={h} housePath={housePath} /></li>)}</ul>
            </>
            )}
      </Loaded>
    </section>
  )
}

function DueCard ({ house: h, housePath }: { house: PatrolDue; housePath: ((id: string) => string) | undefined }) {
  return (
    <article class={`grid-card${h.overdue ? ' grid-over' : ''}`} aria-label={h.buildingName} data-building={h.buildingId}>
      <header>
        <h2>{housePath === undefined ? h.buildingName : <a href={href(housePath(h.buildingId))}>{h.buildingName}</a>}</h2>
        <span class={`grade grade-${h.grade}`}>{t(`grade.${h.grade}`)}</span>
        {h.overdue && <span class='badge warn'>{t('patrols.due.overdue')}</span>}
      </header>
      <p class='muted'>{h.address}</p>
      <p>{t('patrols.due.dueAt', { time: formatDateTime(h.dueAt, h.timeZone) })} · {t('patrols.due.every', { n: h.intervalDays })}</p>
      <p class='muted'>{h.lastPatrolAt === null ? t('patrols.due.never') : t('patrols.due.last', { time: formatDateTime(h.lastPatrolAt, h.timeZone) })}</p>
      {h.openFindings > 0 && <p><span class='badge warn'>{t('patrols.due.openFindings', { n: h.openFindings })}</span></p>}
      <p><a href={href(`/plates/${encodeURIComponent(h.buildingId)}`)}>{t('patrols.plates.link')}</a></p>
    </article>
  )
}
