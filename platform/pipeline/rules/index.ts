// Every rule, wired to one input: the state tracker runs first on each input,
// then each rule in the order listed, so a rule always sees the state after
// the event it is judging. Adding a rule = one file and one line here.

import { merge, share, tap, type Observable } from 'rxjs'
import type { AlertCandidate, PipelineInput } from '../model.ts'
import { track } from '../track.ts'
import { detectClockDrift } from './clock-drift.ts'
import { detectDeviceOffline } from './device-offline.ts'
import { detectDoorForced } from './door-forced.ts'
import { detectDoorHeldOpen } from './door-held-open.ts'
import { detectExpiredCredential } from './expired-credential.ts'
import { detectForeignCredential } from './foreign-credential.ts'
import { detectImpossibleTravel } from './impossible-travel.ts'
import { detectOutsideWindow } from './outside-window.ts'
import { detectOvercrowdingObserved } from './overcrowding-observed.ts'
import { detectOvercrowdingRegistered } from './overcrowding-registered.ts'
import { detectRepeatedDenials } from './repeated-denials.ts'
import { detectResidentNotSeen } from './resident-not-seen.ts'
import { detectRoomVacant } from './room-vacant.ts'
import { guarded, type Detector, type RuleContext } from './rule.ts'
import { detectTailgating } from './tailgating.ts'
import { detectTamper } from './tamper.ts'
import { detectUnknownCredential } from './unknown-credential.ts'
import { detectVisitorOverstay } from './visitor-overstay.ts'

export const DETECTORS: readonly Detector[] = [
  detectUnknownCredential,
  detectForeignCredential,
  detectExpiredCredential,
  detectOutsideWindow,
  detectRepeatedDenials,
  detectImpossibleTravel,
  detectTailgating,
  detectOvercrowdingRegistered,
  detectOvercrowdingObserved,
  detectVisitorOverstay,
  detectResidentNotSeen,
  detectRoomVacant,
  detectDoorForced,
  detectDoorHeldOpen,
  detectTamper,
  detectDeviceOffline,
  detectClockDrift,
]

export type { Detector, RuleContext } from './rule.ts'

/** All rules over one input stream, state tracked first (a tracker that throws is reported as rule `state`). */
export function detectAll (input$: Observable<PipelineInput>, ctx: RuleContext, detectors: readonly Detector[] = DETECTORS): Observable<AlertCandidate> {
  const tracked$ = input$.pipe(tap((input) => guarded(ctx, 'state', input, track)), share())
  return merge(...detectors.map((d) => d(tracked$, ctx)))
}
