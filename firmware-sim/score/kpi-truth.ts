// The KPIs as they really are in the simulated world (who lives where, who
// is unregistered, who left when and whether the landlord recorded it), and
// their comparison with what the platform measured (GET /kpis), in
// percentage points. The world knows what the platform can only estimate:
// an occupant nobody registered, a tenant who left without a word.

import type { KpiFigureView } from '../../contract/routes/kpi-routes.ts'
import { KPI_IDS, type KpiId } from '../../contract/vocabulary.ts'
import { DEFAULT_KPI_PARAMS, type KpiParams } from '../../platform/starter.ts'
import type { Action, Site } from '../world/model.ts'

const DAY = 86_400_000

export interface TrueFigure { numerator: number; denominator: number; value: number | null; note: string }

const fig = (numerator: number, denominator: number, note: string): TrueFigure =>
  ({ numerator, denominator, value: denominator === 0 ? null : numerator / denominator, note })

/**
 * The true KPIs over all the run's buildings at `end`, from the site and the actions as they were carried out.
 * `params`: the platform's deadlines (the truth uses the same ones, so that both measure the same thing).
 */
export function trueKpis (site: Site, record: readonly Action[], end: number, params: KpiParams = DEFAULT_KPI_PARAMS): Record<KpiId, TrueFigure | null> {
  const registered = new Map<string, { at: number; buildingId: string }>()
  const deregisteredAt = new Map<string, number>()
  const lastPass = new Map<string, number>()
  for (const a of [...record].sort((x, y) => x.at - y.at)) {
    if (a.at > end) continue
    if (a.kind === 'register') {
      registered.set(a.person, { at: a.at, buildingId: site.persons.find((p) => p.ref === a.person)?.buildingId ?? '' })
      deregisteredAt.delete(a.person)
    } else if (a.kind === 'deregister') deregisteredAt.set(a.person, a.at)
    else if (a.kind === 'pass' && a.result !== 'denied') lastPass.set(a.person, Math.max(lastPass.get(a.person) ?? 0, a.at))
  }
  const active = [...registered.keys()].filter((p) => !deregisteredAt.has(p))
  // Who has left: recorded departures, and the residents whose story is leaving without a word.
  const leaver = (ref: string): boolean => site.persons.find((p) => p.ref === ref)?.story?.startsWith('leaves') === true
  const occupants = site.persons.filter((p) => p.role === 'occupant').map((p) => p.ref)
  const living = new Set([...active.filter((p) => !leaver(p)), ...occupants])

  const livingRegistered = active.filter((p) => living.has(p)).length
  const departures = [
    ...[...deregisteredAt].map(([p, at]) => ({ left: lastPass.get(p) ?? at, recorded: at as number | null })),
    ...active.filter(leaver).map((p) => ({ left: lastPass.get(p) ?? registered.get(p)!.at, recorded: null as number | null })),
  ].filter((d) => d.recorded !== null || d.left + params.deregistrationDeadlineDays * DAY <= end)
  const timely = departures.filter((d) => d.recorded !== null && d.recorded - d.left <= params.deregistrationDeadlineDays * DAY).length
  const houses = site.buildings.filter((b) => b.rooms.length > 0)
  const inUse = houses.filter((b) => active.some((p) => living.has(p) && registered.get(p)!.buildingId === b.id)).length
  const entered = [...registered.values()].filter((r) => r.at >= end - params.periodDays * DAY).length

  return {
    registration_rate: fig(livingRegistered, living.size, 'people living there who are registered'),
    timely_deregistration: fig(timely, departures.length, 'real departures due by the end, recorded within the deadline'),
    household_consistency: fig(livingRegistered, active.length, 'active registrations whose holder really lives there'),
    rental_registration: fig(inUse, houses.length, 'houses where a registered resident lives'),
    // The world has no agreements: the registry is the only truth there is.
    agreement_rate: null,
    // Nor monthly reconciliations, which are people signing off lists in the consoles.
    reconciled_share: null,
    // The simulated landlords register on the day of arrival.
    entry_timeliness: fig(entered, entered, 'registrations entered on arrival'),
  }
}

export interface KpiComparison {
  kpi: KpiId
  platform: Pick<KpiFigureView, 'numerator' | 'denominator' | 'value'>
  truth: TrueFigure | null
  /** |platform - truth| in percentage points; null where either has no value. */
  errorPp: number | null
}

/** Adds up the platform's per-building figures and compares them with the truth. */
export function compareKpis (platform: ReadonlyArray<readonly KpiFigureView[]>, truth: Record<KpiId, TrueFigure | null>): KpiComparison[] {
  return KPI_IDS.map((kpi) => {
    const parts = platform.map((figures) => figures.find((f) => f.kpi === kpi)!).filter((f) => f !== undefined)
    const numerator = parts.reduce((n, f) => n + f.numerator, 0)
    const denominator = parts.reduce((n, f) => n + f.denominator, 0)
    const value = denominator === 0 ? null : numerator / denominator
    const t = truth[kpi]
    const errorPp = value === null || t === null || t.value === null ? null : Math.round(Math.abs(value - t.value) * 1000) / 10
    return { kpi, platform: { numerator, denominator, value }, truth: t, errorPp }
  })
}

const pct = (x: number | null): string => (x === null ? '-' : `${(x * 100).toFixed(1)} %`)
const frac = (n: number, d: number): string => `${Math.round(n * 100) / 100}/${Math.round(d * 100) / 100}`

/** A fixed-width table: per KPI the platform's figure, the truth, the error in percentage points. */
export function kpiTable (rows: readonly KpiComparison[]): string {
  const head = ['kpi', 'platform', 'n/d', 'truth', 'n/d', 'error pp']
  const body = rows.map((r) => [
    r.kpi, pct(r.platform.value), frac(r.platform.numerator, r.platform.denominator),
    r.truth === null ? 'not simulated' : pct(r.truth.value), r.truth === null ? '' : frac(r.truth.numerator, r.truth.denominator),
    r.errorPp === null ? '-' : r.errorPp.toFixed(1),
  ])
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)))
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n')
}
