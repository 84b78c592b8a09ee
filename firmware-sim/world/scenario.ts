// A whole scenario from a seed: the site, everyone's life on it, the anomalies
// injected on purpose, the landlords' registrations, and every action in time
// order with the reader decisions the world expects. Pure: the same options
// give the same scenario.

import { planClonedCard, planDenialRun, planForeignCard, planLostCard, planTemporaryCode, planUnknownCard } from './anomalies/credentials.ts'
import { planDoorAnomaly, planOccupant, planTailgater } from './anomalies/doors.ts'
import { planDepartedCard, planExpiredPermit, planLeaves, planMoveIn, planMoveOut, planOverRegistered } from './anomalies/stays.ts'
import { planCleaner, planOverstay, planParty, planVisits } from './anomalies/visitors.ts'
import { annotate } from './facts.ts'
import { DAY, MINUTE } from './local-time.ts'
import { sortActions, type Action, type Scenario } from './model.ts'
import { PlanContext } from './plan-context.ts'
import { buildSite } from './site.ts'
import type { RuleSettings } from './truth.ts'

export const ANOMALY_KINDS = [
  'unknown-card', 'card-run', 'wrong-pin-run', 'foreign-card', 'cloned-card', 'departed-card', 'expired-permit', 'lost-card', 'expired-pass',
  'early-pass', 'cleaner-window', 'tailgater', 'occupant', 'over-registered', 'party', 'overstay-limit', 'overstay-pass',
  'leaves', 'forced', 'held-open', 'tamper', 'outage', 'camera-outage', 'drift', 'vendor-rekey',
] as const
export type AnomalyKind = (typeof ANOMALY_KINDS)[number]

export interface ScenarioOptions {
  seed: string
  namespace: string
  /** Sim time the timeline starts at. */
  start: number
  days: number
  buildings?: number
  roomsPerBuilding?: number
  rules: RuleSettings
  /** Anomaly kinds to inject (default: all). */
  anomalies?: readonly AnomalyKind[]
  /** Ordinary visits per building and day (default 2). */
  visitsPerDay?: number
}

/** How many of each anomaly a site of `buildings` buildings gets. */
export function anomalyCount (kind: AnomalyKind, buildings: number): number {
  switch (kind) {
    case 'unknown-card': return buildings
    case 'tailgater': return Math.max(1, buildings - 1)
    case 'card-run': case 'foreign-card': case 'cloned-card': case 'expired-permit': case 'cleaner-window': case 'over-registered': case 'party':
    case 'forced': case 'held-open': case 'tamper': case 'outage': case 'drift': case 'vendor-rekey':
      return 2
    case 'leaves': return 3
    default: return 1
  }
}

export function buildScenario (o: ScenarioOptions): Scenario {
  const buildings = o.buildings ?? 4
  const { site, cast } = buildSite({ seed: o.seed, namespace: o.namespace, buildings, roomsPerBuilding: o.roomsPerBuilding ?? 8 })
  const end = o.start + Math.round(o.days * DAY)
  const ctx = new PlanContext(site, cast, o.start, end, o.rules)
  const residents = [...site.persons]
  for (const p of residents) ctx.settle(p, site.credentials.find((c) => c.holder === p.ref)!)

  const wanted = new Set(o.anomalies ?? ANOMALY_KINDS)
  const each = (kind: AnomalyKind, plan: () => void): void => {
    if (!wanted.has(kind)) return
    for (let k = 0; k < anomalyCount(kind, buildings); k++) plan()
  }
  // Round one: lives, registrations and device anomalies (which close doors to routines).
  each('leaves', () => planLeaves(ctx))
  each('departed-card', () => planDepartedCard(ctx))
  each('expired-permit', () => planExpiredPermit(ctx))
  each('over-registered', () => planOverRegistered(ctx))
  each('lost-card', () => planLostCard(ctx))
  each('expired-pass', () => planTemporaryCode(ctx, 'expired'))
  each('early-pass', () => planTemporaryCode(ctx, 'early'))
  each('occupant', () => planOccupant(ctx))
  for (const kind of ['forced', 'held-open', 'tamper', 'outage', 'camera-outage', 'drift', 'vendor-rekey'] as const) each(kind, () => planDoorAnomaly(ctx, kind))
  planMoveOut(ctx)
  planMoveIn(ctx)
  // Round two, on the residents' passages.
  each('tailgater', () => planTailgater(ctx))
  each('party', () => planParty(ctx))
  each('overstay-limit', () => planOverstay(ctx, 'limit'))
  each('overstay-pass', () => planOverstay(ctx, 'pass'))
  each('cleaner-window', () => planCleaner(ctx))
  each('unknown-card', () => planUnknownCard(ctx))
  each('card-run', () => planDenialRun(ctx, 'card'))
  each('wrong-pin-run', () => planDenialRun(ctx, 'pin'))
  each('foreign-card', () => planForeignCard(ctx))
  each('cloned-card', () => planClonedCard(ctx))
  ctx.generatePasses()
  planVisits(ctx, o.visitsPerDay ?? 2)

  const setup: Action[] = residents.map((p) => ({
    kind: 'register', at: o.start - MINUTE, tag: 'setup', setup: true, person: p.ref, roomId: p.roomId!,
    credentials: [ctx.lives.get(p.ref)!.credentials[0]!.ref], permitValidUntil: ctx.permits.get(p.ref)!,
  }))
  const timeline = [...ctx.actions, ...[...ctx.passes.values()].flat()].filter((a) => a.at >= o.start && a.at < end)
  const scenario: Scenario = { site, start: o.start, end, actions: [...setup, ...sortActions(timeline)] }
  annotate(scenario)
  return scenario
}
