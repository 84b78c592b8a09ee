// Doors and devices: forced and held-open doors, tampering, devices off the
// network, clocks off, a vendor re-keying a reader whose approval the landlord
// then gives again, and people walking in behind a resident (a one-off
// tailgater, or someone living in a room unregistered). Device anomalies are
// on the back door (no camera), whose passages go to the main gate meanwhile,
// except a night-time camera outage at the main gate.

import { HOUR, MINUTE } from '../local-time.ts'
import { BACK_DOOR, MAIN_GATE } from '../model.ts'
import { PlanContext } from '../plan-context.ts'

type DoorKind = 'forced' | 'held-open' | 'tamper' | 'outage' | 'camera-outage' | 'drift' | 'vendor-rekey'

export function planDoorAnomaly (ctx: PlanContext, kind: DoorKind): void {
  const { label, rng, building: b } = ctx.anomaly(kind)
  const camera = kind === 'camera-outage'
  const door = camera ? MAIN_GATE : BACK_DOOR
  const deviceId = ctx.device(b.id, door, camera ? 'camera' : 'reader')
  const r = ctx.rules
  const minHold = (s: number): number => Math.max(s * 1000 * 3, HOUR)
  // The landlord approves a re-keyed reader again 1-3 hours after the vendor's visit (its own draw, after the others').
  const lengthMs = kind === 'vendor-rekey' ? rng.real(1, 3) * HOUR : {
    forced: 30 * MINUTE,
    'held-open': rng.real(15, 40) * MINUTE,
    tamper: 20 * MINUTE,
    outage: Math.max(rng.real(1.5, 3) * HOUR, minHold(r.heartbeatS * r.missedHeartbeats)),
    'camera-outage': 2.5 * HOUR,
    drift: Math.max(rng.real(2, 4) * HOUR, minHold(r.heartbeatS)),
  }[kind]
  const hourOk = camera ? PlanContext.hours(0.5, 1.5) : PlanContext.hours(8, 20)
  const from = ctx.book(rng, { buildingId: b.id, label, lengthMs: lengthMs + 20 * MINUTE, earliest: ctx.start + HOUR, latest: ctx.end - lengthMs - 2 * HOUR, hourOk, blocks: door })
  if (from === undefined) return
  const at = from + 10 * MINUTE
  const until = at + Math.round(lengthMs)
  switch (kind) {
    case 'forced':
      ctx.actions.push({ kind: 'door', at, tag: label, deviceId, state: 'forced_open' })
      ctx.actions.push({ kind: 'door', at: at + MINUTE, tag: label, deviceId, state: 'closed', durationS: 60 })
      break
    case 'held-open':
      ctx.actions.push({ kind: 'door', at, tag: label, deviceId, state: 'held_open', durationS: 90 })
      ctx.actions.push({ kind: 'door', at: until, tag: label, deviceId, state: 'closed', durationS: Math.round((until - at) / 1000) + 90 })
      break
    case 'tamper':
      ctx.actions.push({ kind: 'door', at, tag: label, deviceId, state: 'tamper' })
      break
    case 'outage':
    case 'camera-outage':
      ctx.actions.push({ kind: 'outage', at, tag: label, deviceId })
      ctx.actions.push({ kind: 'restore', at: until, tag: label, deviceId })
      break
    case 'vendor-rekey':
      ctx.actions.push({ kind: 'rekey', at, tag: label, deviceId })
      ctx.actions.push({ kind: 'approve', at: until, tag: label, deviceId })
      break
    case 'drift': {
      // Well past the limit, yet small enough that the heartbeat it delays (clock set back) still comes
      // before the platform would call the device silent.
      const offsetS = Math.min(2 * r.clockDriftMaxS, (r.missedHeartbeats - 1.5) * r.heartbeatS) * (rng.chance(0.5) ? 1 : -1)
      if (Math.abs(offsetS) < 1.25 * r.clockDriftMaxS) return
      ctx.actions.push({ kind: 'drift', at, tag: label, deviceId, offsetMs: offsetS * 1000 })
      ctx.actions.push({ kind: 'drift', at: until, tag: label, deviceId, offsetMs: 0 })
      break
    }
  }
}

/** Someone walks in behind a resident at the main gate, once: tailgating. */
export function planTailgater (ctx: PlanContext): void {
  const { label, rng, building: b } = ctx.anomaly('tailgater')
  ctx.later.push(() => {
    const candidates = rng.shuffle([...ctx.passes.values()].flat().filter((p) =>
      p.buildingId === b.id && p.door === MAIN_GATE && p.direction === 'in' && p.tag === 'routine' && p.at > ctx.start + HOUR && p.at < ctx.end - 2 * HOUR))
    for (const p of candidates) {
      if (ctx.book(rng, { buildingId: b.id, label, lengthMs: 30 * MINUTE, earliest: p.at - 15 * MINUTE, latest: p.at - 15 * MINUTE }) === undefined) continue
      p.crossing = 2
      p.tag = label
      return
    }
  })
}

/**
 * Someone lives in a room without being registered: every time they come
 * home they walk in behind its resident at the main gate (tailgating, every
 * day), and they leave with them.
 */
export function planOccupant (ctx: PlanContext): void {
  const a = ctx.anomaly('occupant')
  const { label, building: b } = a
  const host = ctx.enlist(a, (p) => p.routine === 'day')
  if (host === undefined) return
  ctx.cast.person({ role: 'occupant', buildingId: b.id, roomId: host.roomId, story: label })
  ctx.later.push(() => {
    for (const p of ctx.passes.get(host.ref) ?? []) {
      if (p.at < ctx.start + HOUR) continue
      if (p.door !== MAIN_GATE && !ctx.calendar.blocked(b.id, MAIN_GATE, p.at)) p.door = MAIN_GATE
      if (p.door !== MAIN_GATE) continue
      p.crossing = 2
      p.tag = label
    }
  })
}
