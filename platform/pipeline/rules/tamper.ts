// A reader or lock housing opened, or its wiring cut. One alert per device.

import { NONE, ruleOf, type Step } from './rule.ts'

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
    explanation: `Device ${e.deviceId} at door ${e.door} reports tampering: its housing was opened or its wiring cut.`,
    at: e.at,
  }]
}

export const detectTamper = ruleOf(stepTamper)
