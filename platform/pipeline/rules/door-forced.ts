// A door opened without a grant (forced, or the lock defeated). An incident
// for people to close: one alert per door, every further forcing counts on it.

import { NONE, ruleOf, type Step } from './rule.ts'
import { says } from '../../../contract/alert-wording.ts'

export const stepDoorForced: Step = (e) => {
  if (e.kind !== 'door' || e.state !== 'forced_open') return NONE
  return [{
    type: 'door_forced',
    severity: 'critical',
    dedupKey: `door_forced:${e.buildingId}:${e.door}`,
    buildingId: e.buildingId,
    door: e.door,
    deviceId: e.deviceId,
    evidence: [e.ref],
    ...says('door_forced.forced', { door: e.door }),
    at: e.at,
  }]
}

export const detectDoorForced = ruleOf(stepDoorForced)
