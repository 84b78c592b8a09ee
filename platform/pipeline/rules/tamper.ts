// A reader or lock housing opened, or its wiring cut. One alert per device.

import { NONE, ruleOf, type Step } from './rule.ts'
import { says } from '../../../contract/alert-wording.ts'

export const stepTamper: Step = (e) => {
  if (e.kind !== 'door' || e.state !== 'tamper') return NONE
  return [{
    type: 'tamper',
    severity: 'critical',
    dedupKey: `tamper:${e.deviceId}`,
    buildingId: e.buildingId,
    door: e.door,
    deviceId: e.deviceId,
    evidence: [e.ref],
    ...says('tamper.reported', { device: e.deviceId, door: e.door }),
    at: e.at,
  }]
}

export const detectTamper = ruleOf(stepTamper)
