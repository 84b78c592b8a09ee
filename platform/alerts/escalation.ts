// Escalation by time: an alert nobody acknowledged within the time of its
// type and severity is raised to the parent area (community -> street ->
// district), one level per period, recorded in its history
// (escalated_to_parent), announced to the parent area's webhooks and to the
// live consoles. A periodic job sweeps the open alerts; clock and timers are
// injectable so tests need not wait.

import type { Logger } from 'pino'
import { ALERT_TYPES, SEVERITIES, type AlertType, type Severity } from '../../contract/vocabulary.ts'
import { PeriodicJob, type JobTimers } from '../jobs/periodic-job.ts'
import type { AlertService } from './alert-service.ts'

/** Seconds an alert may stay unacknowledged before it goes up a level; null: never. */
export interface EscalationPolicy {
  bySeverity: Record<Severity, number | null>
  /** `type` or `type:severity` -> seconds (null: never), overriding bySeverity. */
  overrides: Record<string, number | null>
}

export const DEFAULT_ESCALATION: EscalationPolicy = {
  bySeverity: { critical: 600, major: 1800, warning: 7200, info: null },
  overrides: {},
}

/** The time of one alert: `type:severity`, then `type`, then its severity. */
export function escalationAfterS (policy: EscalationPolicy, type: AlertType, severity: Severity): number | null {
  const o = policy.overrides
  if (`${type}:${severity}` in o) return o[`${type}:${severity}`]!
  if (type in o) return o[type]!
  return policy.bySeverity[severity] ?? null
}

const DURATION = /^(\d{1,6})(s|m|h)$/

/**
 * ALERT_ESCALATE_AFTER: comma-separated `key=duration`, key a severity, an
 * alert type or `type:severity`, duration `90s`, `10m`, `2h` or `off`.
 * Unnamed keys keep the defaults. Returns the policy, or the problems.
 */
export function parseEscalationPolicy (raw: string | undefined): { policy: EscalationPolicy; problems: string[] } {
  const policy: EscalationPolicy = { bySeverity: { ...DEFAULT_ESCALATION.bySeverity }, overrides: {} }
  const problems: string[] = []
  const value = raw?.trim() ?? ''
  if (value === '') return { policy, problems }
  for (const entry of value.split(',').map((e) => e.trim()).filter((e) => e !== '')) {
    const [key = '', duration = '', ...rest] = entry.split('=').map((x) => x.trim())
    const m = DURATION.exec(duration)
    if (rest.length > 0 || (duration !== 'off' && m === null)) {
      problems.push(`ALERT_ESCALATE_AFTER: ${JSON.stringify(entry)} is not key=duration (a number with s, m or h, or off)`)
      continue
    }
    const seconds = m === null ? null : Number(m[1]) * (m[2] === 'h' ? 3600 : m[2] === 'm' ? 60 : 1)
    if (seconds !== null && seconds < 1) {
      problems.push(`ALERT_ESCALATE_AFTER: ${JSON.stringify(entry)}: at least 1s`)
      continue
    }
    const [type, severity, ...more] = key.split(':')
    const isType = (t: string | undefined): boolean => (ALERT_TYPES as readonly string[]).includes(t ?? '')
    const isSeverity = (s: string | undefined): s is Severity => (SEVERITIES as readonly string[]).includes(s ?? '')
    if (more.length === 0 && severity === undefined && isSeverity(type)) policy.bySeverity[type] = seconds
    else if (more.length === 0 && severity === undefined && isType(type)) policy.overrides[type!] = seconds
    else if (more.length === 0 && isType(type) && isSeverity(severity)) policy.overrides[key] = seconds
    else problems.push(`ALERT_ESCALATE_AFTER: ${JSON.stringify(key)} is neither a severity, an alert type nor type:severity`)
  }
  return { policy, problems }
}

export interface AlertEscalationDeps {
  alerts: Pick<AlertService, 'escalateOverdue'>
  policy?: EscalationPolicy
  logger: Pick<Logger, 'error' | 'info'>
  /** Time between sweeps; default a minute. */
  intervalMs?: number
  now?: () => number
  timers?: JobTimers
}

export class AlertEscalation {
  private readonly job: PeriodicJob<number>
  private readonly policy: EscalationPolicy

  constructor (private readonly deps: AlertEscalationDeps) {
    this.policy = deps.policy ?? DEFAULT_ESCALATION
    this.job = new PeriodicJob({
      name: 'alert escalation', run: () => this.sweep(), intervalMs: deps.intervalMs ?? 60_000, logger: deps.logger,
      ...(deps.timers === undefined ? {} : { timers: deps.timers }),
      ...(deps.now === undefined ? {} : { now: deps.now }),
    })
  }

  start (): void { this.job.start() }

  async stop (): Promise<void> { await this.job.stop() }

  /** One sweep now; how many alerts went up a level. */
  runOnce (): Promise<number> { return this.job.runOnce() }

  get counters (): { runs: number; failures: number } { return this.job.counters }

  private async sweep (): Promise<number> {
    const at = this.deps.now === undefined ? undefined : new Date(this.deps.now())
    const n = await this.deps.alerts.escalateOverdue((type, severity) => escalationAfterS(this.policy, type, severity), at)
    if (n > 0) this.deps.logger.info({ escalated: n }, 'unacknowledged alerts raised to the parent area')
    return n
  }
}
