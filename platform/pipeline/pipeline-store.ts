// The pipeline's storage on the Database port: its progress row, the event
// log to replay, and the alert commit (the alert sink's transaction, with the
// progress and the candidates set aside written inside it).

import { SqlLogSource } from '../events/log-source.ts'
import type { Database, Queryable } from '../store/database.ts'
import type { AlertSink } from './alert-sink.ts'
import { LEVEL_ALERT_TYPES, type AlertCandidate, type RegistryView } from './model.ts'
import type { LiveLevelAlert, LoggedMessage, PipelineProgress, PipelineStore, Progress, SetAsideCandidate } from './pipeline.ts'

/** Thrown inside a probe's transaction once the alert statements ran, to roll it back. */
const PROBED = Symbol('probed')

export class SqlPipelineStore implements PipelineStore {
  constructor (private readonly deps: { db: Database; alerts: AlertSink; view: RegistryView; name?: string }) {}

  private get name (): string { return this.deps.name ?? 'main' }

  async loadProgress (): Promise<PipelineProgress | undefined> {
    const r = await this.deps.db.query<{ through: string | number; checkpoint_seq: string | number | null; checkpoint: string | null }>(
      'select through, checkpoint_seq, checkpoint from pipeline_progress where pipeline = $1', [this.name])
    const row = r.rows[0]
    if (row === undefined) return undefined
    return { through: Number(row.through), checkpointSeq: row.checkpoint_seq === null ? null : Number(row.checkpoint_seq), checkpoint: row.checkpoint }
  }

  readLog (afterSeq: number, limit: number): Promise<LoggedMessage[]> {
    return new SqlLogSource(this.deps.db).readLog(afterSeq, limit)
  }

  async lastLogSeq (): Promise<number> {
    const r = await this.deps.db.query<{ last: string | number | null }>('select max(log_seq) as last from events')
    return Number(r.rows[0]?.last ?? 0)
  }

  async liveLevelAlerts (): Promise<LiveLevelAlert[]> {
    const r = await this.deps.db.query<{ dedup_key: string; building_id: string; last_at: Date; level: number | null }>(
      `select dedup_key, building_id, last_at, level from alerts where status <> 'resolved' and type = any($1::text[])`, [[...LEVEL_ALERT_TYPES]])
    return r.rows.map((a) => ({ dedupKey: a.dedup_key, buildingId: a.building_id, lastAt: new Date(a.last_at).getTime(), level: a.level }))
  }

  async commit (candidates: AlertCandidate[], progress: Progress, setAside: SetAsideCandidate[] = []): Promise<void> {
    await this.deps.alerts.raiseBatch(candidates, (b) => this.deps.view.jurisdiction(b), async (tx) => {
      await this.saveProgress(tx, progress)
      await this.saveSetAside(tx, setAside)
    })
  }

  async probe (candidates: AlertCandidate[]): Promise<void> {
    try {
      await this.deps.alerts.raiseBatch(candidates, (b) => this.deps.view.jurisdiction(b), () => { throw PROBED })
    } catch (err) {
      if (err !== PROBED) throw err
    }
  }

  async setAsideCount (): Promise<number> {
    const r = await this.deps.db.query<{ n: number }>('select count(*)::int as n from pipeline_set_aside where pipeline = $1', [this.name])
    return r.rows[0]?.n ?? 0
  }

  private async saveSetAside (tx: Queryable, items: readonly SetAsideCandidate[]): Promise<void> {
    for (const a of items) {
      await tx.query('insert into pipeline_set_aside (pipeline, log_seq, code, reason, candidate) values ($1, $2, $3, $4, $5)',
        [this.name, a.logSeq, a.code, a.reason, JSON.stringify(a.candidate)])
    }
  }

  private async saveProgress (tx: Queryable, p: Progress): Promise<void> {
    if (p.checkpoint === undefined) {
      const r = await tx.query('update pipeline_progress set through = $2, updated_at = now() where pipeline = $1', [this.name, p.through])
      if (r.rowCount > 0) return
    }
    await tx.query(
      `insert into pipeline_progress (pipeline, through, checkpoint_seq, checkpoint, checkpoint_at, updated_at)
       values ($1, $2, $3, $4, case when $4::text is null then null else now() end, now())
       on conflict (pipeline) do update set through = excluded.through, updated_at = excluded.updated_at,
         checkpoint_seq = coalesce(excluded.checkpoint_seq, pipeline_progress.checkpoint_seq),
         checkpoint = coalesce(excluded.checkpoint, pipeline_progress.checkpoint),
         checkpoint_at = coalesce(excluded.checkpoint_at, pipeline_progress.checkpoint_at)`,
      [this.name, p.through, p.checkpoint?.seq ?? null, p.checkpoint?.state ?? null])
  }
}
