// A door left open past the device's doorHeldOpenS (propped open, broken
// closer). Raised once while it stays open, its alert following the time
// open (level, seconds) when the device reports it again; resolved when the
// door reports closed.

import type { AlertCandidate } from '../model.ts'
import { clearOnce, NONE, raiseLevel, raiseOnce, ruleOf, type Step } from './rule.ts'
import { says } from '../../../contract/alert-wording.ts'

export const stepDoorHeldOpen: Step = (e, ctx) => {
  if (e.kind !== 'door') return NONE
  const dedupKey = `door_held_open:${e.buildingId}:${e.door}`
  if (e.state === 'closed') return clearOnce(ctx, { type: 'door_held_open', dedupKey, buildingId: e.buildingId, door: e.door, evidence: [e.ref], at: e.at })
  if (e.state !== 'held_open') return NONE
  const c: AlertCandidate = {
    type: 'door_held_open',
    severity: 'warning',
    dedupKey,
    buildingId: e.buildingId,
    door: e.door,
    deviceId: e.deviceId,
    evidence: [e.ref],
    ...(e.durationS === undefined ? says('door_held_open.held', { door: e.door }) : says('door_held_open.held_for', { door: e.door, seconds: e.durationS })),
    at: e.at,
  }
  return e.durationS === undefined ? raiseOnce(ctx, c) : raiseLevel(ctx, { ...c, level: e.durationS })
}

export const detectDoorHeldOpen = ruleOf(stepDoorHeldOpen)
