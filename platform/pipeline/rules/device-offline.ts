// A device that stopped talking: its last will or its own "offline" status
// arrived (connection lost, shut down), or nothing at all (no heartbeat, no
// event) came from it for missedHeartbeats heartbeat intervals. Raised once;
// resolved by the next message from the device. A device that announces a
// reboot is given the heartbeat allowance to come back before it counts.

import type { AlertCandidate } from '../model.ts'
import { clearOnce, NONE, raiseOnce, ruleOf, type Step } from './rule.ts'

const keyOf = (deviceId: string): string => `device_offline:${deviceId}`

export const stepDeviceOffline: Step = (input, ctx) => {
  if (input.kind === 'tick') {
    const silentMs = ctx.params.heartbeatS * ctx.params.missedHeartbeats * 1000
    let out: AlertCandidate[] | undefined
    for (const [deviceId, d] of ctx.state.devices) {
      const known = ctx.view.device(deviceId)
      let found
      if (known === undefined || !known.enabled) {
        found = clearOnce(ctx, { type: 'device_offline', dedupKey: keyOf(deviceId), buildingId: d.buildingId, deviceId, at: input.at })
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
  if (input.kind === 'status' && input.state === 'offline') {
    if (input.reason === 'reboot') return NONE
    const known = ctx.view.device(input.deviceId)
    return raiseOnce(ctx, {
      type: 'device_offline',
      severity: input.reason === 'shutdown' ? 'warning' : 'major',
      dedupKey: keyOf(input.deviceId),
      buildingId: input.buildingId,
      ...(known !== undefined ? { door: known.door } : {}),
      deviceId: input.deviceId,
      evidence: [input.ref],
      explanation: input.reason === 'shutdown'
        ? `Device ${input.deviceId} was shut down. Its door is not watched until it is back.`
        : `Device ${input.deviceId} lost its connection (last will). Its door is not watched until it is back.`,
      at: input.at,
    })
  }
  return clearOnce(ctx, { type: 'device_offline', dedupKey: keyOf(input.deviceId), buildingId: input.buildingId, deviceId: input.deviceId, at: input.at })
}

export const detectDeviceOffline = ruleOf(stepDeviceOffline)
