// Committing one batch of the pipeline: its alert candidates and its progress
// in one transaction. Two kinds of failure, told apart by the error
// (isDataError in store/database.ts):
//
// - The database cannot take it now (down, restarting, a deadlock): the batch
//   is retried with back-off, unchanged; nothing is set aside.
// - The database refuses values in it (a string it cannot store although the
//   protocol let it through, a number out of range): no retry can fix that.
//   The refused candidates are found by halving the batch (each half tried in
//   a transaction that is rolled back, only failing halves halved again, down
//   to single candidates); they are set aside (pipeline_set_aside) in the same
//   transaction that commits the others with the batch's progress. So the
//   progress row never covers an event whose alerts were partly written, and
//   one bad value never holds up the alerts behind it.

import type { Logger } from 'pino'
import { storableText } from '../../protocol/index.ts'
import type { RateLimitedLog } from '../rate-limited-log.ts'
import { isDataError, sqlState } from '../store/database.ts'
import type { AlertCandidate } from './model.ts'
import type { PipelineStore, Progress } from './pipeline.ts'

/** A candidate the database refused: kept (pipeline_set_aside) with the reason, instead of its alert. */
export interface SetAsideCandidate {
  candidate: AlertCandidate
  /** Log position of the event that proposed it; null for a tick's. */
  logSeq: number | null
  /** SQLSTATE of the refusal. */
  code: string | null
  reason: string
}

export interface CommitDeps {
  store: PipelineStore
  logger: Pick<Logger, 'error'>
  limitedLog: RateLimitedLog
  stopping: () => boolean
  /** One failed attempt. */
  failed: () => void
  /** The batch is committed: these candidates as alerts, `setAside` of them set aside. */
  committed: (candidates: AlertCandidate[], setAside: number) => void
}

/** Longest pause between two attempts while the database cannot be reached. */
const MAX_RETRY_MS = 5000

/**
 * Commits `batch` (candidates with the log position `tag` they belong to) with `progress`: retried until
 * the database takes it; the candidates it refuses are set aside. Gives up only while stopping (the event log
 * replays the batch at the next start).
 */
export async function commitBatch (batch: ReadonlyArray<{ c: AlertCandidate; tag: number }>, progress: Progress, deps: CommitDeps): Promise<void> {
  let candidates = batch.map((p) => p.c)
  const aside: SetAsideCandidate[] = []
  const logSeqOf = (c: AlertCandidate): number | null => {
    const tag = batch.find((p) => p.c === c)?.tag // only for the few refused ones
    return tag !== undefined && Number.isInteger(tag) ? tag : null
  }
  for (let attempt = 0; ; attempt++) {
    try {
      await deps.store.commit(candidates, progress, aside)
      for (const a of aside) {
        deps.limitedLog.log('error', 'set-aside', { code: a.code, logSeq: a.logSeq, type: a.candidate.type, buildingId: a.candidate.buildingId },
          'the database refused an alert candidate; it is set aside in pipeline_set_aside', { code: a.code })
      }
      deps.committed(candidates, aside.length)
      return
    } catch (err) {
      deps.failed()
      if (isDataError(err) && candidates.length > 0) {
        // The first refusal is searched; a refusal of what is left after that (values that fail only together,
        // which halving cannot single out) sets the rest aside, so the pipeline always moves on.
        const refused = aside.length === 0 ? await search(candidates, err, deps) : new Map<AlertCandidate, unknown>()
        if (refused !== undefined) {
          const all = refused.size === 0 ? new Map(candidates.map((c) => [c, err])) : refused
          for (const [c, e] of all) aside.push(setAsideRecord(c, logSeqOf(c), e))
          candidates = candidates.filter((c) => !all.has(c))
          attempt = -1
          continue
        }
      }
      if (deps.stopping() && attempt >= 3) {
        deps.logger.error({ err, candidates: candidates.length }, 'could not commit alerts while stopping; the event log replays them at the next start')
        return
      }
      const retryInMs = Math.min(100 * 2 ** attempt, MAX_RETRY_MS)
      deps.limitedLog.log('error', 'commit', { err, attempt, candidates: candidates.length, retryInMs }, 'committing alerts failed; retrying')
      await new Promise((r) => setTimeout(r, retryInMs))
    }
  }
}

/** The refused candidates, or undefined when the database could not be asked (the batch is retried then). */
async function search (candidates: AlertCandidate[], err: unknown, deps: CommitDeps): Promise<Map<AlertCandidate, unknown> | undefined> {
  try {
    return await findRefused(candidates, err, (part) => deps.store.probe(part))
  } catch (probeErr) {
    deps.logger.error({ err: probeErr }, 'could not find which alert candidates the database refuses; retrying the batch')
    return undefined
  }
}

/**
 * The candidates of `items` the database refuses, with its error for each. `probe` runs a commit of some
 * candidates and rolls it back, throwing what the database threw; `knownError` is the refusal of the whole
 * batch (no need to try it again). An error that is not about the values (the database went away meanwhile)
 * is thrown.
 */
export async function findRefused (
  items: readonly AlertCandidate[], knownError: unknown, probe: (part: AlertCandidate[]) => Promise<void>,
): Promise<Map<AlertCandidate, unknown>> {
  const refused = new Map<AlertCandidate, unknown>()
  const visit = async (part: readonly AlertCandidate[], err: unknown): Promise<void> => {
    if (err === undefined) {
      try {
        await probe([...part])
        return
      } catch (e) {
        if (!isDataError(e)) throw e
        err = e
      }
    }
    if (part.length === 1) {
      refused.set(part[0]!, err)
      return
    }
    const mid = part.length >> 1
    await visit(part.slice(0, mid), undefined)
    await visit(part.slice(mid), undefined)
  }
  if (items.length > 0) await visit(items, knownError)
  return refused
}

/** The record kept of a refused candidate: the database's reason, made storable itself. */
export function setAsideRecord (candidate: AlertCandidate, logSeq: number | null, err: unknown): SetAsideCandidate {
  const reason = err instanceof Error ? err.message : String(err)
  return { candidate, logSeq, code: sqlState(err) ?? null, reason: storableText(reason.slice(0, 500)) }
}
