// Houses filed by grade (GET /buildings?grade=) for police and grid workers:
// a tab per grade with how many houses of the area have it, and the houses of
// the chosen grade, each linked to its score.

import { GRADES, type Grade } from '../../../../contract/vocabulary.ts'
import { Loaded } from '../../components/loading.tsx'
import { t } from '../../i18n/index.ts'
import { href, queryOf } from '../../router.ts'
import { api } from '../../session.ts'
import { useData } from '../../use-data.ts'
import { GradeBadge } from './score-points.tsx'

/** `list`: this page's own path; `base`: the console whose score pages it links to. */
export function HousesByGradePage ({ base, list, path }: { base: string; list: string; path: string }) {
  const chosen = queryOf(path).get('grade')
  const grade = (GRADES as readonly string[]).includes(chosen ?? '') ? chosen as Grade : undefined
  const data = useData(async () => {
    const [all, filed] = await Promise.all([
      api.request('GET /buildings'),
      grade === undefined ? Promise.resolve(undefined) : api.request('GET /buildings', { query: { grade } }),
    ])
    const counts = new Map<Grade, number>(GRADES.map((g) => [g, all.filter((b) => b.grade === g).length]))
    const houses = (filed ?? all).sort((a, b) => GRADES.indexOf(b.grade) - GRADES.indexOf(a.grade) || a.name.localeCompare(b.name, 'zh-CN', { numeric: true }))
    return { total: all.length, counts, houses }
  }, [grade])
  const tab = (g: Grade | undefined, label: string) => (
    <li key={g ?? 'all'}><a href={href(g === undefined ? list : `${list}?grade=${g}`)} aria-current={g === grade ? 'page' : undefined}>{label}</a></li>
  )
  return (
    <section>
      <h1>{t('policy.houses.title')}</h1>
      <Loaded data={data}>
        {({ total, counts, houses }) => (
          <>
            <ul class='grade-tabs' aria-label={t('policy.houses.grade')}>
              {tab(undefined, t('policy.houses.count', { grade: t('policy.houses.all'), n: total }))}
              {GRADES.map((g) => tab(g, t('policy.houses.count', { grade: t(`grade.${g}`), n: counts.get(g) ?? 0 })))}
            </ul>
            {houses.length === 0
              ? <p>{t('policy.houses.none')}</p>
              : (
                <table class='houses-by-grade'>
                  <thead>
                    <tr>
                      <th scope='col'>{t('policy.proposals.building')}</th>
                      <th scope='col'>{t('policy.houses.address')}</th>
                      <th scope='col'>{t('policy.houses.grade')}</th>
                      <th scope='col'>{t('policy.houses.score')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {houses.map((b) => (
                      <tr key={b.id} data-building={b.id}>
                        <td>{b.name}</td>
                        <td>{b.address}</td>
                        <td><GradeBadge grade={b.grade} /></td>
                        <td><a href={href(`${base}/houses/${encodeURIComponent(b.id)}/score`)}>{t('policy.score.link')}</a></td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                )}
          </>
        )}
      </Loaded>
    </section>
  )
}
