// The grade settings of an area (GET/PUT/DELETE /areas/:id/policy-settings):
// pick an area, see the settings in force there and where they come from (its
// own, an area above it, the defaults), and, for administrators and police of
// a street or district, change them or take the area's own away.

import { useState } from 'preact/hooks'
import type { AreaPolicySettings, EffectiveAreaPolicy } from '../../../../contract/routes/policy-routes.ts'
import type { User } from '../../../../contract/schemas/registry.ts'
import { GRADES } from '../../../../contract/vocabulary.ts'
import { ErrorText } from '../../components/error-text.tsx'
import { Loaded } from '../../components/loading.tsx'
import { formatDateTime } from '../../format.ts'
import { t } from '../../i18n/index.ts'
import { navigate, queryOf } from '../../router.ts'
import { api } from '../../session.ts'
import { useAction } from '../../use-action.ts'
import { useData } from '../../use-data.ts'
import { areaOptions } from '../admin/area-names.ts'
import { GradeBadge } from './score-points.tsx'

export function AreaSettingsPage ({ base, path, user }: { base: string; path: string; user: User }) {
  const areas = useData(async () => await api.request('GET /areas'), [])
  const chosen = queryOf(path).get('area') ?? user.areaId ?? undefined
  return (
    <section class='policy-settings'>
      <h1>{t('policy.settings.title')}</h1>
      <p class='muted'>{t('policy.settings.intro')}</p>
      <Loaded data={areas}>
        {(list) => {
          const areaId = chosen ?? list[0]?.id
          return (
            <>
              <label>
                {t('policy.settings.area')}
                <select name='area' value={areaId} onChange={(e) => navigate(`${base}/policy?area=${encodeURIComponent(e.currentTarget.value)}`)}>
                  {areaOptions(list).map((o) => <option key={o.area.id} value={o.area.id}>{o.label}</option>)}
                </select>
              </label>
              {areaId !== undefined && <Effective key={areaId} areaId={areaId} />}
            </>
          )
        }}
      </Loaded>
    </section>
  )
}

function Effective ({ areaId }: { areaId: string }) {
  const data = useData(async () => await api.request('GET /areas/:id/policy-settings', { params: { id: areaId } }), [areaId])
  const [done, setDone] = useState('')
  return (
    <Loaded data={data}>
      {(e) => (
        <>
          <p data-testid='settings-source'><strong>{t('policy.settings.source')}：</strong>{sourceText(e)}</p>
          {done !== '' && <p class='ok' role='status'>{done}</p>}
          {e.mayChange ? null : <p class='muted'>{t('policy.settings.readOnly')}</p>}
          <SettingsForm key={`${e.source?.areaId ?? ''}-${e.source?.updatedAt ?? ''}`} effective={e} onDone={(text) => { setDone(text); data.reload() }} />
        </>
      )}
    </Loaded>
  )
}

function sourceText (e: EffectiveAreaPolicy): string {
  if (e.source === null) return t('policy.settings.defaults')
  if (e.own) return t('policy.settings.own', { time: formatDateTime(e.source.updatedAt) })
  return t('policy.settings.inherited', { area: e.source.areaName })
}

function SettingsForm ({ effective: e, onDone }: { effective: EffectiveAreaPolicy; onDone: (text: string) => void }) {
  const [s, setS] = useState<AreaPolicySettings>(e.settings)
  const save = useAction()
  const clear = useAction()
  const readOnly = !e.mayChange
  const num = (v: string): number => (v === '' ? Number.NaN : Number(v))
  const thresholds = ['normal', 'focus', 'strict'] as const
  return (
    <form onSubmit={save.submit(async () => {
      await api.request('PUT /areas/:id/policy-settings', { params: { id: e.areaId }, body: s })
      onDone(t('policy.settings.saved'))
    })}
    >
      <fieldset disabled={readOnly}>
        <legend>{t('policy.settings.thresholds')}</legend>
        <p class='muted'>{t('policy.settings.trustedBelow')}</p>
        <div class='fields'>
          {thresholds.map((g) => (
            <label key={g}>
              <GradeBadge grade={g} colours={s.gradeColours} />
              <input
                type='number' name={`threshold-${g}`} min={0.1} max={1000} step={0.1} required value={s.thresholds[g]}
                onInput={(ev) => setS({ ...s, thresholds: { ...s.thresholds, [g]: num(ev.currentTarget.value) } })}
              />
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset disabled={readOnly}>
        <legend>{t('policy.settings.colours')}</legend>
        <div class='fields'>
          {GRADES.map((g) => (
            <label key={g}>
              {t(`grade.${g}`)}
              <input type='color' name={`colour-${g}`} value={s.gradeColours[g]} onInput={(ev) => setS({ ...s, gradeColours: { ...s.gradeColours, [g]: ev.currentTarget.value } })} />
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset disabled={readOnly}>
        <legend>{t('policy.settings.patrol')}</legend>
        <div class='fields'>
          {[...GRADES, 'findingOpen' as const].map((g) => (
            <label key={g}>
              {g === 'findingOpen' ? t('policy.settings.findingOpen') : t(`grade.${g}`)}
              <input
                type='number' name={`patrol-${g}`} min={1} max={365} step={1} required value={s.patrolDays[g]}
                onInput={(ev) => setS({ ...s, patrolDays: { ...s.patrolDays, [g]: num(ev.currentTarget.value) } })}
              />
            </label>
          ))}
        </div>
      </fieldset>
      <ErrorText error={save.error ?? clear.error} />
      {!readOnly && (
        <div class='actions'>
          <button type='submit' class='primary' disabled={save.busy || clear.busy}>{t('policy.settings.save')}</button>
          {e.own && (
            <button
              type='button' disabled={save.busy || clear.busy} onClick={() => {
                void clear.run(async () => {
                  await api.request('DELETE /areas/:id/policy-settings', { params: { id: e.areaId } })
                  onDone(t('policy.settings.cleared'))
                })
              }}
            >{t('policy.settings.clear')}
            </button>
          )}
        </div>
      )}
    </form>
  )
}
