// The house score of one building as the API gives it: the building checked
// against the caller's scope, its facts read, scored (house-score.ts).
// Its landlord (what to put right), the grid and the police of its area may
// read it; a device vendor of the building may not. The thresholds are those
// of the building's area (area-policy.ts).

import type { HouseScoreView } from '../../contract/routes/policy-routes.ts'
import type { Actor } from '../registry/access.ts'
import { loadBuilding, type BuildingRow } from '../registry/buildings.ts'
import type { RegistryContext } from '../registry/context.ts'
import { readHouseFacts } from './house-facts.ts'
import { AreaPolicies, patrolIntervalDays, withSettings } from './area-policy.ts'
import { DEFAULT_SCORE_PARAMS, scoreHouse, type ScoreParams } from './house-score.ts'

export class HouseScores {
  constructor (
    private readonly ctx: RegistryContext,
    /** The settings of the building's area: its thresholds and patrol intervals take the place of the defaults'. */
    readonly policies: AreaPolicies = new AreaPolicies(ctx),
    private readonly params: ScoreParams = DEFAULT_SCORE_PARAMS,
  ) {}

  async score (actor: Actor, buildingId: string): Promise<HouseScoreView> {
    return await this.scoreRow(await loadBuilding(this.ctx.db, actor, buildingId, 'residents.read'))
  }

  /** The score of a building already loaded (and checked, where a person asks). */
  async scoreRow (building: BuildingRow): Promise<HouseScoreView> {
    const buildingId = building.id
    const at = this.ctx.now().getTime()
    const params = withSettings(this.params, await this.policies.forPath(this.ctx.db, building.area_path))
    const s = scoreHouse(await readHouseFacts(this.ctx.db, building, at, params), params)
    const iso = (t: number): string => new Date(t).toISOString()
    return {
      buildingId,
      asOf: iso(at),
      score: s.score,
      grade: building.grade,
      proposedGrade: s.grade,
      thresholds: { ...params.thresholds },
      gradeColours: { ...params.gradeColours },
      patrolIntervalDays: patrolIntervalDays(params, building.grade, s.points.some((p) => p.cause === 'patrol_finding_open')),
      byDimension: s.byDimension,
      points: s.points.map((p) => ({ ...p, since: iso(p.since), expiresAt: p.expiresAt === null ? null : iso(p.expiresAt) })),
    }
  }
}
