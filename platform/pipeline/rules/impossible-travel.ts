// One card or code presented at two buildings sooner than anyone could
// travel between them: two cards carry one number, so one is a copy. A card
// value is active for one holder on the whole platform, so the copy shows at
// the second building as a card of another building (foreign_credential) or
// as an unknown one; this rule adds what those cannot say: that the same
// value was somewhere else a moment ago. It keys on the value presented, not
// on the registry's credential, so it also catches copies of cards that are
// registered nowhere.
//
// How soon is too soon: for two buildings with a location, the distance at
// travelMaxKmh, less the clock tolerance of the two readers (each may be
// clockDriftMaxS off); when either has none, travelMinGapS. Only the latest
// presentation of each value is kept (MAX_SIGHTINGS, a day at most).

import type { AccessIn, GeoPoint, RuleParams } from '../model.ts'
import type { Sighting } from '../state.ts'
import { describePresented } from './credential-check.ts'
import { NONE, ruleOf, type RuleContext, type Step } from './rule.ts'

/** Kinds whose value is a thing someone carries and can copy. PINs identify nobody; face references are per building. */
const TRAVELLING_KINDS: ReadonlySet<string> = new Set(['card', 'ic_card', 'qr'])
/** Sightings older than this are forgotten: a journey that takes longer is not judged. */
export const SIGHTING_HORIZON_MS = 24 * 3_600_000
const EARTH_RADIUS_KM = 6371.0088

/** Great-circle distance (haversine). */
export function distanceKm (a: GeoPoint, b: GeoPoint): number {
  const rad = Math.PI / 180
  const dLat = (b.lat - a.lat) * rad
  const dLon = (b.lon - a.lon) * rad
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)))
}

/**
 * The least time between presentations at two buildings (at `a` and `b`,
 * undefined: no location recorded) that travel explains, and the distance
 * it was reckoned from (null: none known, the minimum gap applies).
 */
export function leastTravelMs (
  a: GeoPoint | undefined, b: GeoPoint | undefined, params: Pick<RuleParams, 'travelMaxKmh' | 'travelMinGapS' | 'clockDriftMaxS'>,
): { ms: number; km: number | null } {
  if (a === undefined || b === undefined) return { ms: params.travelMinGapS * 1000, km: null }
  const km = distanceKm(a, b)
  return { ms: Math.max(0, (km / params.travelMaxKmh) * 3_600_000 - 2 * params.clockDriftMaxS * 1000), km }
}

const duration = (ms: number): string => ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`

function explain (e: AccessIn, prev: Sighting, gapMs: number, least: { ms: number; km: number | null }, params: RuleParams): string {
  const here = { buildingId: e.buildingId, door: e.door }
  const [first, second] = e.at >= prev.at ? [prev, here] : [here, prev]
  const why = least.km === null
    ? `at least ${params.travelMinGapS} s apart are expected between two buildings (one of them has no location recorded)`
    : `the buildings are ${least.km.toFixed(1)} km apart: at least ${duration(least.ms)} at ${params.travelMaxKmh} km/h`
  const holder = e.match === undefined ? 'It is registered nowhere.' : `It is registered to building ${e.match.buildingId}: check with its holder.`
  return `The ${describePresented(e)} was presented at building ${first.buildingId} (door ${first.door}) and ${duration(gapMs)} later at ` +
    `building ${second.buildingId} (door ${second.door}); ${why}. Two cards carry this number: one is probably a copy. ${holder}`
}

function judge (e: AccessIn, ctx: RuleContext): ReturnType<Step> {
  const key = `${e.credential.kind}:${e.credential.value}`
  const prev = ctx.state.sightings.get(key)
  if (prev === undefined || e.at >= prev.at) ctx.state.touchSighting(key, { buildingId: e.buildingId, door: e.door, at: e.at, ref: e.ref })
  if (prev === undefined || prev.buildingId === e.buildingId) return NONE
  const gapMs = Math.abs(e.at - prev.at)
  const least = leastTravelMs(ctx.view.location(prev.buildingId), ctx.view.location(e.buildingId), ctx.params)
  if (gapMs >= least.ms) return NONE
  // The alert belongs to the credential's own building, whose landlord can act on it; a card registered nowhere, to where it was seen.
  const c = e.match
  const buildingId = c?.buildingId ?? e.buildingId
  return [{
    type: 'impossible_travel',
    severity: 'major',
    dedupKey: `impossible_travel:${buildingId}:${key}`,
    buildingId,
    door: e.door,
    deviceId: e.deviceId,
    ...(c === undefined ? {} : { credentialId: c.credentialId, ...(c.residentId === null ? {} : { residentId: c.residentId }) }),
    evidence: e.at >= prev.at ? [prev.ref, e.ref] : [e.ref, prev.ref],
    explanation: explain(e, prev, gapMs, least, ctx.params),
    at: Math.max(e.at, prev.at),
  }]
}

export const stepImpossibleTravel: Step = (input, ctx) => {
  if (input.kind === 'tick') {
    if (input.sweep) {
      for (const [key, s] of ctx.state.sightings) if (input.at - s.at > SIGHTING_HORIZON_MS) ctx.state.sightings.delete(key)
    }
    return NONE
  }
  if (input.kind !== 'access' || !TRAVELLING_KINDS.has(input.credential.kind)) return NONE
  return judge(input, ctx)
}

export const detectImpossibleTravel = ruleOf(stepImpossibleTravel)
