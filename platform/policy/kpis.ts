// The city plans' KPIs, measured from what the doors saw and what the registry
// holds (docs/policy.md "KPIs"). Pure functions over plain facts of one
// building; an area's figure is the sum of its buildings' numerators over the
// sum of their denominators. No names: cases carry ids only.

import { KPI_IDS, type KpiId } from '../../contract/vocabulary.ts'
import { localDate } from '../registry/time-zones.ts'

export { KPI_IDS, type KpiId }

const DAY = 86_400_000

/** The city plans' targets, as shares (a KPI meets its target at or above it). */
export const KPI_TARGETS: Record<KpiId, number> = {
  registration_rate: 0.90,
  timely_deregistration: 0.85,
  household_consistency: 0.80,
  rental_registration: 0.95,
  agreement_rate: 1.00,
  // Not given a figure of its own by the plans: held to the registration rate's, whose part it is.
  entry_timeliness: 0.90,
  // The plans reconcile the records every month: every item on the month's lists signed off.
  reconciled_share: 1.00,
}

export interface KpiParams {
  /** Days after the last passage (or after the not-seen suggestion) within which a departure must be recorded. */
  deregistrationDeadlineDays: number
  /** Holder's own credential at their registered building within this many days: consistent. */
  consistencyDays: number
  /** Working days (Monday to Friday) after the arrival within which a registration must be entered. */
  entryWorkingDays: number
  /** Days of registrations entered and departures recorded that count. */
  periodDays: number
  /** Days of unexplained entries the estimate of unregistered occupants looks at. */
  evidenceDays: number
}

export const DEFAULT_KPI_PARAMS: KpiParams = {
  deregistrationDeadlineDays: 3,
  consistencyDays: 30,
  entryWorkingDays: 3,
  periodDays: 30,
  evidenceDays: 7,
}

/** One registration as the KPIs see it. */
export interface RegistrationFact {
  id: string
  roomId: string
  status: 'active' | 'departed'
  arrivedAt: number
  /** When it was entered in the registry. */
  enteredAt: number
  /** When the departure was recorded (the ledger's time), null while active. */
  departureRecordedAt: number | null
  /** The holder's latest passage with their own credential at this building (the KPI log reader). */
  lastOwnPassageAt: number | null
  /** When a not-seen suggestion about this stay was raised, if one was. */
  notSeenAt: number | null
}

/** A patrol's headcount of a building: people found living there against those registered. */
export interface HeadcountFact { counted: number; registered: number; at: number }

export interface BuildingKpiFacts {
  buildingId: string
  areaPath: string
  timeZone: string
  rooms: number
  agreementSigned: boolean
  registrations: RegistrationFact[]
  /** Entries no credential explains (camera line count above granted entries), per local day, the latest last. */
  unexplainedEntriesByDay: number[]
  /** Entries a credential granted at the same doors, the same days (default: none known). */
  grantedEntriesByDay?: number[]
  /** People observed inside above the registrations, summed over the rooms (null: not known). */
  observedExcess: number | null
  /** The latest patrol headcount (null: none). */
  headcount: HeadcountFact | null
  /** This month's reconciliation (the building's local month): items listed for it, and those on a list signed off. */
  reconciliation?: { listed: number; signedOff: number }
}

export type CaseKind = 'registration' | 'building'

/** One case behind a KPI: in the denominator, and in the numerator when `counted`. */
export interface KpiCase {
  kind: CaseKind
  id: string
  buildingId: string
  roomId: string | null
  counted: boolean
  /** Why it counts as it does (a code, see docs/policy.md). */
  reason: string
  /** For estimates: how many people the case stands for (default 1). */
  weight?: number
}

export interface KpiFigure {
  kpi: KpiId
  numerator: number
  denominator: number
  /** numerator / denominator, null when the denominator is 0. */
  value: number | null
  target: number
  /** null when there is nothing to measure. */
  met: boolean | null
}

export interface KpiResult extends KpiFigure { cases: KpiCase[] }

export function figure (kpi: KpiId, numerator: number, denominator: number, target = KPI_TARGETS[kpi]): KpiFigure {
  const value = denominator === 0 ? null : numerator / denominator
  return { kpi, numerator, denominator, value, target, met: value === null ? null : value >= target - 1e-9 }
}

function result (kpi: KpiId, cases: KpiCase[]): KpiResult {
  const numerator = cases.reduce((n, c) => n + (c.counted ? (c.weight ?? 1) : 0), 0)
  const denominator = cases.reduce((n, c) => n + (c.weight ?? 1), 0)
  return { ...figure(kpi, numerator, denominator), cases }
}

const reg = (b: BuildingKpiFacts, g: RegistrationFact, counted: boolean, reason: string): KpiCase =>
  ({ kind: 'registration', id: g.id, buildingId: b.buildingId, roomId: g.roomId, counted, reason })

const house = (b: BuildingKpiFacts, counted: boolean, reason: string, weight?: number): KpiCase =>
  ({ kind: 'building', id: b.buildingId, buildingId: b.buildingId, roomId: null, counted, reason, ...(weight === undefined ? {} : { weight }) })

/** The median of the daily counts (0 for none): a one-off tailgater or party does not make a resident. */
export function median (xs: readonly number[]): number {
  if (xs.length === 0) return 0
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

/**
 * People behind each day's unexplained entries: the entries divided by how often a registered resident came in
 * through the same doors that day (at least once: someone who lives there comes home), so that an occupant who
 * comes in twice on a Saturday is still one person.
 */
export function unexplainedPeopleByDay (b: BuildingKpiFacts, params: KpiParams = DEFAULT_KPI_PARAMS): number[] {
  const n = Math.min(params.evidenceDays, b.unexplainedEntriesByDay.length)
  const unexplained = b.unexplainedEntriesByDay.slice(-n)
  const granted = (b.grantedEntriesByDay ?? []).slice(-n)
  const registered = b.registrations.filter((g) => g.status === 'active').length
  return unexplained.map((u, i) => {
    const perResident = registered === 0 || granted.length !== unexplained.length ? 1 : granted[i]! / registered
    return u / Math.max(1, perResident)
  })
}

/**
 * People living in the building unregistered, estimated from the evidence: the median of the people behind each
 * day's unexplained entries (someone who lives there unregistered comes in behind others every day), the people
 * observed inside above the registrations, and a patrol's headcount above the registered. The evidence overlaps
 * (the same person shows in all three), so the largest estimate counts, not the sum.
 */
export function estimateUnregistered (b: BuildingKpiFacts, params: KpiParams = DEFAULT_KPI_PARAMS): { estimate: number; evidence: string } {
  const candidates: Array<[number, string]> = [
    [Math.round(median(unexplainedPeopleByDay(b, params))), 'unexplained_entries'],
    [b.observedExcess ?? 0, 'observed_presence'],
    [b.headcount === null ? 0 : Math.max(0, b.headcount.counted - b.headcount.registered), 'patrol_headcount'],
  ]
  const best = candidates.reduce((x, y) => (y[0] > x[0] ? y : x))
  return { estimate: Math.max(0, best[0]), evidence: best[1] }
}

/** registered / (registered + estimated unregistered occupants). */
export function registrationRate (b: BuildingKpiFacts, _at: number, params: KpiParams = DEFAULT_KPI_PARAMS): KpiResult {
  const cases = b.registrations.filter((g) => g.status === 'active').map((g) => reg(b, g, true, 'registered'))
  const { estimate, evidence } = estimateUnregistered(b, params)
  if (estimate > 0) cases.push(house(b, false, `unregistered_by_${evidence}`, estimate))
  return result('registration_rate', cases)
}

/**
 * Departures recorded in the period, timely when recorded within the deadline after the holder's last passage or
 * after the not-seen suggestion; and stays the suggestion says were left, still not recorded past the deadline.
 */
export function timelyDeregistration (b: BuildingKpiFacts, at: number, params: KpiParams = DEFAULT_KPI_PARAMS): KpiResult {
  const deadline = params.deregistrationDeadlineDays * DAY
  const cases: KpiCase[] = []
  for (const g of b.registrations) {
    if (g.status === 'departed' && g.departureRecordedAt !== null && g.departureRecordedAt >= at - params.periodDays * DAY) {
      const refs = [g.lastOwnPassageAt, g.notSeenAt].filter((t): t is number => t !== null)
      const timely = refs.length === 0 || refs.some((t) => g.departureRecordedAt! - t <= deadline)
      cases.push(reg(b, g, timely, timely ? 'recorded_in_time' : 'recorded_late'))
    } else if (g.status === 'active' && g.notSeenAt !== null && at - g.notSeenAt > deadline) {
      cases.push(reg(b, g, false, 'not_recorded'))
    }
  }
  return result('timely_deregistration', cases)
}

/** Active registrations whose holder used their own credential at this building in the last `consistencyDays`. */
export function householdConsistency (b: BuildingKpiFacts, at: number, params: KpiParams = DEFAULT_KPI_PARAMS): KpiResult {
  const since = at - params.consistencyDays * DAY
  const cases = b.registrations.filter((g) => g.status === 'active').map((g) => {
    const seen = g.lastOwnPassageAt !== null && g.lastOwnPassageAt >= since
    return reg(b, g, seen, seen ? 'own_credential_used' : 'own_credential_unused')
  })
  return result('household_consistency', cases)
}

/** A house with rooms uses the register when it holds at least one active registration. */
export function rentalRegistration (b: BuildingKpiFacts): KpiResult {
  if (b.rooms === 0) return result('rental_registration', [])
  const inUse = b.registrations.some((g) => g.status === 'active')
  return result('rental_registration', [house(b, inUse, inUse ? 'register_in_use' : 'register_unused')])
}

export function agreementRate (b: BuildingKpiFacts): KpiResult {
  return result('agreement_rate', [house(b, b.agreementSigned, b.agreementSigned ? 'agreement_signed' : 'agreement_unsigned')])
}

/** `date` (YYYY-MM-DD) plus `n` working days, Monday to Friday. */
export function addWorkingDays (date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`)
  let left = n
  while (left > 0) {
    d.setUTCDate(d.getUTCDate() + 1)
    const wd = d.getUTCDay()
    if (wd !== 0 && wd !== 6) left--
  }
  return d.toISOString().slice(0, 10)
}

/** Registrations entered in the period, within `entryWorkingDays` working days of the arrival (local dates). */
export function entryTimeliness (b: BuildingKpiFacts, at: number, params: KpiParams = DEFAULT_KPI_PARAMS): KpiResult {
  const since = at - params.periodDays * DAY
  const cases = b.registrations.filter((g) => g.enteredAt >= since).map((g) => {
    const due = addWorkingDays(localDate(g.arrivedAt, b.timeZone), params.entryWorkingDays)
    const timely = localDate(g.enteredAt, b.timeZone) <= due
    return reg(b, g, timely, timely ? 'entered_in_time' : 'entered_late')
  })
  return result('entry_timeliness', cases)
}

/** The items of this month's reconciliation lists about the house, and how many of them are signed off. */
export function reconciledShare (b: BuildingKpiFacts): KpiResult {
  const r = b.reconciliation
  if (r === undefined || r.listed === 0) return result('reconciled_share', [])
  const cases: KpiCase[] = []
  if (r.signedOff > 0) cases.push(house(b, true, 'reconciled', r.signedOff))
  if (r.listed > r.signedOff) cases.push(house(b, false, 'not_reconciled', r.listed - r.signedOff))
  return result('reconciled_share', cases)
}

/** Every KPI of one building at `at`. */
export function buildingKpis (b: BuildingKpiFacts, at: number, params: KpiParams = DEFAULT_KPI_PARAMS): Record<KpiId, KpiResult> {
  return {
    registration_rate: registrationRate(b, at, params),
    timely_deregistration: timelyDeregistration(b, at, params),
    household_consistency: householdConsistency(b, at, params),
    rental_registration: rentalRegistration(b),
    agreement_rate: agreementRate(b),
    entry_timeliness: entryTimeliness(b, at, params),
    reconciled_share: reconciledShare(b),
  }
}

/** The figures of many buildings (or of the areas below one) as one: numerators and denominators add up. */
export function sumFigures (kpi: KpiId, parts: ReadonlyArray<Pick<KpiFigure, 'numerator' | 'denominator'>>): KpiFigure {
  return figure(kpi, parts.reduce((n, p) => n + p.numerator, 0), parts.reduce((n, p) => n + p.denominator, 0))
}

/** Per KPI, the sum over buildings. */
export function aggregate (perBuilding: ReadonlyArray<Record<KpiId, KpiFigure>>): Record<KpiId, KpiFigure> {
  return Object.fromEntries(KPI_IDS.map((k) => [k, sumFigures(k, perBuilding.map((b) => b[k]))])) as Record<KpiId, KpiFigure>
}

export const DAY_MS = DAY
