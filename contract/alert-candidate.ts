// What a rule proposes and the alert service turns into an alert: the shape
// the pipeline and platform/alerts/ share without importing each other.

import type { AlertReason } from './alert-wording.ts'
import type { Jurisdiction } from './schemas/alerts.ts'
import type { AlertType, Severity } from './vocabulary.ts'

export type { Jurisdiction }

/** What a rule proposes. The alert service turns it into one alert per `dedupKey`. */
export interface AlertCandidate {
  type: AlertType
  severity: Severity
  /** Same key = same condition = same alert (its counter goes up). Include the type. */
  dedupKey: string
  buildingId: string
  roomId?: string
  door?: string
  deviceId?: string
  credentialId?: string
  residentId?: string
  /** Ids of the events behind it, as `${deviceId}/${eventId}`; most recent last, at most 20. */
  evidence: string[]
  /** What it says, as data (contract/alert-wording.ts): the consoles word it in the reader's language. */
  reason: AlertReason
  /** One or two sentences a dispatcher understands without the manual: the English wording of `reason` (`says`). */
  explanation: string
  /** Event time (device clock) of the occurrence, ms since the epoch. */
  at: number
  /** true: the condition has cleared; resolve the open alert with this dedupKey (no new alert). */
  clears?: boolean
  /**
   * Conditions: how big the condition is now, in the unit the rule states
   * (people inside, registrations, seconds open or off). Shown as the alert's
   * `level`; incidents have none.
   */
  level?: number
  /**
   * true: the condition, already raised, has changed (its level or what its
   * explanation states): update the live alert with this dedupKey (level,
   * reason and explanation, evidence, latest time). Never opens an alert and does not
   * count as an occurrence.
   */
  updates?: boolean
}
