// The house score of one building (GET /buildings/:id/score): the total, the
// grade it has and the grade the score proposes (in its area's colours, by its
// area's thresholds), the points by dimension, each point with its cause,
// evidence, decay and what to put right, and the proposal waiting for police.
// The landlord sees it for their buildings, police and grid workers for their
// area; police (and administrators) may ask for a proposal at once.

import type { User } from '../../../../contract/schemas/registry.ts'
import { ApiError } from '../../../../contract/client.ts'
import { SCORE_DIMENSIONS } from '../../../../contract/vocabulary.ts'
import { ErrorText } from '../../components/error-text.tsx'
import { Loaded } from '../../components/loading.tsx'
import { formatDateTime } from '../../format.ts'
import { t } from '../../i18n/index.ts'
import { href, navigate } from '../../router.ts'
import { api } from '../../session.ts'
import { useAction } from '../../use-action.ts'
import { useData } from '../../use-data.ts'
import { GradeBadge, ScorePoints } from './score-points.tsx'

export function ScorePage ({ id, base, back, user }: { id: string; base: string; back: string; user: User }) {
  const data = useData(async () => {
    const [building, score, waiting] = await Promise.all([
      api.request('GET /buildings/:id', { params: { id } }),
      api.request('GET /buildings/:id/score', { params: { id } }),
      api.request('GET /grade-proposals', { query: { buildingId: id } }),
    ])
    return { building, score, waiting: waiting[0] }
  }, [id])
  return (
    <Loaded data={data}>
      {({ building, score, waiting }) => {
        const tz = building.timeZone
        const c = score.gradeColours
        const th = score.thresholds
        return (
          <section class='house-score'>
            <p><a href={href(back)}>← {t('common.back')}</a></p>
            <h1>{t('policy.score.title', { name: building.name })}</h1>
            <p class='muted'>{t('policy.score.intro')}</p>
            <div class='card'>
              <dl class='facts'>
                <dt>{t('policy.score.total')}</dt>
                <dd><strong class='score-total' data-score={score.score}>{score.score}</strong></dd>
                <dt>{t('policy.score.gradeNow')}</dt>
                <dd data-testid='grade-now'><GradeBadge grade={score.grade} colours={c} /></dd>
                <dt>{t('policy.score.proposed')}</dt>
                <dd data-testid='grade-proposed'>
                  <GradeBadge grade={score.proposedGrade} colours={c} />
                  {score.proposedGrade === score.grade && <span class='muted'> {t('policy.score.same')}</span>}
                </dd>
                <dt>{t('policy.score.thresholds')}</dt>
                <dd>{t('policy.score.scale', {
                  trusted: t('grade.trusted'), normalName: t('grade.normal'), focusName: t('grade.focus'), strictName: t('grade.strict'),
                  normal: th.normal, focus: th.focus, strict: th.strict,
                })}
                </dd>
                <dt>{t('policy.score.patrol')}</dt>
                <dd>{t('policy.score.patrolEvery', { days: score.patrolIntervalDays })}</dd>
              </dl>
              <p class='muted'>{t('policy.score.asOf', { time: formatDateTime(score.asOf, tz) })}</p>
            </div>
            {waiting !== undefined && (
              <p class='card notice' role='status'>
                {t('policy.score.waiting', { from: t(`grade.${waiting.fromGrade}`), to: t(`grade.${waiting.toGrade}`) })}
                {base !== '/landlord' && <> <a href={href(`${base}/grade-proposals/${encodeURIComponent(waiting.id)}`)}>{t('policy.score.openProposal')}</a></>}
              </p>
            )}
            {(user.role === 'police' || user.role === 'admin') && waiting === undefined && <ProposeNow buildingId={id} base={base} />}
            <h2>{t('policy.score.byDimension')}</h2>
            <dl class='score-dimensions'>
              {SCORE_DIMENSIONS.map((d) => <div key={d}><dt>{t(`scoreDimension.${d}`)}</dt><dd>{score.byDimension[d]}</dd></div>)}
            </dl>
            <h2>{t('policy.score.points')}</h2>
            <ScorePoints points={score.points} base={base} buildingId={id} timeZone={tz} />
          </section>
        )
      }}
    </Loaded>
  )
}

/** Police ask for a proposal now and go to it; a score that proposes the grade the house has says so. */
function ProposeNow ({ buildingId, base }: { buildingId: string; base: string }) {
  const action = useAction()
  const same = action.error instanceof ApiError && action.error.status === 409
  return (
    <div class='actions'>
      <button
        type='button' disabled={action.busy} onClick={() => {
          void action.run(async () => {
            const p = await api.request('POST /buildings/:id/grade-proposals', { params: { id: buildingId } })
            navigate(`${base}/grade-proposals/${encodeURIComponent(p.id)}`)
          })
        }}
      >{t('policy.score.propose')}
      </button>
      {same ? <p class='muted' role='status'>{t('policy.score.proposeSame')}</p> : <ErrorText error={action.error} />}
    </div>
  )
}
