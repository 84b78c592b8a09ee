// A house's score, explained: points with a cause, the evidence behind them
// and when they expire, in four dimensions (the hardware at its doors, the
// landlord's compliance, hazards the doors and cameras saw, safety found on
// patrol), and the grade the total proposes. A pure function of facts the
// caller gathers (platform/policy/ reads them from the registry, the devices
// and the alerts); it scores a house, never a person: no cause names anyone,
// and the evidence is ids of alerts, devices and registrations.
//
// Points of something that happened (an alert, a late registration) decay
// linearly to nothing over their cause's lifetime; points of something that
// holds now (a device offline, the agreement unsigned) stay while it holds.
// Each cause is capped, so one noisy door does not make a house 严控 alone.

import { LEVEL_ALERT_TYPES, SCORE_DIMENSIONS, type AlertType, type ClosureReason, type Grade, type ReaderFacing, type ScoreCause, type ScoreDimension } from '../../contract/vocabulary.ts'
import { DEFAULT_PATROL_DAYS } from './patrol-schedule.ts'

export const CAUSE_DIMENSION: Record<ScoreCause, ScoreDimension> = {
  device_offline: 'hardware', device_tampered: 'hardware', no_door_camera: 'hardware', no_exit_reader: 'hardware',
  agreement_unsigned: 'compliance', registration_late: 'compliance', not_seen_ignored: 'compliance', permit_expired: 'compliance',
  overcrowding_registered: 'hazards', overcrowding_observed: 'hazards', unexplained_entries: 'hazards', door_forced: 'hazards',
  unregistered_cards: 'hazards', card_misuse: 'hazards', visitor_overstay: 'hazards',
  patrol_finding_open: 'safety', patrol_checklist_problem: 'safety',
}

/** Which alert type counts as which cause; types not listed (clock drift, a held door…) score nothing. */
export const ALERT_CAUSE: Partial<Record<AlertType, ScoreCause>> = {
  tamper: 'device_tampered',
  overcrowding_registered: 'overcrowding_registered',
  overcrowding_observed: 'overcrowding_observed',
  tailgating: 'unexplained_entries',
  door_forced: 'door_forced',
  unknown_credential: 'unregistered_cards',
  repeated_denials: 'unregistered_cards',
  foreign_credential: 'card_misuse',
  impossible_travel: 'card_misuse',
  expired_credential: 'card_misuse',
  visitor_overstay: 'visitor_overstay',
}

/** Alerts closed as these were not what they seemed: they score nothing. */
const NOT_SCORED: ReadonlySet<ClosureReason> = new Set(['false_alarm', 'technical_fault', 'duplicate'])

export interface CauseWeight {
  /** Points of one occurrence (or of the state, while it holds). */
  points: number
  /** Days over which an occurrence's points decay to nothing; null for a state that holds. */
  lifetimeDays: number | null
  /** Most points this cause gives one house. */
  cap: number
}

export interface ScoreParams {
  weights: Record<ScoreCause, CauseWeight>
  /** Lowest score of each grade after `trusted`: below `normal` a house is 放心. */
  thresholds: { normal: number; focus: number; strict: number }
  /** A registration entered later than this after the arrival counts as late. */
  lateRegistrationDays: number
  /** A not-seen suggestion left this long counts as ignored. */
  ignoredSuggestionDays: number
  /** The colour each grade is shown in (`#rrggbb`). */
  gradeColours: Record<Grade, string>
  /** Days between patrols of a house of each grade, and while a patrol finding of it is open. */
  patrolDays: Record<Grade, number> & { findingOpen: number }
}

export const DEFAULT_SCORE_PARAMS: ScoreParams = {
  weights: {
    device_offline: { points: 4, lifetimeDays: null, cap: 12 },
    device_tampered: { points: 6, lifetimeDays: 90, cap: 12 },
    no_door_camera: { points: 5, lifetimeDays: null, cap: 5 },
    no_exit_reader: { points: 5, lifetimeDays: null, cap: 5 },
    agreement_unsigned: { points: 10, lifetimeDays: null, cap: 10 },
    registration_late: { points: 3, lifetimeDays: 180, cap: 12 },
    not_seen_ignored: { points: 4, lifetimeDays: null, cap: 16 },
    permit_expired: { points: 4, lifetimeDays: null, cap: 16 },
    overcrowding_registered: { points: 15, lifetimeDays: 180, cap: 30 },
    overcrowding_observed: { points: 10, lifetimeDays: 90, cap: 30 },
    unexplained_entries: { points: 3, lifetimeDays: 60, cap: 18 },
    door_forced: { points: 6, lifetimeDays: 90, cap: 18 },
    unregistered_cards: { points: 2, lifetimeDays: 60, cap: 10 },
    card_misuse: { points: 3, lifetimeDays: 90, cap: 12 },
    visitor_overstay: { points: 2, lifetimeDays: 60, cap: 8 },
    patrol_finding_open: { points: 8, lifetimeDays: null, cap: 32 },
    patrol_checklist_problem: { points: 3, lifetimeDays: null, cap: 12 },
  },
  thresholds: { normal: 10, focus: 25, strict: 50 },
  lateRegistrationDays: 3,
  ignoredSuggestionDays: 14,
  gradeColours: { trusted: '#1e6b35', normal: '#0b4f8a', focus: '#a63f00', strict: '#a4161a' },
  patrolDays: { ...DEFAULT_PATROL_DAYS },
}

/** What is known about one house at `at` (ms since the epoch). */
export interface HouseFacts {
  at: number
  /** `faces`: which side of its door a reader reads (null for a camera). */
  devices: ReadonlyArray<{ id: string; kind: 'reader' | 'camera'; door: string; enabled: boolean; online: boolean; faces: ReaderFacing | null }>
  agreementSignedAt: number | null
  /**
   * When the house came onto the platform. A tenant who arrived before it could not be registered here earlier:
   * lateness is counted from the later of the arrival and this.
   */
  onPlatformSince?: number
  /** Registrations of the scoring period: when the tenant arrived and when the landlord entered it. */
  registrations: ReadonlyArray<{ id: string; arrivedAt: number; enteredAt: number }>
  /** Live not-seen suggestions (resident_not_seen alerts): since when. */
  notSeen: ReadonlyArray<{ registrationId: string; since: number }>
  /** Active registrations whose residence permit has ended. */
  expiredPermits: ReadonlyArray<{ registrationId: string; endedOn: number }>
  /** Alerts of the house in the scoring period. */
  alerts: ReadonlyArray<{ id: string; type: AlertType; openedAt: number; resolvedAt: number | null; closureReason: ClosureReason | null }>
  /** Patrol findings not yet put right. */
  openFindings: ReadonlyArray<{ id: string; foundAt: number }>
  /** Checklist items found a problem at the house's last patrol (until the next patrol checks again). */
  checklistProblems: ReadonlyArray<{ patrolId: string; item: string; foundAt: number }>
}

export interface ScorePoint {
  dimension: ScoreDimension
  cause: ScoreCause
  /** Points it counts now, after decay and the cause's cap; rounded to tenths. */
  points: number
  /** Ids of what it rests on (alerts, devices, registrations, findings). */
  evidence: string[]
  /** When it happened or began. */
  since: number
  /** When its points are gone; null while the state holds. */
  expiresAt: number | null
}

export interface HouseScore {
  at: number
  score: number
  grade: Grade
  byDimension: Record<ScoreDimension, number>
  /** Highest first. */
  points: ScorePoint[]
}

const DAY_MS = 86_400_000

/** `holds`: a condition still going on, worth its full points until it ends, then decaying from its end. */
interface Occurrence { cause: ScoreCause; since: number; evidence: string; holds?: boolean; endedAt?: number }

export function scoreHouse (facts: HouseFacts, params: ScoreParams = DEFAULT_SCORE_PARAMS): HouseScore {
  const occurrences: Occurrence[] = []
  const add = (cause: ScoreCause, since: number, evidence: string): void => { occurrences.push({ cause, since, evidence }) }

  // A disabled device guards nothing: it counts as offline, and a house whose cameras are all off has none.
  for (const d of facts.devices) if (!d.online || !d.enabled) add('device_offline', facts.at, d.id)
  if (!facts.devices.some((d) => d.kind === 'camera' && d.enabled)) add('no_door_camera', facts.at, 'building')
  // Departures are observed only where a reader switched on reads people going out (an offline one counts above).
  if (!facts.devices.some((d) => d.kind === 'reader' && d.enabled && (d.faces === 'out' || d.faces === 'both'))) add('no_exit_reader', facts.at, 'building')
  if (facts.agreementSignedAt === null) add('agreement_unsigned', facts.at, 'building')
  for (const r of facts.registrations) {
    if (r.enteredAt - Math.max(r.arrivedAt, facts.onPlatformSince ?? r.arrivedAt) > params.lateRegistrationDays * DAY_MS) add('registration_late', r.enteredAt, r.id)
  }
  for (const n of facts.notSeen) {
    if (facts.at - n.since >= params.ignoredSuggestionDays * DAY_MS) add('not_seen_ignored', n.since, n.registrationId)
  }
  for (const p of facts.expiredPermits) add('permit_expired', p.endedOn, p.registrationId)
  for (const a of facts.alerts) {
    const cause = ALERT_CAUSE[a.type]
    if (cause === undefined || (a.closureReason !== null && NOT_SCORED.has(a.closureReason))) continue
    if (!LEVEL_ALERT_TYPES.has(a.type)) add(cause, a.openedAt, a.id)
    else occurrences.push({ cause, since: a.openedAt, evidence: a.id, ...(a.resolvedAt === null ? { holds: true } : { endedAt: a.resolvedAt }) })
  }
  for (const f of facts.openFindings) add('patrol_finding_open', f.foundAt, f.id)
  for (const c of facts.checklistProblems) add('patrol_checklist_problem', c.foundAt, `${c.patrolId}/${c.item}`)

  const byCause = new Map<ScoreCause, Occurrence[]>()
  for (const o of occurrences) {
    const list = byCause.get(o.cause)
    if (list === undefined) byCause.set(o.cause, [o])
    else list.push(o)
  }

  const points: ScorePoint[] = []
  for (const [cause, list] of byCause) {
    const w = params.weights[cause]
    // Newest first: under the cap, the fresher occurrences are the ones that count.
    list.sort((a, b) => from(b) - from(a))
    let left = w.cap
    for (const o of list) {
      if (left <= 0) break
      const worth = Math.min(left, o.holds === true ? w.points : decayed(w, from(o), facts.at))
      if (worth <= 0) continue
      left -= worth
      points.push({
        dimension: CAUSE_DIMENSION[cause],
        cause,
        points: Math.round(worth * 10) / 10,
        evidence: [o.evidence],
        since: o.since,
        expiresAt: w.lifetimeDays === null || o.holds === true ? null : from(o) + w.lifetimeDays * DAY_MS,
      })
    }
  }
  points.sort((a, b) => b.points - a.points || b.since - a.since)

  const byDimension = Object.fromEntries(SCORE_DIMENSIONS.map((d) => [d, 0])) as Record<ScoreDimension, number>
  for (const p of points) byDimension[p.dimension] = Math.round((byDimension[p.dimension] + p.points) * 10) / 10
  const score = Math.round(points.reduce((n, p) => n + p.points, 0) * 10) / 10
  return { at: facts.at, score, grade: gradeOf(score, params.thresholds), byDimension, points }
}

/** Where decay starts: when it happened, or when a condition ended. */
const from = (o: Occurrence): number => o.endedAt ?? o.since

function decayed (w: CauseWeight, since: number, at: number): number {
  if (w.lifetimeDays === null) return w.points
  const age = Math.max(0, at - since)
  return w.points * Math.max(0, 1 - age / (w.lifetimeDays * DAY_MS))
}

export function gradeOf (score: number, t: ScoreParams['thresholds']): Grade {
  if (score >= t.strict) return 'strict'
  if (score >= t.focus) return 'focus'
  if (score >= t.normal) return 'normal'
  return 'trusted'
}
