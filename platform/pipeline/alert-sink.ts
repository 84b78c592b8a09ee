// Where the pipeline's alert candidates go. The pipeline declares what it
// needs; the alert service (platform/alerts/) provides it, wired in
// platform/platform.ts, so neither part imports the other.

import type { Queryable } from '../store/database.ts'
import type { AlertCandidate, Jurisdiction } from './model.ts'

export interface AlertSink {
  /**
   * Turns the candidates into alerts in one transaction, running `alsoInTx`
   * inside it (the pipeline's progress and set-aside rows); a throw from it
   * rolls everything back.
   */
  raiseBatch (
    candidates: readonly AlertCandidate[],
    jurisdictionOf: (buildingId: string) => Jurisdiction | undefined,
    alsoInTx: (tx: Queryable) => Promise<void>,
  ): Promise<unknown>
}
