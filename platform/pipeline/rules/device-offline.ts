// A device that stopped talking: its last will or its own "offline" status
// arrived (connection lost, shut down), or nothing at all (no heartbeat, no
// event) came from it for missedHeartbeats heartbeat intervals. Raised once;
// resolved by the next message from the device. A device that announces a
// reboot is given the heartbeat allowance to come back before it counts.
//
// When an operator takes a device off the broker, the platform publishes the
// offline status with the reason in place of its will, and it reads as what
// it is, not as a power cut:
//   disabled        info, open while the device stays disabled (its silence
//                   is not a fault); resolved when it is enabled again, and
//                   the silence allowance then starts afresh
//   secret_rotated  warning, until the device is back with its new secret

import type { AlertCandidate, StatusIn } from '../model.ts'
import { clearOnce, NONE, raiseOnce, ruleOf, type RuleContext, type Step } from './rule.ts'
import { says, type AlertReasonCode } from '../../../contract/alert-wording.ts'

const keyOf = (deviceId: string): string => `device_offline:${deviceId}`

/** The latch cause of an operator's disable (state.latched). */
const DISABLED = 'disabled'

export const stepDeviceOffline: Step = (input, ctx) => {
  if (input.kind === 'tick') {
    const silentMs = ctx.params.heartbeatS * ctx.params.missedHeartbeats * 1000
    let out: AlertCandidate[] | undefined
    for (const [deviceId, d] of ctx.state.devices) {
      const known = ctx.view.device(deviceId)
      const disabledEpisode = ctx.state.latched.get(keyOf(deviceId))?.cause === DISABLED
      const clear = (code: 'cleared.device_removed' | 'cleared.device_disabled' | 'cleared.device_enabled'): readonly AlertCandidate[] =>
        clearOnce(ctx, { type: 'device_offline', dedupKey: keyOf(deviceId), buildingId: d.buildingId, deviceId, at: input.at, ...says(code, {}) })
      let found
      if (known === undefined) {
        found = clear('cleared.device_removed')
      } else if (!known.enabled) {
        // Off on purpose: the operator's record stays open, any other offline alert is resolved.
        if (!disabledEpisode) found = clear('cleared.device_disabled')
      } else if (disabledEpisode) {
        found = clear('cleared.device_enabled')
        // Its silence counts from now: a device backing off after refused logins needs a while to return.
        d.lastMessageAt = Math.max(d.lastMessageAt, input.at)
      } else if (input.at - d.lastMessageAt > silentMs) {
        found = raiseOnce(ctx, {
          type: 'device_offline',
          severity: 'major',
          dedupKey: keyOf(deviceId),
          buildingId: d.buildingId,
          door: known.door,
          deviceId,
          evidence: [],
          ...says('device_offline.silent', {
            deviceKind: known.kind, device: deviceId, door: known.door, lastAt: new Date(d.lastMessageAt).toISOString(), heartbeatS: ctx.params.heartbeatS,
          }),
          at: input.at,
        })
      }
      if (found !== undefined && found.length > 0) (out ??= []).push(...found)
    }
    return out ?? NONE
  }
  if (input.kind === 'status' && input.state === 'offline') return offline(input, ctx)
  return clearOnce(ctx, { type: 'device_offline', dedupKey: keyOf(input.deviceId), buildingId: input.buildingId, deviceId: input.deviceId, at: input.at })
}

type OfflineCode = Extract<AlertReasonCode, 'device_offline.shutdown' | 'device_offline.disabled' | 'device_offline.secret_rotated' | 'device_offline.lost'>

/** What an offline status says, by its reason. */
const OFFLINE: Record<string, { severity: AlertCandidate['severity']; code: OfflineCode; cause?: string }> = {
  shutdown: { severity: 'warning', code: 'device_offline.shutdown' },
  disabled: { severity: 'info', cause: DISABLED, code: 'device_offline.disabled' },
  secret_rotated: { severity: 'warning', code: 'device_offline.secret_rotated' },
}
const LOST = { severity: 'major' as const, code: 'device_offline.lost' as const }

function offline (input: StatusIn, ctx: RuleContext): readonly AlertCandidate[] {
  if (input.reason === 'reboot') return NONE
  const known = ctx.view.device(input.deviceId)
  const o = (input.reason === undefined ? undefined : OFFLINE[input.reason]) ?? LOST
  return raiseOnce(ctx, {
    type: 'device_offline',
    severity: o.severity,
    dedupKey: keyOf(input.deviceId),
    buildingId: input.buildingId,
    ...(known !== undefined ? { door: known.door } : {}),
    deviceId: input.deviceId,
    evidence: [input.ref],
    ...says(o.code, { device: input.deviceId }),
    at: input.at,
  }, 'cause' in o ? o.cause : undefined)
}

export const detectDeviceOffline = ruleOf(stepDeviceOffline)
