// A device clock that disagrees with the platform's by more than
// clockDriftMaxS (the national code allows under 5 s). Event times come from
// device clocks, so drift skews every rule that compares them. Measured on
// heartbeats and online status, which devices send live (never replayed):
// device time minus platform receive time. Raised once, its alert following
// the offset (level, seconds, + ahead / - behind) when it moves by more than
// the limit; resolved when a later measurement is within bounds.

import { clearOnce, NONE, raiseLevel, ruleOf, type Step } from './rule.ts'
import { says } from '../../../contract/alert-wording.ts'

export const stepClockDrift: Step = (e, ctx) => {
  if (e.kind !== 'heartbeat' && !(e.kind === 'status' && e.state === 'online')) return NONE
  const offsetMs = e.at - e.receivedAt
  const dedupKey = `clock_drift:${e.deviceId}`
  if (Math.abs(offsetMs) <= ctx.params.clockDriftMaxS * 1000) {
    return clearOnce(ctx, { type: 'clock_drift', dedupKey, buildingId: e.buildingId, deviceId: e.deviceId, at: e.at })
  }
  const s = (Math.abs(offsetMs) / 1000).toFixed(1)
  return raiseLevel(ctx, {
    type: 'clock_drift',
    severity: 'warning',
    dedupKey,
    buildingId: e.buildingId,
    deviceId: e.deviceId,
    evidence: [e.ref],
    ...says('clock_drift.off', { device: e.deviceId, offsetS: s, direction: offsetMs > 0 ? 'ahead' : 'behind', maxS: ctx.params.clockDriftMaxS }),
    at: e.receivedAt,
    level: Math.round(offsetMs / 1000),
  }, { tolerance: ctx.params.clockDriftMaxS })
}

export const detectClockDrift = ruleOf(stepClockDrift)
