// The KPIs of the signed-in person's scope (police, grid workers,
// administrators: their area; a landlord: their own houses): each KPI with
// its target, numerator and denominator, coloured against the target; the
// parts one level down the area tree to drill into; the cases behind one KPI
// (names masked); the daily snapshots; CSV and Excel exports. The page's
// state is in its address: `?area=`, `?building=`, `&kpi=` for the cases.

import type { ComponentChildren } from 'preact'
import type { KpiFigureView, KpiView } from '../../../../contract/routes/kpi-routes.ts'
import { Loaded } from '../../components/loading.tsx'
import { formatDateTime } from '../../format.ts'
import { t, type MessageKey } from '../../i18n/index.ts'
import { href } from '../../router.ts'
import { api } from '../../session.ts'
import { useData } from '../../use-data.ts'
import './kpis.css'

export interface KpiQuery { area?: string; building?: string; kpi?: string }

/** The page's state from the path's query (`/grid/kpis?area=g1&kpi=registration_rate`). */
export function kpiQuery (path: string): KpiQuery {
  const q = new URLSearchParams(path.split('?')[1] ?? '')
  const out: KpiQuery = {}
  for (const k of ['area', 'building', 'kpi'] as const) {
    const v = q.get(k)
    if (v !== null && v !== '') out[k] = v
  }
  return out
}

const pct = (x: number | null): string => (x === null ? '–' : `${(x * 100).toFixed(1)}%`)
const num = (x: number): string => (Number.isInteger(x) ? String(x) : x.toFixed(1))
const state = (f: KpiFigureView): 'met' | 'below' | 'none' => (f.met === null ? 'none' : f.met ? 'met' : 'below')

function link (base: string, q: KpiQuery): string {
  const s = new URLSearchParams(Object.entries(q).filter(([, v]) => v !== undefined) as Array<[string, string]>).toString()
  return href(s === '' ? base : `${base}?${s}`)
}

function subjectQuery (q: KpiQuery): { areaId?: string; buildingId?: string } {
  return { ...(q.area === undefined ? {} : { areaId: q.area }), ...(q.building === undefined ? {} : { buildingId: q.building }) }
}

export function KpisPage ({ base, path }: { base: string; path: string }) {
  const q = kpiQuery(path)
  const data = useData(async () => await api.request('GET /kpis', { query: subjectQuery(q) }), [q.area, q.building])
  return (
    <section class='kpis'>
      <Loaded data={data}>
        {(v) => <KpiReport view={v} base={base} q={q} />}
      </Loaded>
    </section>
  )
}

function subjectName (v: KpiView): string {
  if (v.subject.kind === 'city') return t('kpi.subject.city')
  if (v.subject.kind === 'landlord') return t('kpi.subject.landlord')
  return v.subject.name
}

function KpiReport ({ view: v, base, q }: { view: KpiView; base: string; q: KpiQuery }) {
  const files = new URLSearchParams(Object.entries(subjectQuery(q))).toString()
  const scoped = q.area !== undefined || q.building !== undefined
  return (
    <>
      <h1>{t('kpi.title', { name: subjectName(v) })}</h1>
      <p class='muted'>{t('kpi.asOf', { at: formatDateTime(v.asOf), n: v.buildings })}</p>
      <p class='actions'>
        {scoped && <a href={link(base, {})}>{t('kpi.up')}</a>}
        <a class='button' href={`/kpis.csv${files === '' ? '' : `?${files}`}`} download>{t('kpi.export.csv')}</a>
        <a class='button' href={`/kpis.xlsx${files === '' ? '' : `?${files}`}`} download>{t('kpi.export.xlsx')}</a>
      </p>
      <div class='kpi-scroll'>
        <table class='kpi-table'>
          <thead>
            <tr>
              <th scope='col'>{t('kpi.col.kpi')}</th><th scope='col'>{t('kpi.col.value')}</th><th scope='col'>{t('kpi.col.target')}</th>
              <th scope='col'>{t('kpi.col.fraction')}</th><th scope='col'>{t('kpi.col.status')}</th><th scope='col'>{t('kpi.showCases')}</th>
            </tr>
          </thead>
          <tbody>
            {v.figures.map((f) => (
              <tr key={f.kpi} class={`kpi-${state(f)}`}>
                <th scope='row'>{t(`kpi.name.${f.kpi}` as MessageKey)}</th>
                <td class='kpi-value'>{pct(f.value)}</td>
                <td>{t('kpi.target', { pct: pct(f.target) })}</td>
                <td>{num(f.numerator)} / {num(f.denominator)}</td>
                <td><span class={`badge kpi-badge-${state(f)}`}>{t(f.met === null ? 'kpi.noValue' : f.met ? 'kpi.met' : 'kpi.notMet')}</span></td>
                <td><a href={link(base, { ...q, kpi: f.kpi })} aria-current={q.kpi === f.kpi ? 'true' : undefined}>{t('kpi.showCases')}</a></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {v.children.length > 0 && <Children view={v} base={base} />}
      {q.kpi !== undefined && <Cases q={q} />}
      <Trend view={v} />
    </>
  )
}

function Children ({ view: v, base }: { view: KpiView; base: string }) {
  return (
    <>
      <h2>{t('kpi.drill')}</h2>
      <div class='kpi-scroll'>
        <FigureTable
          cls='kpi-children' first={t('kpi.col.name')} kpis={v.figures}
          rows={v.children.map((c) => ({
            key: c.id, figures: c.figures,
            head: <a href={link(base, c.kind === 'building' ? { building: c.id } : { area: c.id })}>{c.name}</a>,
          }))}
        />
      </div>
    </>
  )
}

function Cases ({ q }: { q: KpiQuery }) {
  const kpi = q.kpi as KpiFigureView['kpi']
  const data = useData(async () => await api.request('GET /kpis/cases', { query: { ...subjectQuery(q), kpi } }), [q.area, q.building, q.kpi])
  return (
    <>
      <h2 id='kpi-cases'>{t('kpi.cases.title', { kpi: t(`kpi.name.${kpi}` as MessageKey) })}</h2>
      <Loaded data={data}>
        {(r) => r.cases.length === 0
          ? <p class='muted'>{t('kpi.cases.none')}</p>
          : (
            <div class='kpi-scroll'>
              <table class='kpi-cases'>
                <thead>
                  <tr>
                    <th scope='col'>{t('kpi.col.status')}</th><th scope='col'>{t('kpi.cases.house')}</th><th scope='col'>{t('kpi.cases.room')}</th>
                    <th scope='col'>{t('kpi.cases.resident')}</th><th scope='col'>{t('kpi.cases.reason')}</th>
                  </tr>
                </thead>
                <tbody>
                  {r.cases.map((c) => (
                    <tr key={`${c.kind}:${c.id}:${c.reason}`}>
                      <td><span class={`badge kpi-badge-${c.counted ? 'met' : 'below'}`}>{t(c.counted ? 'kpi.cases.counted' : 'kpi.cases.notCounted')}</span></td>
                      <td>{c.buildingName}</td>
                      <td>{c.roomNumber ?? '–'}</td>
                      <td>{c.residentMasked ?? (c.weight === 1 ? '–' : t('kpi.cases.weight', { n: c.weight }))}</td>
                      <td>{t(`kpi.reason.${c.reason}` as MessageKey)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            )}
      </Loaded>
    </>
  )
}

function Trend ({ view: v }: { view: KpiView }) {
  const days = v.snapshots.slice(-7)
  return (
    <>
      <h2>{t('kpi.trend.title', { n: 7 })}</h2>
      {days.length === 0
        ? <p class='muted'>{t('kpi.trend.none')}</p>
        : (
          <div class='kpi-scroll'>
            <FigureTable cls='kpi-trend' first={t('kpi.trend.day')} kpis={v.figures} rows={days.map((d) => ({ key: d.day, head: d.day, figures: d.figures }))} />
          </div>
          )}
    </>
  )
}

/** A table of KPI values: one row per subject or day, one column per KPI, each cell coloured against its target. */
function FigureTable ({ cls, first, kpis, rows }: {
  cls: string
  first: string
  kpis: readonly KpiFigureView[]
  rows: ReadonlyArray<{ key: string; head: ComponentChildren; figures: readonly KpiFigureView[] }>
}) {
  return (
    <table class={cls}>
      <thead>
        <tr>
          <th scope='col'>{first}</th>
          {kpis.map((f) => <th key={f.kpi} scope='col'>{t(`kpi.name.${f.kpi}` as MessageKey)}</th>)}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key}>
            <th scope='row'>{r.head}</th>
            {r.figures.map((f) => <td key={f.kpi} class={`kpi-cell-${state(f)}`}>{pct(f.value)}</td>)}
          </tr>
        ))}
      </tbody>
    </table>
  )
}
