// Grade proposals: the grade a house's score proposes, kept with the score and
// its points as they were, until police confirm or reject it (docs/policy.md).
// The platform only proposes; a confirmation changes the building's grade in
// the same transaction, in the registry's ledger and the audit log. A daily
// job proposes for every building whose score points at another grade, and
// withdraws (supersedes) a waiting proposal that the score no longer backs.

import type { Logger } from 'pino'
import type { GradeProposal, GradeProposalStatus } from '../../contract/routes/policy-routes.ts'
import type { Grade } from '../../contract/vocabulary.ts'
import { Errors } from '../errors.ts'
import { PeriodicJob, type JobTimers } from '../jobs/periodic-job.ts'
import { buildingScope, can, type Actor } from '../registry/access.ts'
import { writeAudit } from '../registry/audit-log.ts'
import { loadBuilding, type BuildingRow } from '../registry/buildings.ts'
import { newId, type RegistryContext } from '../registry/context.ts'
import { appendLedger } from '../registry/ledger.ts'
import type { Queryable } from '../store/database.ts'
import type { HouseScores } from './house-scores.ts'

interface ProposalRow {
  id: string; building_id: string; building_name: string; from_grade: Grade; to_grade: Grade; score: string | number
  points: GradeProposal['points']; status: GradeProposalStatus; proposed_at: Date; proposed_by: string | null
  decided_at: Date | null; decided_by: string | null; note: string | null
}

const SELECT = 'select p.*, b.name as building_name from grade_proposals p join buildings b on b.id = p.building_id'

function toProposal (r: ProposalRow): GradeProposal {
  const iso = (d: Date | null): string | null => d === null ? null : new Date(d).toISOString()
  return {
    id: r.id, buildingId: r.building_id, buildingName: r.building_name, fromGrade: r.from_grade, toGrade: r.to_grade,
    score: Number(r.score), points: r.points, status: r.status, proposedAt: new Date(r.proposed_at).toISOString(),
    proposedBy: r.proposed_by, decidedAt: iso(r.decided_at), decidedBy: r.decided_by, note: r.note,
  }
}

export class GradeProposals {
  constructor (private readonly ctx: RegistryContext, private readonly scores: HouseScores) {}

  /** Proposals of the buildings whose residents the actor may read; `proposed` unless asked otherwise. */
  async list (actor: Actor, o: { status?: GradeProposalStatus; buildingId?: string } = {}): Promise<GradeProposal[]> {
    const params: unknown[] = []
    const scope = buildingScope(actor, 'residents.read', 'b', params)
    params.push(o.status ?? 'proposed')
    let where = `b.removed_at is null and ${scope} and p.status = $${params.length}`
    if (o.buildingId !== undefined) {
      params.push(o.buildingId)
      where += ` and p.building_id = $${params.length}`
    }
    const r = await this.ctx.db.query<ProposalRow>(`${SELECT} where ${where} order by p.proposed_at desc, p.id limit 500`, params)
    return r.rows.map(toProposal)
  }

  /** Police ask for a proposal now; 409 when the score proposes the grade the building has. */
  async propose (actor: Actor, buildingId: string): Promise<GradeProposal> {
    const building = await loadBuilding(this.ctx.db, actor, buildingId, 'building.grade')
    const before = await this.waiting(this.ctx.db, buildingId)
    const made = await this.proposeFor(building, actor.id)
    if (made === null) throw new Errors.Conflict(`the score of building ${buildingId} proposes the grade it has (${building.grade})`)
    // Asking again while the same proposal waits records nothing new.
    if (made.id !== before?.id) await writeAudit(this.ctx.db, actor, 'grade.proposed', { type: 'building', id: buildingId }, { proposalId: made.id, toGrade: made.toGrade })
    return made
  }

  /**
   * The daily pass over every building: a proposal where the score points at another grade than the building
   * has (a waiting one for another grade is superseded), and a waiting proposal superseded where it no longer does.
   */
  async proposeAll (): Promise<{ proposed: number; superseded: number }> {
    const r = await this.ctx.db.query<BuildingRow>('select b.* from buildings b where b.removed_at is null order by b.id')
    let proposed = 0
    let superseded = 0
    for (const b of r.rows) {
      const before = await this.waiting(this.ctx.db, b.id)
      const made = await this.proposeFor(b, null)
      if (made !== null && made.id !== before?.id) proposed++
      if (before !== undefined && made?.id !== before.id) superseded++
    }
    return { proposed, superseded }
  }

  async confirm (actor: Actor, id: string, note: string | undefined): Promise<GradeProposal> {
    return await this.decide(actor, id, 'confirmed', note ?? null)
  }

  async reject (actor: Actor, id: string, note: string): Promise<GradeProposal> {
    return await this.decide(actor, id, 'rejected', note)
  }

  /** Scores the building and keeps one waiting proposal that matches the score, or none; the waiting one, or null. */
  private async proposeFor (b: BuildingRow, by: string | null): Promise<GradeProposal | null> {
    const s = await this.scores.scoreRow(b)
    const made = await this.ctx.db.transaction(async (tx) => {
      await tx.query('select id from buildings where id = $1 for update', [b.id])
      const grade = (await tx.query<{ grade: Grade }>('select grade from buildings where id = $1', [b.id])).rows[0]!.grade
      const waiting = await this.waiting(tx, b.id)
      if (waiting !== undefined && waiting.toGrade === s.proposedGrade && waiting.fromGrade === grade) return waiting.id
      const now = this.ctx.now()
      if (waiting !== undefined) await tx.query(`update grade_proposals set status = 'superseded', decided_at = $2 where id = $1`, [waiting.id, now])
      if (s.proposedGrade === grade) return null
      const pid = newId('gp')
      await tx.query(
        `insert into grade_proposals (id, building_id, from_grade, to_grade, score, points, proposed_at, proposed_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [pid, b.id, grade, s.proposedGrade, s.score, JSON.stringify(s.points), now, by])
      return pid
    })
    return made === null ? null : await this.one(this.ctx.db, made)
  }

  /** One proposal, whatever its status, where the actor may read the building's residents. */
  async get (actor: Actor, id: string): Promise<GradeProposal> {
    return toProposal((await this.visible(actor, id)).p)
  }

  /** The proposal and its building; not found where the building is out of the actor's sight. */
  private async visible (actor: Actor, id: string): Promise<{ p: ProposalRow; building: BuildingRow }> {
    const found = await this.ctx.db.query<ProposalRow>(`${SELECT} where p.id = $1`, [id])
    const p = found.rows[0]
    if (p === undefined) throw new Errors.NotFound(`grade proposal ${id}`)
    const building = await loadBuilding(this.ctx.db, actor, p.building_id, 'residents.read').catch((err: unknown) => {
      throw err instanceof Errors.Forbidden ? new Errors.NotFound(`grade proposal ${id}`) : err
    })
    return { p, building }
  }

  private async decide (actor: Actor, id: string, status: 'confirmed' | 'rejected', note: string | null): Promise<GradeProposal> {
    // Not found where the building is out of the actor's sight; forbidden where they may see it but not grade it.
    const { p, building } = await this.visible(actor, id)
    if (!can(actor, 'building.grade', building)) throw new Errors.Forbidden('only police and administrators decide a building\'s grade')
    const now = this.ctx.now()
    await this.ctx.db.transaction(async (tx) => {
      // The grade it would change is still the building's: nobody set another meanwhile (that supersedes it too).
      const current = (await tx.query<{ grade: Grade }>('select grade from buildings where id = $1 for update', [p.building_id])).rows[0]!.grade
      if (current !== p.from_grade) {
        throw new Errors.IllegalTransition(`building ${p.building_id} is ${current} now, not ${p.from_grade} as when grade proposal ${id} was made`)
      }
      const r = await tx.query<{ from_grade: Grade; to_grade: Grade }>(
        `update grade_proposals set status = $2, decided_at = $3, decided_by = $4, note = $5 where id = $1 and status = 'proposed'
         returning from_grade, to_grade`, [id, status, now, actor.id, note])
      const row = r.rows[0]
      if (row === undefined) throw new Errors.IllegalTransition(`grade proposal ${id} is ${p.status}, not waiting for a decision`)
      if (status === 'confirmed') {
        await tx.query('update buildings set grade = $2 where id = $1', [p.building_id, row.to_grade])
        await appendLedger(tx, actor, 'building.updated', { buildingId: p.building_id }, { grade: row.to_grade, gradeProposalId: id })
      }
      await writeAudit(tx, actor, `grade.${status}`, { type: 'building', id: p.building_id }, { proposalId: id, fromGrade: row.from_grade, toGrade: row.to_grade })
    })
    if (status === 'confirmed') this.ctx.events.emit('registryChanged', { kind: 'building', buildingId: p.building_id, id: p.building_id })
    return await this.one(this.ctx.db, id)
  }

  private async waiting (q: Queryable, buildingId: string): Promise<GradeProposal | undefined> {
    const r = await q.query<ProposalRow>(`${SELECT} where p.building_id = $1 and p.status = 'proposed'`, [buildingId])
    return r.rows[0] === undefined ? undefined : toProposal(r.rows[0])
  }

  private async one (q: Queryable, id: string): Promise<GradeProposal> {
    const r = await q.query<ProposalRow>(`${SELECT} where p.id = $1`, [id])
    return toProposal(r.rows[0]!)
  }
}

/** The daily job that keeps the proposals in step with the scores. */
export class GradeProposalJob {
  private readonly job: PeriodicJob<{ proposed: number; superseded: number }>

  constructor (proposals: GradeProposals, o: { logger: Pick<Logger, 'error' | 'info'>; intervalMs?: number; firstRunDelayMs?: number; timers?: JobTimers }) {
    this.job = new PeriodicJob({
      name: 'grade proposals',
      run: async () => {
        const n = await proposals.proposeAll()
        if (n.proposed > 0 || n.superseded > 0) o.logger.info(n, 'house grades proposed from the scores')
        return n
      },
      intervalMs: o.intervalMs ?? 86_400_000,
      firstRunDelayMs: o.firstRunDelayMs ?? 600_000,
      logger: o.logger,
      ...(o.timers === undefined ? {} : { timers: o.timers }),
    })
  }

  start (): void { this.job.start() }
  async stop (): Promise<void> { await this.job.stop() }
  runOnce (): Promise<{ proposed: number; superseded: number }> { return this.job.runOnce() }
}
