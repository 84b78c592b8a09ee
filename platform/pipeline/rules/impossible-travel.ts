// One card or code presented at two buildings sooner than anyone could
// travel between them: two cards carry one number, so one is a copy. A card
// value is active for one holder on the whole platform, so the copy shows at
// the second building as a card of another building (foreign_credential) or
// as an unknown one; this rule adds what those cannot say: that the same
// value was somewhere else a moment ago. It keys on the value presented (its
// keyed digest, never the number), not on the registry's credential, so it
// also catches copies of cards that are registered nowhere.
//
// Each building where the card was presented gets its own alert, naming its
// own door, device and event and only "another building" for the other; the
// card's own building, when it is neither, gets one naming neither. Police
// and administrators who see both buildings see both alerts.
//
// How soon is too soon: for two buildings with a location, the distance at
// travelMaxKmh, less the clock tolerance of the two readers (each may be
// clockDriftMaxS off); when either has none, travelMinGapS. Only the latest
// presentation of each value is kept (MAX_SIGHTINGS, a day at most).

import type { AccessIn, AlertCandidate, CredentialInfo, GeoPoint, RuleParams } from '../model.ts'
import type { Sighting } from '../state.ts'
import { presented } from './credential-check.ts'
import { says } from '../../../contract/alert-wording.ts'
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

/** One of the two presentations: where, by which device, which event. */
interface Side { buildingId: string; door: string; deviceId: string; ref: string; at: number }

/** A sighting's device: refs are `${deviceId}/${eventId}`, and device ids hold no slash. */
const sideOf = (s: Sighting): Side => ({ buildingId: s.buildingId, door: s.door, deviceId: s.ref.slice(0, s.ref.indexOf('/')), ref: s.ref, at: s.at })

/** The alert of one building; the credential and its holder only when the card is registered there. */
function alertOf (
  buildingId: string, key: string, at: number, c: CredentialInfo | undefined, what: Pick<AlertCandidate, 'evidence' | 'reason' | 'explanation'> & Partial<AlertCandidate>,
): AlertCandidate {
  return {
    type: 'impossible_travel',
    severity: 'major',
    dedupKey: `impossible_travel:${buildingId}:${key}`,
    buildingId,
    ...(c?.buildingId === buildingId ? { credentialId: c.credentialId, ...(c.residentId === null ? {} : { residentId: c.residentId }) } : {}),
    ...what,
    at,
  }
}

/**
 * The alert of one building where the card was presented: its own door, device and event; of the other
 * building only that it exists. Each landlord sees their side; police and administrators, who see both
 * buildings, see both alerts, paired by their key (the same card digest after the building).
 */
function sideAlert (e: AccessIn, key: string, x: Side, other: Side, gapMs: number): AlertCandidate {
  const own = e.match?.buildingId
  const holder = own === x.buildingId ? 'here' : own === undefined ? 'nowhere' : 'elsewhere'
  return alertOf(x.buildingId, key, Math.max(e.at, other.at), e.match, {
    door: x.door,
    deviceId: x.deviceId,
    evidence: [x.ref],
    ...says('impossible_travel.here', { credential: presented(e), door: x.door, gapS: gapMs / 1000, order: x.at >= other.at ? 'after' : 'before', holder }),
  })
}

/** The alert of the card's own building when it was used at two others: it names neither. */
function ownerAlert (e: AccessIn, key: string, c: CredentialInfo, gapMs: number, at: number): AlertCandidate {
  return alertOf(c.buildingId, key, at, c, {
    evidence: [],
    ...says('impossible_travel.owner', { credential: presented(e), gapS: gapMs / 1000 }),
  })
}

function judge (e: AccessIn, ctx: RuleContext): ReturnType<Step> {
  const key = e.credential.key
  const prev = ctx.state.sightings.get(key)
  if (prev === undefined || e.at >= prev.at) ctx.state.touchSighting(key, { buildingId: e.buildingId, door: e.door, at: e.at, ref: e.ref })
  if (prev === undefined || prev.buildingId === e.buildingId) return NONE
  const gapMs = Math.abs(e.at - prev.at)
  const least = leastTravelMs(ctx.view.location(prev.buildingId), ctx.view.location(e.buildingId), ctx.params)
  if (gapMs >= least.ms) return NONE
  const here: Side = { buildingId: e.buildingId, door: e.door, deviceId: e.deviceId, ref: e.ref, at: e.at }
  const there = sideOf(prev)
  // Earlier presentation first, as the events happened.
  const [first, second] = e.at >= prev.at ? [there, here] : [here, there]
  const out = [sideAlert(e, key, first, second, gapMs), sideAlert(e, key, second, first, gapMs)]
  const c = e.match
  if (c !== undefined && c.buildingId !== here.buildingId && c.buildingId !== there.buildingId) out.push(ownerAlert(e, key, c, gapMs, Math.max(e.at, prev.at)))
  return out
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
