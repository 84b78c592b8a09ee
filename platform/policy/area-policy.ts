// The house-grade settings of a jurisdiction (docs/policy.md): the thresholds
// that map a house's score to a grade, the colour of each grade, and how often
// a house of each grade is patrolled. Stored per area (migration 031); an area
// takes the settings of the nearest area up the tree that has some (itself
// first), else the platform's defaults (DEFAULT_SCORE_PARAMS).
//
// Administrators set them anywhere; police of a district or a street for their
// area and the areas below it (a community's or a grid's police read them);
// grid workers read those of their subtree. Every change is audited.

import type { AreaPolicySettings, EffectiveAreaPolicy } from '../../contract/routes/policy-routes.ts'
import { Errors } from '../errors.ts'
import type { Actor } from '../registry/access.ts'
import { writeAudit } from '../registry/audit-log.ts'
import { iso, type RegistryContext } from '../registry/context.ts'
import type { Queryable } from '../store/database.ts'
import { DEFAULT_SCORE_PARAMS, type ScoreParams } from './house-score.ts'

export type { AreaPolicySettings, EffectiveAreaPolicy }

export const DEFAULT_AREA_POLICY: AreaPolicySettings = {
  thresholds: { ...DEFAULT_SCORE_PARAMS.thresholds },
  gradeColours: { ...DEFAULT_SCORE_PARAMS.gradeColours },
  patrolDays: { ...DEFAULT_SCORE_PARAMS.patrolDays },
}

export { patrolIntervalDays } from './patrol-schedule.ts'

/** What is wrong with settings the schema let through (the thresholds must increase), naming the field; null when nothing. */
export function settingsProblem (s: AreaPolicySettings): string | null {
  const t = s.thresholds
  if (t.focus <= t.normal) return `thresholds.focus (${t.focus}) must be above thresholds.normal (${t.normal})`
  if (t.strict <= t.focus) return `thresholds.strict (${t.strict}) must be above thresholds.focus (${t.focus})`
  return null
}

/** The score parameters with an area's settings in place of the defaults'. */
export function withSettings (params: ScoreParams, s: AreaPolicySettings): ScoreParams {
  return { ...params, thresholds: { ...s.thresholds }, gradeColours: { ...s.gradeColours }, patrolDays: { ...s.patrolDays } }
}

/** Levels below the root of a path: '/d/' is 1 (a district), '/d/s/' 2 (a street). */
const depth = (path: string): number => path.split('/').filter((p) => p !== '').length

/** Administrators; police and grid workers inside their subtree. */
export function mayRead (actor: Actor, areaPath: string): boolean {
  if (actor.role === 'admin') return true
  if (actor.role !== 'police' && actor.role !== 'grid_worker') return false
  return actor.areaPath !== undefined && areaPath.startsWith(actor.areaPath)
}

/** Administrators; police of a district or a street, inside their subtree. */
export function mayChange (actor: Actor, areaPath: string): boolean {
  if (actor.role === 'admin') return true
  return actor.role === 'police' && actor.areaPath !== undefined && depth(actor.areaPath) <= 2 && areaPath.startsWith(actor.areaPath)
}

interface SettingsRow {
  area_id: string; area_name: string; normal_from: string | number; focus_from: string | number; strict_from: string | number
  colour_trusted: string; colour_normal: string; colour_focus: string; colour_strict: string
  patrol_trusted_days: number; patrol_normal_days: number; patrol_focus_days: number; patrol_strict_days: number; patrol_finding_open_days: number
  updated_at: Date; updated_by: string
}

const toSettings = (r: SettingsRow): AreaPolicySettings => ({
  thresholds: { normal: Number(r.normal_from), focus: Number(r.focus_from), strict: Number(r.strict_from) },
  gradeColours: { trusted: r.colour_trusted, normal: r.colour_normal, focus: r.colour_focus, strict: r.colour_strict },
  patrolDays: {
    trusted: r.patrol_trusted_days, normal: r.patrol_normal_days, focus: r.patrol_focus_days, strict: r.patrol_strict_days, findingOpen: r.patrol_finding_open_days,
  },
})

// The settings of the nearest area whose path `$1` lies under: the longest such path.
const NEAREST = `select s.*, a.name as area_name from area_policy_settings s join areas a on a.id = s.area_id
  where left($1::text, length(a.path)) = a.path order by length(a.path) desc limit 1`

export class AreaPolicies {
  constructor (private readonly ctx: RegistryContext) {}

  /** The settings that hold at an area path (a building's `area_path`): the nearest area's up the tree, else the defaults. */
  async forPath (q: Queryable, areaPath: string): Promise<AreaPolicySettings> {
    const r = await q.query<SettingsRow>(NEAREST, [areaPath])
    return r.rows[0] === undefined ? DEFAULT_AREA_POLICY : toSettings(r.rows[0])
  }

  async effective (actor: Actor, areaId: string): Promise<EffectiveAreaPolicy> {
    const area = await this.area(actor, areaId)
    return await this.view(this.ctx.db, actor, area)
  }

  async set (actor: Actor, areaId: string, s: AreaPolicySettings): Promise<EffectiveAreaPolicy> {
    const area = await this.changeable(actor, areaId)
    const problem = settingsProblem(s)
    if (problem !== null) throw new Errors.BadRequest(problem)
    return await this.ctx.db.transaction(async (tx) => {
      const before = await this.own(tx, areaId)
      const t = s.thresholds
      const c = s.gradeColours
      const d = s.patrolDays
      await tx.query(
        `insert into area_policy_settings (area_id, normal_from, focus_from, strict_from, colour_trusted, colour_normal, colour_focus, colour_strict,
           patrol_trusted_days, patrol_normal_days, patrol_focus_days, patrol_strict_days, patrol_finding_open_days, updated_at, updated_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
         on conflict (area_id) do update set normal_from = excluded.normal_from, focus_from = excluded.focus_from, strict_from = excluded.strict_from,
           colour_trusted = excluded.colour_trusted, colour_normal = excluded.colour_normal, colour_focus = excluded.colour_focus,
           colour_strict = excluded.colour_strict, patrol_trusted_days = excluded.patrol_trusted_days, patrol_normal_days = excluded.patrol_normal_days,
           patrol_focus_days = excluded.patrol_focus_days, patrol_strict_days = excluded.patrol_strict_days,
           patrol_finding_open_days = excluded.patrol_finding_open_days, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
        [areaId, t.normal, t.focus, t.strict, c.trusted.toLowerCase(), c.normal.toLowerCase(), c.focus.toLowerCase(), c.strict.toLowerCase(),
          d.trusted, d.normal, d.focus, d.strict, d.findingOpen, this.ctx.now(), actor.id])
      const after = (await this.own(tx, areaId))!
      await writeAudit(tx, actor, 'policy_settings.set', { type: 'area', id: areaId }, { before, after })
      return await this.view(tx, actor, area)
    })
  }

  /** Takes an area's own settings away: it takes those above it again. Nothing to take away changes nothing. */
  async clear (actor: Actor, areaId: string): Promise<EffectiveAreaPolicy> {
    const area = await this.changeable(actor, areaId)
    return await this.ctx.db.transaction(async (tx) => {
      const before = await this.own(tx, areaId)
      if (before !== null) {
        await tx.query('delete from area_policy_settings where area_id = $1', [areaId])
        await writeAudit(tx, actor, 'policy_settings.cleared', { type: 'area', id: areaId }, { before })
      }
      return await this.view(tx, actor, area)
    })
  }

  private async view (q: Queryable, actor: Actor, area: { id: string; path: string }): Promise<EffectiveAreaPolicy> {
    const r = await q.query<SettingsRow>(NEAREST, [area.path])
    const row = r.rows[0]
    return {
      areaId: area.id,
      settings: row === undefined ? DEFAULT_AREA_POLICY : toSettings(row),
      source: row === undefined ? null : { areaId: row.area_id, areaName: row.area_name, updatedAt: iso(row.updated_at), updatedBy: row.updated_by },
      own: row?.area_id === area.id,
      mayChange: mayChange(actor, area.path),
    }
  }

  private async own (q: Queryable, areaId: string): Promise<AreaPolicySettings | null> {
    const r = await q.query<SettingsRow>('select s.*, \'\' as area_name from area_policy_settings s where s.area_id = $1', [areaId])
    return r.rows[0] === undefined ? null : toSettings(r.rows[0])
  }

  /** The area, where the actor may read its settings: 403 for roles that read none, 404 outside their subtree. */
  private async area (actor: Actor, areaId: string): Promise<{ id: string; path: string }> {
    if (actor.role !== 'admin' && actor.role !== 'police' && actor.role !== 'grid_worker') {
      throw new Errors.Forbidden('only administrators, police and grid workers read the settings of an area')
    }
    const r = await this.ctx.db.query<{ id: string; path: string }>('select id, path from areas where id = $1', [areaId])
    const area = r.rows[0]
    if (area === undefined || !mayRead(actor, area.path)) throw new Errors.NotFound(`area ${areaId}`)
    return area
  }

  private async changeable (actor: Actor, areaId: string): Promise<{ id: string; path: string }> {
    const area = await this.area(actor, areaId)
    if (!mayChange(actor, area.path)) throw new Errors.Forbidden('only administrators, and police of a district or a street for their areas, set the grade settings')
    return area
  }
}
