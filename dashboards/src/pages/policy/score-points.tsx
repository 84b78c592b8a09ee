// What the house-grade pages share: a grade shown in its area's colour, and
// the points of a score as a table (dimension, cause, points, evidence with
// links where a page shows it, since when, when it expires, what to put right).

import type { ScorePointView } from '../../../../contract/routes/policy-routes.ts'
import type { Grade, ScoreCause } from '../../../../contract/vocabulary.ts'
import { formatDate } from '../../format.ts'
import { t } from '../../i18n/index.ts'
import { href } from '../../router.ts'
import './policy.css'

/** The grade as a badge; in the area's colour where the page knows it, else the console's. */
export function GradeBadge ({ grade, colours }: { grade: Grade; colours?: Record<Grade, string> | undefined }) {
  const colour = colours?.[grade]
  return (
    <span class={`grade-badge grade-${grade}`} data-grade={grade} style={colour === undefined ? undefined : { borderColor: colour, color: colour }}>
      {colour !== undefined && <span class='swatch' style={{ background: colour }} aria-hidden='true' />}
      {t(`grade.${grade}`)}
    </span>
  )
}

/** Causes whose evidence is an alert (platform/policy/house-score.ts, ALERT_CAUSE). */
const ALERT_CAUSES: ReadonlySet<ScoreCause> = new Set([
  'device_tampered', 'overcrowding_registered', 'overcrowding_observed', 'unexplained_entries', 'door_forced',
  'unregistered_cards', 'card_misuse', 'visitor_overstay',
])

/** Where a piece of evidence is shown: for police and grid workers their alert page; for the landlord their own pages. */
export function evidenceHref (base: string, buildingId: string, cause: ScoreCause, evidence: string): string | undefined {
  if (evidence === 'building') return undefined
  const building = `/landlord/buildings/${encodeURIComponent(buildingId)}`
  if (ALERT_CAUSES.has(cause)) return base === '/landlord' ? '/landlord/alerts' : `${base}/alerts/${encodeURIComponent(evidence)}`
  if (base !== '/landlord') return undefined
  if (cause === 'device_offline') return `${building}/site`
  if (cause === 'not_seen_ignored' || cause === 'permit_expired') return `${building}/inbox`
  return undefined
}

export function ScorePoints ({ points, base, buildingId, timeZone, remedies = true }: {
  points: ScorePointView[]
  /** The console the links go to: '/landlord', '/dispatch', '/grid'. */
  base: string
  buildingId: string
  timeZone: string
  /** Show what to put right (the landlord's and the grid's question; on a proposal, the reasons alone). */
  remedies?: boolean
}) {
  if (points.length === 0) return <p class='ok'>{t('policy.score.none')}</p>
  return (
    <table class='score-points'>
      <thead>
        <tr>
          <th scope='col'>{t('policy.score.dimension')}</th>
          <th scope='col'>{t('policy.score.cause')}</th>
          <th scope='col' class='num'>{t('policy.score.value')}</th>
          <th scope='col'>{t('policy.score.evidence')}</th>
          <th scope='col'>{t('policy.score.since')}</th>
          <th scope='col'>{t('policy.score.expires')}</th>
          {remedies && <th scope='col'>{t('policy.score.fix')}</th>}
        </tr>
      </thead>
      <tbody>
        {points.map((p, i) => (
          <tr key={`${p.cause}-${p.evidence.join(',')}-${i}`} data-cause={p.cause}>
            <td>{t(`scoreDimension.${p.dimension}`)}</td>
            <td>{t(`scoreCause.${p.cause}`)}</td>
            <td class='num'>{p.points}</td>
            <td>
              {p.evidence.map((e) => {
                const to = evidenceHref(base, buildingId, p.cause, e)
                const label = e === 'building' ? t('policy.score.evidenceBuilding') : e
                return <span key={e} class='score-evidence'>{to === undefined ? label : <a href={href(to)}>{label}</a>}</span>
              })}
            </td>
            <td><time dateTime={p.since}>{formatDate(p.since, timeZone)}</time></td>
            <td>{p.expiresAt === null ? t('policy.score.holds') : t('policy.score.fades', { date: formatDate(p.expiresAt, timeZone) })}</td>
            {remedies && <td>{t(`policy.remedy.${p.cause}`)}</td>}
          </tr>
        ))}
      </tbody>
    </table>
  )
}
