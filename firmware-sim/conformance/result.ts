// The outcome of checking one requirement.

export type Verdict = 'pass' | 'fail' | 'not_checked'

export interface CheckResult {
  verdict: Verdict
  /** Why it failed, or why it was not checked. */
  reason?: string
  /** The message or packet that broke the requirement. */
  offending?: unknown
  /** Observations that do not change the verdict (recommendations, what was measured). */
  notes?: string[]
}

/** Settings the checks judge by. */
export interface CheckContext {
  /** Largest accepted difference between a device time and the kit's clock, ms. */
  clockToleranceMs: number
  /** How long a command may wait for its reply, real ms. */
  replyTimeoutMs: number
  /** Heartbeat intervals (and line-count periods) that must be seen. */
  intervals: number
  /** The reader's allow-list key the kit digested its lists with, 64 hex digits. */
  allowlistKey: string
}

export const pass = (notes: string[] = []): CheckResult => (notes.length > 0 ? { verdict: 'pass', notes } : { verdict: 'pass' })
export const fail = (reason: string, offending?: unknown, notes: string[] = []): CheckResult => ({
  verdict: 'fail', reason, ...(offending === undefined ? {} : { offending }), ...(notes.length > 0 ? { notes } : {}),
})
export const notChecked = (reason: string): CheckResult => ({ verdict: 'not_checked', reason })
