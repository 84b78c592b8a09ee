// Ground truth: every condition the platform should detect, with where it is
// (the alert fields that identify it) and when (the sim time it became
// detectable and the latest time a detection still counts). Written out as
// JSON by `--truth file`; read back by the scorer. The rule vocabulary (alert
// types, rule settings) is the platform's own, so the two cannot drift apart.

import type { AlertCandidate } from '../../contract/alert-candidate.ts'
import { ALERT_TYPES, LEVEL_ALERT_TYPES, type AlertType } from '../../contract/vocabulary.ts'
import { DEFAULT_RULE_PARAMS, type RuleParams } from '../../platform/starter.ts'

/** The platform's alert types (docs/rules.md), one per rule. */
export const RULE_TYPES = ALERT_TYPES
export type RuleType = AlertType

/**
 * Conditions are raised once per episode and resolved by the platform; the rest are incidents that fold per key.
 * `reader_not_updated` is raised beside the allow-list pusher rather than by a rule, but it is a condition too.
 */
export const CONDITION_TYPES: ReadonlySet<string> = new Set([...LEVEL_ALERT_TYPES, 'reader_not_updated' satisfies AlertType])

/** Alert fields an alert must carry to be this item's alert. Before resolution, credential and resident are world refs. */
export type TruthMatch = Pick<AlertCandidate, 'buildingId'> & Partial<Pick<AlertCandidate, 'roomId' | 'door' | 'deviceId' | 'credentialId' | 'residentId' | 'dedupKey'>>

export interface TruthItem {
  id: string
  type: RuleType
  match: TruthMatch
  /** Sim time the platform could first detect it. */
  at: number
  /** Latest sim time a detection counts for this item. */
  deadline: number
  /** Conditions: when the condition ended (null: still holding at the end). */
  endedAt?: number | null
  /** The anomaly (or `move-out`, ...) that caused it. */
  cause: string
  /** One sentence for people. */
  note: string
  /** false: it became due too close to the end of the run to be scored (matching alerts are ignored). */
  expected: boolean
}

/** The rule settings the platform runs with (its RULE_* variables). */
export type RuleSettings = RuleParams

/** The platform's defaults (docs/rules.md). */
export const DEFAULT_RULES: RuleSettings = DEFAULT_RULE_PARAMS

/** How often the platform looks, on the sim clock, and how late a detection may be. */
export interface DetectionTiming {
  /** Interval of the platform's ticks (offline, overstay, tailgating judgement), sim seconds. */
  tickS: number
  /** Interval of its whole-registry sweeps (not seen, vacant, registered overcrowding), sim seconds. */
  sweepS: number
  /** Slack after the expected detection delay before a detection counts as missed, sim seconds. */
  toleranceS: number
}

export interface TruthFile {
  version: 1
  seed: string
  namespace: string
  buildings: string[]
  start: string
  end: string
  /** Sim clock segments, to turn the platform's createdAt (system clock) into sim time. */
  clock: Array<{ real: number; sim: number; speed: number }>
  rules: RuleSettings
  timing: DetectionTiming
  items: TruthItem[]
}

/** Replaces the world's credential and person refs in the items by the platform's ids (as alerts carry them). */
export function resolveTruth (items: readonly TruthItem[], ids: { credentials: ReadonlyMap<string, string>; residents: ReadonlyMap<string, string> }): TruthItem[] {
  return items.map((item) => {
    const match = { ...item.match }
    if (match.credentialId !== undefined) match.credentialId = ids.credentials.get(match.credentialId) ?? `unissued:${match.credentialId}`
    if (match.residentId !== undefined) match.residentId = ids.residents.get(match.residentId) ?? `unregistered:${match.residentId}`
    return { ...item, match }
  })
}
