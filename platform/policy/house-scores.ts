// The house score of one building as the API gives it: the building checked
// against the caller's scope, its facts read, scored (house-score.ts).
// Its landlord (what to put right), the grid and the police of its area may
// read it; a device vendor of the building may not.

import type { HouseScoreView } from '../../contract/routes/policy-routes.ts'
import type { Actor } from '../registry/access.ts'
import { loadBuilding, type BuildingRow } from '../registry/buildings.ts'
import type { RegistryContext } from '../registry/context.ts'
import { readHouseFacts } from './house-facts.ts'
import { DEFAULT_SCORE_PARAMS, scoreHouse, type ScoreParams } from './house-score.ts'

export class HouseScores {
  constructor (private readonly ctx: RegistryContext, private readonly params: ScoreParams = DEFAULT_SCORE_PARAMS) {}

  async score (actor: Actor, buildingId: string): Promise<HouseScoreView> {
    return await this.scoreRow(await loadBuilding(this.ctx.db, actor, buildingId, 'residents.read'))
  }

  /** The score of a building already loaded (and checked, where a person asks). */
  async scoreRow (building: BuildingRow): Promise<HouseScoreView> {
    const buildingId = building.id
    const at = this.ctx.now().getTime()
    const s = scoreHouse(await readHouseFacts(this.ctx.db, building, at, this.params), this.params)
    const iso = (t: number): string => new Date(t).toISOString()
    return {
      buildingId,
      asOf: iso(at),
      score: s.score,
      grade: building.grade,
      proposedGrade: s.grade,
      thresholds: { ...this.params.thresholds },
      byDimension: s.byDimension,
      points: s.points.map((p) => ({ ...p, since: iso(p.since), expiresAt: p.expiresAt === null ? null : iso(p.expiresAt) })),
    }
  }
}
