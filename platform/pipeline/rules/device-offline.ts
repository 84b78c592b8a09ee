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
      const clear = (explanation: string): readonly AlertCandidate[] =>
        clearOnce(ctx, { type: 'device_offline', dedupKey: keyOf(deviceId), buildingId: d.buildingId, deviceId, at: input.at, explanation })
      let found
      if (known === undefined) {
        found = clear('The device was removed.')
      } else if (!known.enabled) {
        // Off on purpose: the operator's record stays open, any other offline alert is resolved.
        if (!disabledEpisode) found = clear('The device was disabled by an operator.')
      } else if (disabledEpisode) {
        found = clear('The device was enabled again.')
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
          explanation: `The ${known.kind} ${deviceId} at door ${known.door} has sent nothing since ` +
            `${new Date(d.lastMessageAt).toISOString()} (heartbeats every ${ctx.params.heartbeatS} s expected). ` +
            'Its door is not watched until it is back.',
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

/** What an offline status says, by its reason. */
const OFFLINE: Record<string, { severity: AlertCandidate['severity']; says: (deviceId: string) => string; cause?: string }> = {
  shutdown: { severity: 'warning', says: (id) => `Device ${id} was shut down. Its door is not watched until it is back.` },
  disabled: {
    severity: 'info',
    cause: DISABLED,
    says: (id) => `Device ${id} was disabled by an operator and is off the broker. Its door is not watched until it is enabled again.`,
  },
  secret_rotated: {
    severity: 'warning',
    says: (id) => `Device ${id} was disconnected because its secret was rotated. Its door is not watched until it connects with the new secret.`,
  },
}
const LOST = { severity: 'major' as const, says: (id: string) => `Device ${id} lost its connection (last will). Its door is not watched until it is back.` }

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
    explanation: o.says(input.deviceId),
    at: input.at,
  }, 'cause' in o ? o.cause : undefined)
}

export const detectDeviceOffline = ruleOf(stepDeviceOffline)
