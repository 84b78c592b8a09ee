// The KPIs for people (GET /kpis, /kpis/cases, /kpis/export, /kpis/monthly)
// and the daily snapshot with its monthly report. Who sees what: police and
// grid workers their area's subtree, a landlord their own buildings, an
// administrator everything, a device vendor nothing (their role has no
// residents.read). The figures are computed by kpis.ts over kpi-facts.ts.

import { AREA_KINDS, type AreaKind } from '../../contract/vocabulary.ts'
import type { KpiCaseView, KpiFigureView, KpiSubjectKind, KpiView, KpiMonthlyView } from '../../contract/routes/kpi-routes.ts'
import { Errors } from '../errors.ts'
import { buildingScope, roleHas, type Actor } from '../registry/access.ts'
import { writeAudit } from '../registry/audit-log.ts'
import { loadBuilding } from '../registry/buildings.ts'
import type { RegistryContext } from '../registry/context.ts'
import { DEFAULT_TIME_ZONE, localDate } from '../registry/time-zones.ts'
import { maskName } from '../privacy/mask.ts'
import { readKpiFacts, type BuildingSelection, type HeadcountSource, type ObservedPresence } from './kpi-facts.ts'
import {
  aggregate, buildingKpis, DEFAULT_KPI_PARAMS, figure, KPI_IDS, KPI_TARGETS,
  type BuildingKpiFacts, type KpiFigure, type KpiId, type KpiParams, type KpiResult,
} from './kpis.ts'

interface Subject {
  kind: KpiSubjectKind
  id: string
  name: string
  selection: BuildingSelection
  /** The area's path, for an area subject. */
  path?: string
  /** Snapshots of the subject are stored rows (an area or building seen whole) rather than sums of building rows. */
  stored: boolean
}

export interface SubjectQuery { areaId?: string | undefined; buildingId?: string | undefined }

const round4 = (x: number): number => Math.round(x * 10_000) / 10_000

export function figureView (f: KpiFigure): KpiFigureView {
  return { kpi: f.kpi, numerator: round4(f.numerator), denominator: round4(f.denominator), value: f.value === null ? null : round4(f.value), target: f.target, met: f.met }
}

const views = (figs: Record<KpiId, KpiFigure>): KpiFigureView[] => KPI_IDS.map((k) => figureView(figs[k]))

export interface KpiPorts { headcounts?: HeadcountSource; presence?: ObservedPresence }

export interface KpiOptions {
  params?: KpiParams
  /**
   * The clock the KPIs are measured at: the rules' clock, on which the doors' event times lie (default the
   * registry's). They differ only where a simulator runs the devices' time fast.
   */
  now?: () => number
}

export class Kpis {
  private readonly params: KpiParams
  private readonly clock: () => number

  constructor (private readonly ctx: RegistryContext, private readonly ports: KpiPorts = {}, o: KpiOptions = {}) {
    this.params = o.params ?? DEFAULT_KPI_PARAMS
    this.clock = o.now ?? (() => ctx.now().getTime())
  }

  /** Resolves what the caller asks about to a subject in their scope (404 for what they may not see). */
  async subject (actor: Actor, q: SubjectQuery): Promise<Subject> {
    if (!roleHas(actor.role, 'residents.read')) throw new Errors.Forbidden('your role sees no KPIs')
    if (q.areaId !== undefined && q.buildingId !== undefined) throw new Errors.BadRequest('give areaId or buildingId, not both')
    const params: unknown[] = []
    const scope = buildingScope(actor, 'residents.read', 'b', params)
    if (q.buildingId !== undefined) {
      const b = await loadBuilding(this.ctx.db, actor, q.buildingId, 'residents.read')
      return { kind: 'building', id: b.id, name: b.name, selection: { where: 'b.id = $1', params: [b.id] }, stored: true }
    }
    const area = q.areaId !== undefined
      ? (await this.ctx.db.query<{ id: string; kind: AreaKind; name: string; path: string }>('select id, kind, name, path from areas where id = $1', [q.areaId])).rows[0]
      : actor.areaPath !== undefined && (actor.role === 'police' || actor.role === 'grid_worker')
        ? (await this.ctx.db.query<{ id: string; kind: AreaKind; name: string; path: string }>('select id, kind, name, path from areas where path = $1', [actor.areaPath])).rows[0]
        : undefined
    if (q.areaId !== undefined) {
      const outside = area === undefined || ((actor.role === 'police' || actor.role === 'grid_worker') && !area.path.startsWith(actor.areaPath ?? '\0'))
      if (outside) throw new Errors.NotFound(`area ${q.areaId}`)
    }
    if (area !== undefined) {
      params.push(area.path)
      const where = `(${scope}) and left(b.area_path, length($${params.length}::text)) = $${params.length}::text`
      return { kind: area.kind, id: area.id, name: area.name, selection: { where, params }, path: area.path, stored: actor.role !== 'landlord' }
    }
    if (actor.role === 'landlord') return { kind: 'landlord', id: actor.id, name: actor.username, selection: { where: scope, params }, stored: false }
    // The whole city is the administrators' only: police or a grid worker whose area cannot be found see nothing.
    if (actor.role !== 'admin') throw new Errors.NotFound('the area of your account')
    return { kind: 'city', id: 'all', name: '', selection: { where: 'true', params: [] }, stored: false }
  }

  private async facts (s: Subject, at: number): Promise<BuildingKpiFacts[]> {
    return await readKpiFacts(this.ctx.db, s.selection, at, this.params, this.ports)
  }

  /** Today's figures of the subject and of each part one level down (areas, or the buildings of a grid). */
  async live (actor: Actor, q: SubjectQuery & { from?: string | undefined; to?: string | undefined }): Promise<KpiView> {
    const s = await this.subject(actor, q)
    const at = this.clock()
    const facts = await this.facts(s, at)
    const per = facts.map((b) => ({ b, k: buildingKpis(b, at, this.params) }))
    const children = await this.children(s, per)
    const today = localDate(at, DEFAULT_TIME_ZONE)
    const from = q.from ?? localDate(at - 30 * 86_400_000, DEFAULT_TIME_ZONE)
    const to = q.to ?? today
    if (from > to) throw new Errors.BadRequest('from is after to')
    return {
      subject: { kind: s.kind, id: s.id, name: s.name },
      asOf: new Date(at).toISOString(),
      buildings: facts.length,
      figures: views(aggregate(per.map((x) => x.k))),
      children,
      snapshots: await this.snapshotsOf(s, from, to),
    }
  }

  private async children (s: Subject, per: Array<{ b: BuildingKpiFacts; k: Record<KpiId, KpiResult> }>): Promise<KpiView['children']> {
    if (s.kind === 'building') return []
    const level = s.kind === 'city' ? 0 : s.kind === 'landlord' ? AREA_KINDS.length : AREA_KINDS.indexOf(s.kind as AreaKind) + 1
    if (level >= AREA_KINDS.length) {
      const names = await this.names('buildings', per.map((x) => x.b.buildingId))
      return per.map((x) => ({ kind: 'building' as const, id: x.b.buildingId, name: names.get(x.b.buildingId) ?? x.b.buildingId, figures: views(aggregate([x.k])) }))
    }
    // The area one level down is the path's segment at that level: /district/street/community/grid/.
    const groups = new Map<string, Array<Record<KpiId, KpiResult>>>()
    for (const x of per) {
      const id = x.b.areaPath.split('/').filter((p) => p !== '')[level]
      if (id !== undefined) groups.set(id, [...(groups.get(id) ?? []), x.k])
    }
    const names = await this.names('areas', [...groups.keys()])
    return [...groups].map(([id, ks]) => ({ kind: AREA_KINDS[level]!, id, name: names.get(id) ?? id, figures: views(aggregate(ks)) }))
      .sort((a, b) => a.name.localeCompare(b.name))
  }

  private async names (table: 'areas' | 'buildings', ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map()
    const r = await this.ctx.db.query<{ id: string; name: string }>(`select id, name from ${table} where id in (${ids.map((_, i) => `$${i + 1}`).join(', ')})`, [...ids])
    return new Map(r.rows.map((x) => [x.id, x.name]))
  }

  /** The daily snapshots of a subject from `from` to `to` (local dates), oldest first. */
  private async snapshotsOf (s: Subject, from: string, to: string): Promise<KpiView['snapshots']> {
    type Row = { day: string; kpi: string; numerator: number; denominator: number }
    const r = s.stored
      ? await this.ctx.db.query<Row>(
        `select day::text as day, kpi, numerator, denominator from kpi_snapshots
          where subject_id = $1 and subject_kind = $2 and day between $3::date and $4::date order by day`, [s.id, s.kind, from, to])
      : await this.ctx.db.query<Row>(
        `select s.day::text as day, s.kpi, sum(s.numerator) as numerator, sum(s.denominator) as denominator
           from kpi_snapshots s join buildings b on b.id = s.subject_id
          where s.subject_kind = 'building' and (${s.selection.where}) and s.day between $${s.selection.params.length + 1}::date and $${s.selection.params.length + 2}::date
          group by s.day, s.kpi order by s.day`, [...s.selection.params, from, to])
    return groupByDay(r.rows)
  }

  /** The cases behind one KPI of the subject: ids, the room, the resident's name masked. A read of personal data, audited. */
  async cases (actor: Actor, q: SubjectQuery & { kpi: KpiId }): Promise<{ kpi: KpiId; figure: KpiFigureView; cases: KpiCaseView[] }> {
    const s = await this.subject(actor, q)
    const at = this.clock()
    const results = (await this.facts(s, at)).map((b) => buildingKpis(b, at, this.params)[q.kpi])
    const all = results.flatMap((r) => r.cases)
    const regIds = all.filter((c) => c.kind === 'registration').map((c) => c.id)
    const labels = new Map<string, { room: string; name: string }>()
    for (let i = 0; i < regIds.length; i += 500) {
      const part = regIds.slice(i, i + 500)
      const r = await this.ctx.db.query<{ id: string; number: string; name: string }>(
        `select g.id, r.number, coalesce(d.name, p.name) as name from registrations g join rooms r on r.id = g.room_id
           join residents p on p.id = g.resident_id left join registration_details d on d.registration_id = g.id
          where g.id in (${part.map((_, j) => `$${j + 1}`).join(', ')})`, part)
      for (const x of r.rows) labels.set(x.id, { room: x.number, name: x.name })
    }
    const buildingNames = await this.names('buildings', [...new Set(all.map((c) => c.buildingId))])
    const cases: KpiCaseView[] = all.map((c) => ({
      kind: c.kind, id: c.id, buildingId: c.buildingId, buildingName: buildingNames.get(c.buildingId) ?? c.buildingId,
      roomNumber: c.kind === 'registration' ? labels.get(c.id)?.room ?? null : null,
      residentMasked: c.kind === 'registration' ? maskName(labels.get(c.id)?.name ?? '') : null,
      counted: c.counted, reason: c.reason, weight: c.weight ?? 1,
    }))
    // Not counted first: what to put right.
    cases.sort((a, b) => Number(a.counted) - Number(b.counted) || a.buildingName.localeCompare(b.buildingName) || (a.roomNumber ?? '').localeCompare(b.roomNumber ?? ''))
    await writeAudit(this.ctx.db, actor, 'kpi.cases_read', { type: s.kind === 'building' ? 'building' : 'area', id: s.id }, { kpi: q.kpi, returned: cases.length })
    return { kpi: q.kpi, figure: figureView(aggregate(results.map((r) => ({ ...emptyFigures(), [q.kpi]: r })))[q.kpi]), cases }
  }

  /** The month's report of the subject (written after the month ended), with the day count. */
  async monthly (actor: Actor, q: SubjectQuery & { month: string }): Promise<KpiMonthlyView> {
    const s = await this.subject(actor, q)
    type Row = { kpi: string; numerator: number; denominator: number; days: number }
    const r = s.stored
      ? await this.ctx.db.query<Row>('select kpi, numerator, denominator, days from kpi_reports where subject_id = $1 and subject_kind = $2 and month = $3', [s.id, s.kind, q.month])
      : await this.ctx.db.query<Row>(
        `select k.kpi, sum(k.numerator) as numerator, sum(k.denominator) as denominator, max(k.days) as days
           from kpi_reports k join buildings b on b.id = k.subject_id
          where k.subject_kind = 'building' and (${s.selection.where}) and k.month = $${s.selection.params.length + 1} group by k.kpi`, [...s.selection.params, q.month])
    const by = new Map(r.rows.map((x) => [x.kpi, x]))
    return {
      subject: { kind: s.kind, id: s.id, name: s.name },
      month: q.month,
      days: Math.max(0, ...r.rows.map((x) => Number(x.days))),
      figures: KPI_IDS.map((k) => figureView(figure(k, Number(by.get(k)?.numerator ?? 0), Number(by.get(k)?.denominator ?? 0)))),
    }
  }

  /** The daily snapshot: every building's figures and every area's sums, for the day of `at` (Asia/Shanghai). */
  async snapshot (at = this.clock()): Promise<{ day: string; rows: number }> {
    const day = localDate(at, DEFAULT_TIME_ZONE)
    const facts = await readKpiFacts(this.ctx.db, { where: 'true', params: [] }, at, this.params, this.ports)
    const per = facts.map((b) => ({ b, k: buildingKpis(b, at, this.params) as Record<KpiId, KpiFigure> }))
    const areas = (await this.ctx.db.query<{ id: string; kind: AreaKind; path: string }>('select id, kind, path from areas')).rows
    const rows: Array<[string, string, KpiId, KpiFigure]> = []
    for (const x of per) for (const k of KPI_IDS) rows.push(['building', x.b.buildingId, k, x.k[k]])
    for (const a of areas) {
      const inside = per.filter((x) => x.b.areaPath.startsWith(a.path))
      const sums = aggregate(inside.map((x) => x.k))
      for (const k of KPI_IDS) rows.push([a.kind, a.id, k, sums[k]])
    }
    await this.ctx.db.transaction(async (tx) => {
      for (const [kind, id, kpi, f] of rows) {
        await tx.query(
          `insert into kpi_snapshots (day, subject_kind, subject_id, kpi, numerator, denominator) values ($1, $2, $3, $4, $5, $6)
           on conflict (subject_id, kpi, day) do update set numerator = excluded.numerator, denominator = excluded.denominator, created_at = now()`,
          [day, kind, id, kpi, f.numerator, f.denominator])
      }
    })
    await this.prune(at)
    return { day, rows: rows.length }
  }

  /**
   * Forgets what no KPI reads any more: the last passage of a stay ended before the period (a trace of a
   * person's movement, kept no longer than it serves), and door counts older than the evidence window.
   */
  private async prune (at: number): Promise<void> {
    const stays = new Date(at - (this.params.periodDays + 7) * 86_400_000)
    await this.ctx.db.query(
      `delete from kpi_own_passages o using registrations g
        where g.id = o.registration_id and g.status = 'departed' and g.departed_at < $1`, [stays])
    const days = localDate(at - (this.params.evidenceDays + 1) * 86_400_000, DEFAULT_TIME_ZONE)
    await this.ctx.db.query('delete from kpi_door_days where day < $1::date', [days])
  }

  /** Writes the report of every month before the day of `at` that has snapshots and no report yet. */
  async monthlyReports (at = this.clock()): Promise<string[]> {
    const month = localDate(at, DEFAULT_TIME_ZONE).slice(0, 7)
    const r = await this.ctx.db.query<{ month: string }>(
      `select distinct to_char(s.day, 'YYYY-MM') as month from kpi_snapshots s
        where to_char(s.day, 'YYYY-MM') < $1 and not exists (select 1 from kpi_reports k where k.month = to_char(s.day, 'YYYY-MM'))
        order by 1`, [month])
    for (const { month: m } of r.rows) {
      await this.ctx.db.query(
        `insert into kpi_reports (month, subject_kind, subject_id, kpi, numerator, denominator, days)
         select $1, subject_kind, subject_id, kpi, sum(numerator), sum(denominator), count(*) from kpi_snapshots
          where to_char(day, 'YYYY-MM') = $1 group by subject_kind, subject_id, kpi
         on conflict (subject_id, kpi, month) do nothing`, [m])
    }
    return r.rows.map((x) => x.month)
  }
}

function emptyFigures (): Record<KpiId, KpiFigure> {
  return Object.fromEntries(KPI_IDS.map((k) => [k, figure(k, 0, 0)])) as Record<KpiId, KpiFigure>
}

function groupByDay (rows: ReadonlyArray<{ day: string; kpi: string; numerator: number; denominator: number }>): KpiView['snapshots'] {
  const days = new Map<string, Map<string, { numerator: number; denominator: number }>>()
  for (const r of rows) {
    const m = days.get(r.day) ?? new Map()
    m.set(r.kpi, { numerator: Number(r.numerator), denominator: Number(r.denominator) })
    days.set(r.day, m)
  }
  return [...days].map(([day, m]) => ({
    day,
    figures: KPI_IDS.map((k) => figureView(figure(k, m.get(k)?.numerator ?? 0, m.get(k)?.denominator ?? 0))),
  }))
}

export { KPI_TARGETS }
